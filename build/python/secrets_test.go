package python_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

// testSecrets checks that index passwords and pip configuration reach pip
// but never the venv metadata (which the lifecycle copies into the image's
// labels), a log line or a message, and that every pip setting that
// changes what gets installed rebuilds the venv.
func testSecrets(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		executor *fake.Executor
		builder  python.Builder
		output   *bytes.Buffer
	)

	const password = "hunter2"

	it.Before(func() {
		ctx = buildContext(t)
		ctx.Platform.Bindings = nil
		executor = &fake.Executor{Run: func(e effect.Execution) error {
			answerVersionProbe(e)
			return nil
		}}
		output = &bytes.Buffer{}
		builder = python.Builder{Logger: log.NewPaketoLogger(output), Executor: executor, Environ: []string{"PATH=/usr/bin"}}
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"requirements.txt": "flask\n", "main.py": ""})
	})

	// venvMetadata is the venv layer's metadata as the lifecycle writes it.
	venvMetadata := func(result libcnb.BuildResult) string {
		var buf bytes.Buffer
		Expect(toml.NewEncoder(&buf).Encode(result.Layers[1].Metadata)).To(Succeed())
		return buf.String()
	}
	// keepMetadata writes the venv layer's metadata where the next build
	// finds it, as the lifecycle does between builds.
	keepMetadata := func(result libcnb.BuildResult) {
		var buf bytes.Buffer
		Expect(toml.NewEncoder(&buf).Encode(map[string]interface{}{"metadata": result.Layers[1].Metadata})).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.Layers.Path, "venv.toml"), buf.Bytes(), 0644)).To(Succeed())
	}
	pipRun := func() effect.Execution {
		for _, e := range executor.Executions {
			if strings.Contains(strings.Join(e.Args, " "), "--requirement requirements.txt") {
				return e
			}
		}
		t.Fatal("pip never ran")
		return effect.Execution{}
	}

	it("keeps a digest of the index settings in the venv key, and their values only in pip's environment", func() {
		for _, name := range []string{"PIP_INDEX_URL", "BP_PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"} {
			builder.Environ = append(builder.Environ, name+"=https://user:"+password+"@127.0.0.1:9/"+name)
		}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(venvMetadata(result)).NotTo(ContainSubstring(password))
		Expect(venvMetadata(result)).To(ContainSubstring("PIP_EXTRA_INDEX_URL"))
		Expect(output.String()).NotTo(ContainSubstring(password))
		Expect(pipRun().Env).To(ContainElement("PIP_EXTRA_INDEX_URL=https://user:" + password + "@127.0.0.1:9/BP_PIP_EXTRA_INDEX_URL"))

		keepMetadata(result)
		builder.Environ = envvar.Set(builder.Environ, "PIP_INDEX_URL", "https://user:other@127.0.0.1:9/simple")
		output.Reset()
		_, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("PIP_INDEX_URL changed\n"))
		Expect(output.String()).NotTo(ContainSubstring("PIP_EXTRA_INDEX_URL changed"))
	})

	it("points pip at the pip.conf of a pip binding, where the platform mounted it, and keys its content", func() {
		bindingDir := t.TempDir()
		conf := filepath.Join(bindingDir, "pip.conf")
		Expect(os.WriteFile(conf, []byte("[global]\nindex-url = https://user:"+password+"@127.0.0.1:9/simple\n"), 0600)).To(Succeed())
		ctx.Platform.Bindings = libcnb.Bindings{{Name: "private-index", Type: "pip", Path: bindingDir, Secret: map[string]string{"pip.conf": "[global]..."}}}

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(pipRun().Env).To(ContainElement("PIP_CONFIG_FILE=" + conf))
		Expect(output.String()).To(ContainSubstring("pip reads its configuration from binding private-index (pip)"))
		before := venvMetadata(result)
		Expect(before).NotTo(ContainSubstring(password))
		Expect(before).NotTo(ContainSubstring(bindingDir))

		Expect(os.WriteFile(conf, []byte("[global]\nindex-url = https://user:"+password+"@127.0.0.1:9/other\n"), 0600)).To(Succeed())
		executor.Executions = nil
		result, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(venvMetadata(result)).NotTo(Equal(before))

		// Nothing the build leaves under the layers, which the lifecycle
		// exports or caches, may hold the binding's file or its password.
		var walked []string
		Expect(filepath.WalkDir(ctx.Layers.Path, func(path string, entry os.DirEntry, err error) error {
			if err != nil || entry.IsDir() {
				return err
			}
			walked = append(walked, path)
			Expect(entry.Name()).NotTo(Equal(python.PipConfFile), "%s copies the binding into a layer", path)
			content, err := os.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(content)).NotTo(ContainSubstring(password), "%s holds the binding's password", path)
			return nil
		})).To(Succeed())
		Expect(walked).To(ContainElement(HaveSuffix("venv.sbom.cdx.json")), "the walk reads what the build wrote")
	})

	it("refuses a pip binding without its pip.conf, and a pip binding together with PIP_CONFIG_FILE", func() {
		dir := t.TempDir()
		ctx.Platform.Bindings = libcnb.Bindings{{Name: "private-index", Type: "pip", Path: dir, Secret: map[string]string{"netrc": ""}}}
		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("has no file named pip.conf")))

		Expect(os.WriteFile(filepath.Join(dir, "pip.conf"), nil, 0600)).To(Succeed())
		ctx.Platform.Bindings[0].Secret = map[string]string{"pip.conf": ""}
		builder.Environ = append(builder.Environ, "PIP_CONFIG_FILE=/etc/pip.conf")
		_, err = builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Two pip configuration files]")))
	})

	it("rebuilds the venv when a pip setting that changes resolution changes", func() {
		key := func(env ...string) string {
			builder.Environ = append([]string{"PATH=/usr/bin"}, env...)
			result, err := builder.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			return venvMetadata(result)
		}
		plain := key()
		for _, setting := range []string{"PIP_PRE=1", "PIP_ONLY_BINARY=:all:", "PIP_NO_BINARY=flask", "PIP_CONSTRAINT=c.txt", "PIP_CONFIG_FILE=pip.conf"} {
			Expect(key(setting)).NotTo(Equal(plain), setting)
		}

		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"c.txt": "flask==2.2.2\n", "pip.conf": "[global]\npre = false\n"})
		constraint, config := key("PIP_CONSTRAINT=c.txt"), key("PIP_CONFIG_FILE=pip.conf")
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"c.txt": "flask==2.2.3\n", "pip.conf": "[global]\npre = true\n"})
		Expect(key("PIP_CONSTRAINT=c.txt")).NotTo(Equal(constraint))
		Expect(key("PIP_CONFIG_FILE=pip.conf")).NotTo(Equal(config))
	})

	it("keeps index passwords out of pip's problems and out of the log", func() {
		builder.Environ = append(builder.Environ, "PIP_INDEX_URL=https://user:"+password+"@127.0.0.1:9/simple/")
		executor.Run = func(e effect.Execution) error {
			answerVersionProbe(e)
			if strings.Contains(strings.Join(e.Args, " "), "--requirement") {
				fmt.Fprintln(e.Stdout, "Collecting shop@ https://user:"+password+"@127.0.0.1:9/shop.tar.gz")
				fmt.Fprintln(e.Stderr, "ERROR: No matching distribution found for flask")
				return errors.New("exit status 1")
			}
			return nil
		}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Python package not found]")))
		Expect(err.Error()).To(ContainSubstring("pip could not find flask on https://user:xxxxx@127.0.0.1:9/simple/"))
		Expect(err.Error()).NotTo(ContainSubstring(password))
		Expect(output.String()).To(ContainSubstring("Collecting shop@ https://user:xxxxx@127.0.0.1:9/shop.tar.gz"))
		Expect(output.String()).NotTo(ContainSubstring(password))
	})

	it("keeps passwords of requirement lines out of the reasons it logs", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"requirements.txt": "shop @ https://user:" + password + "@127.0.0.1:9/shop-1.0.tar.gz\n"})
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(venvMetadata(result)).NotTo(ContainSubstring(password))
		keepMetadata(result)

		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"requirements.txt": "shop @ https://user:" + password + "@127.0.0.1:9/shop-1.1.tar.gz\n"})
		output.Reset()
		_, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("requirements.txt changed: +shop @ https://user:xxxxx@127.0.0.1:9/shop-1.1.tar.gz"))
		Expect(output.String()).NotTo(ContainSubstring(password))
	})
}

package python_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// fakeExecutor records what would run and lets a test script its outcome.
func testVenv(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		executor *fake.Executor
		output   *bytes.Buffer
		layer    libcnb.Layer
		venv     python.Venv
		appDir   string
	)

	it.Before(func() {
		executor = &fake.Executor{}
		output = &bytes.Buffer{}
		layers := libcnb.Layers{Path: t.TempDir()}
		var err error
		layer, err = layers.Layer("venv")
		Expect(err).NotTo(HaveOccurred())
		appDir = t.TempDir()
		venv = python.Venv{
			AppDir:   appDir,
			PipCache: "/layers/pip-cache",
			Env:      []string{"PIP_INDEX_URL=http://127.0.0.1:9/simple/", "PIP_CACHE_DIR=/layers/pip-cache"},
			Executor: executor,
			Logger:   log.NewPaketoLogger(output),
			Key: python.VenvKey{
				Requirements: map[string]string{"requirements.txt": "aaa"},
				Install:      []string{"--requirement requirements.txt"},
				Python:       "3.11.2",
				Stack:        "io.onbuild.stacks.bookworm",
				PipConfig:    map[string]string{"PIP_INDEX_URL": "http://127.0.0.1:9/simple/"},
			},
		}
	})

	it("removes what the install left in the app, and only that, so a build that reuses the venv gives the same image", func() {
		fake.WriteFiles(t, appDir, map[string]string{"app.py": "", "vendor.egg-info/PKG-INFO": "from the source", "build/notes.txt": "from the source"})
		venv.Key.Install = append(venv.Key.Install, "--editable .")
		executor.Run = func(e effect.Execution) error {
			if strings.Contains(strings.Join(e.Args, " "), "--editable .") {
				// What setuptools' editable build leaves beside the source.
				fake.WriteFiles(t, appDir, map[string]string{"hello.egg-info/PKG-INFO": "", "build/lib/hello/__init__.py": "", "build/bdist.linux-x86_64/x": ""})
			}
			return nil
		}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(executor.Executions[len(executor.Executions)-1].Args).To(ContainElement("--use-pep517"))
		var left []string
		Expect(filepath.WalkDir(appDir, func(path string, entry os.DirEntry, err error) error {
			if err == nil && !entry.IsDir() {
				rel, _ := filepath.Rel(appDir, path)
				left = append(left, rel)
			}
			return err
		})).To(Succeed())
		Expect(left).To(ConsistOf("app.py", "vendor.egg-info/PKG-INFO", "build/notes.txt"))
		Expect(output.String()).To(ContainSubstring("Removed what the install left in the app: build/bdist.linux-x86_64, build/lib, hello.egg-info"))
	})

	it("creates the venv and installs the requirements with pip into it", func() {
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(executor.Executions).To(HaveLen(2))
		Expect(executor.Executions[0].Command).To(Equal("python3"))
		Expect(executor.Executions[0].Args).To(Equal([]string{"-m", "venv", "--without-pip", layer.Path}))
		Expect(executor.Executions[1].Command).To(Equal("python3"))
		Expect(executor.Executions[1].Args).To(Equal([]string{"-m", "pip", "--python", filepath.Join(layer.Path, "bin", "python"),
			"install", "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
			"--src", filepath.Join(layer.Path, "src"), "--requirement", "requirements.txt"}))
		Expect(executor.Executions[1].Dir).To(Equal(appDir))
		Expect(executor.Executions[1].Env).To(ContainElement("PIP_CACHE_DIR=/layers/pip-cache"))
		Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Cache: true, Launch: true}))
		Expect(layer.Metadata).To(HaveKeyWithValue("python", "3.11.2"))
		Expect(layer.LaunchEnvironment).To(HaveKeyWithValue("PORT.default", "8080"))
		Expect(layer.SharedEnvironment).To(HaveKeyWithValue("VIRTUAL_ENV.default", layer.Path))
	})

	it("reuses the venv without running pip when the key is unchanged", func() {
		Expect(venv.Contribute(&layer)).To(Succeed())
		executor.Executions = nil

		Expect(venv.Contribute(&layer)).To(Succeed())
		Expect(executor.Executions).To(BeEmpty())
		Expect(output.String()).To(ContainSubstring("Reusing cached layer"))
	})

	it("logs every reason the venv is rebuilt, one per line", func() {
		Expect(venv.Contribute(&layer)).To(Succeed())
		output.Reset()

		venv.Key.Lines = map[string][]string{"requirements.txt": {"flask==2.2.2", "idna==3.4"}}
		Expect(venv.Contribute(&layer)).To(Succeed())
		output.Reset()
		executor.Executions = nil

		venv.Key.Requirements = map[string]string{"requirements.txt": "bbb", "base.txt": "ccc"}
		venv.Key.Lines = map[string][]string{"requirements.txt": {"flask==2.2.2", "requests==2.31.0"}, "base.txt": {"click==8.1.3"}}
		venv.Key.Python = "3.11.4"
		venv.Key.PipConfig = map[string]string{"PIP_INDEX_URL": "http://127.0.0.1:10/simple/"}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(output.String()).To(ContainSubstring("base.txt added\n"))
		Expect(output.String()).To(ContainSubstring("requirements.txt changed: +requests==2.31.0, -idna==3.4\n"))
		Expect(output.String()).To(ContainSubstring("Python changed: 3.11.2 -> 3.11.4\n"))
		Expect(output.String()).To(ContainSubstring("PIP_INDEX_URL changed\n"))
		Expect(executor.Executions).To(HaveLen(2))
	})

	it("says how the locked set changed", func() {
		venv.Key.Lock = []string{"file uv.lock", "root virtual app", "flask==2.2.2 hashes:aaaa"}
		Expect(venv.Contribute(&layer)).To(Succeed())
		output.Reset()

		venv.Key.Lock = []string{"file uv.lock", "root virtual app", "flask==2.2.3 hashes:bbbb", "six==1.16.0 hashes:cccc"}
		Expect(venv.Contribute(&layer)).To(Succeed())
		Expect(output.String()).To(ContainSubstring("locked set changed: +flask==2.2.3 hashes:bbbb, +six==1.16.0 hashes:cccc, -flask==2.2.2 hashes:aaaa\n"))
	})

	it("installs each step in order, with the wheelhouse before the index", func() {
		venv.Key.Install = []string{"--requirement requirements.txt", "--editable ."}
		venv.Key.FindLinks = []string{"wheelhouse"}
		Expect(venv.Contribute(&layer)).To(Succeed())

		Expect(executor.Executions).To(HaveLen(3))
		Expect(strings.Join(executor.Executions[1].Args, " ")).To(HaveSuffix("--find-links " + appDir + "/wheelhouse --requirement requirements.txt"))
		Expect(strings.Join(executor.Executions[2].Args, " ")).To(HaveSuffix("--find-links " + appDir + "/wheelhouse --editable . --use-pep517"))
	})

	it("names the missing package and the index when pip finds no distribution", func() {
		executor.Run = func(e effect.Execution) error {
			if len(e.Args) > 1 && e.Args[1] == "venv" {
				return nil
			}
			fmt.Fprintln(e.Stderr, "ERROR: Could not find a version that satisfies the requirement nosuchpkg==1.0 (from versions: none)")
			fmt.Fprintln(e.Stderr, "ERROR: No matching distribution found for nosuchpkg==1.0")
			return errors.New("exit status 1")
		}

		err := venv.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("[Error: Python package not found]")))
		Expect(err.Error()).To(ContainSubstring("pip could not find nosuchpkg==1.0 on http://127.0.0.1:9/simple/"))
		Expect(layer.Metadata).To(BeEmpty(), "a failed install must not look reusable")
	})

	it("shows the tail of pip's output for other failures", func() {
		executor.Run = func(e effect.Execution) error {
			if len(e.Args) > 1 && e.Args[1] == "venv" {
				return nil
			}
			fmt.Fprintln(e.Stdout, "error: subprocess-exited-with-error")
			return errors.New("exit status 1")
		}

		err := venv.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("[Error: pip install failed]")))
		Expect(err.Error()).To(ContainSubstring("subprocess-exited-with-error"))
	})

	context("SeedWheels", func() {
		it("seeds setuptools only into the venvs of Pythons whose venvs had it, before 3.12", func() {
			wheels := []string{"/usr/share/python-wheels/setuptools-78.1.1-py3-none-any.whl"}
			Expect(python.SeedWheels("3.11.2", wheels)).To(Equal(wheels))
			Expect(python.SeedWheels("3.10.16", wheels)).To(Equal(wheels))
			Expect(python.SeedWheels("3.12.3", wheels)).To(BeEmpty())
			Expect(python.SeedWheels("3.13.5", wheels)).To(BeEmpty())
		})
	})

	context("PipEnvironment", func() {
		it("prefers PIP_ variables and falls back to their BP_PIP_ spelling", func() {
			environ := []string{"PATH=/usr/bin", "PIP_INDEX_URL=http://a/simple", "BP_PIP_INDEX_URL=http://b/simple", "BP_PIP_NO_INDEX=1"}
			reader, err := settings.New(fake.Metadata(t, "python"), environ)
			Expect(err).NotTo(HaveOccurred())
			config := python.ReadSettings(reader).PipIndex
			env := python.PipEnvironment(environ, config, "/cache")

			Expect(config).To(Equal(map[string]string{"PIP_INDEX_URL": "http://a/simple", "PIP_NO_INDEX": "1"}))
			Expect(env).To(ContainElements("PATH=/usr/bin", "PIP_NO_INDEX=1", "PIP_CACHE_DIR=/cache"))
			Expect(env).NotTo(ContainElement("PIP_INDEX_URL=http://b/simple"))
		})
	})

	it.After(func() {
		Expect(os.RemoveAll(layer.Path)).To(Succeed())
	})
}

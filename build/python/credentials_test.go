package python_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testCredentials(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		executor *fake.Executor
		builder  python.Builder
		output   *bytes.Buffer
		binding  func(name, kind, file, content string) string
	)

	it.Before(func() {
		ctx = buildContext(t)
		executor = &fake.Executor{Run: func(e effect.Execution) error {
			answerVersionProbe(e)
			return nil
		}}
		output = &bytes.Buffer{}
		builder = python.Builder{Logger: log.NewPaketoLogger(output), Executor: executor, Environ: []string{"PATH=/usr/bin"}}
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.txt"), []byte("private-lib==1.0\n"), 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "main.py"), nil, 0644)).To(Succeed())
		binding = func(name, kind, file, content string) string {
			dir := filepath.Join(t.TempDir(), name)
			Expect(os.MkdirAll(dir, 0755)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(dir, file), []byte(content), 0600)).To(Succeed())
			ctx.Platform.Bindings = append(ctx.Platform.Bindings, libcnb.Binding{
				Name: name, Type: kind, Path: dir, Secret: map[string]string{file: content},
			})
			return filepath.Join(dir, file)
		}
	})

	it("points pip at the netrc binding where it is mounted, without onbuild/vcs", func() {
		netrc := binding("index", "netrc", "netrc", "machine index.corp login me password s3cret\n")
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		pip := executor.Executions[len(executor.Executions)-1]
		Expect(pip.Args).To(ContainElement("requirements.txt"))
		Expect(envvar.Value(pip.Env, "NETRC")).To(Equal(netrc))
		Expect(output.String()).To(ContainSubstring("pip reads NETRC from the netrc binding (" + netrc + ")"))
		Expect(output.String()).NotTo(ContainSubstring("s3cret"))
		for _, layer := range result.Layers {
			Expect(layer.BuildEnvironment).NotTo(HaveKey("NETRC.override"))
			Expect(layer.LaunchEnvironment).NotTo(HaveKey("NETRC.override"))
		}
	})

	it("says a git-credentials binding is unused when nothing is fetched with git", func() {
		binding("git", "git-credentials", "credentials", "https://me:t0ken@git.corp\n")
		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("The git-credentials binding is for git only"))
		Expect(output.String()).NotTo(ContainSubstring("t0ken"))
	})
}

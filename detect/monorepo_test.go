package detect_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testMonorepo(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		root   string
	)

	write := func(rel, content string) {
		t.Helper()
		file := filepath.Join(root, rel)
		Expect(os.MkdirAll(filepath.Dir(file), 0755)).To(Succeed())
		Expect(os.WriteFile(file, []byte(content), 0644)).To(Succeed())
	}
	// in is a detect context whose BP_APP_DIR comes from the platform's
	// env files, as `pack build --env` and project.toml's build env give it.
	in := func(buildpack, dir string) libcnb.DetectContext {
		ctx := libcnb.DetectContext{ApplicationPath: root}
		ctx.Platform.Environment = map[string]string{"BP_APP_DIR": dir}
		if buildpack != "" {
			ctx.Buildpack.Metadata = fake.Metadata(t, buildpack)
		}
		return ctx
	}
	problemOf := func(result libcnb.DetectResult) string {
		t.Helper()
		Expect(result.Pass).To(BeTrue())
		reason, _ := result.Plans[0].Requires[0].Metadata[detect.AppKey].(string)
		return reason
	}

	it.Before(func() {
		root = t.TempDir()
		write("services/web/requirements.txt", "-e ../../libs/core\n")
		write("services/web/.cnb/action_hooks/build", "#!/bin/sh\n")
		write("libs/core/pyproject.toml", "[project]\nname = \"core\"\n")
		write("cmd/api/go.mod", "module example.com/api\n\ngo 1.22\n")
	})

	it("detects the app in BP_APP_DIR, not the upload", func() {
		result, err := detect.Python(in("", "services/web"))
		Expect(err).NotTo(HaveOccurred())
		Expect(problemOf(result)).To(BeEmpty())

		result, err = detect.Go(in("go", "services/web"))
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
		result, err = detect.Go(in("go", "cmd/api"))
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())

		result, err = detect.BuildHook(in("build-hook", "services/web"))
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
		result, err = detect.BuildHook(in("build-hook", ""))
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})

	it("reads BP_APP_DIR from the process environment too", func() {
		t.Setenv("BP_APP_DIR", "cmd/api")
		result, err := detect.Go(libcnb.DetectContext{ApplicationPath: root, Buildpack: libcnb.Buildpack{Metadata: fake.Metadata(t, "go")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
	})

	it("passes to explain a folder without an app, naming what it looked for and where apps are", func() {
		write("services/empty/README.md", "")
		reason := problemOf(must(detect.Python(in("", "services"))))
		Expect(reason).To(ContainSubstring("[Error: No app in services (BP_APP_DIR)]"))
		Expect(reason).To(ContainSubstring("requirements.txt"))
		Expect(reason).To(ContainSubstring("go.mod"))
		Expect(reason).To(ContainSubstring("web (requirements.txt)"))
		Expect(reason).To(ContainSubstring("pack build --env BP_APP_DIR=services/web"))

		reason = problemOf(must(detect.Python(in("", ""))))
		Expect(reason).To(ContainSubstring("No app in the uploaded source"))
		Expect(reason).To(ContainSubstring("cmd/api (go.mod)"))
		Expect(reason).To(ContainSubstring("libs/core (pyproject.toml)"))
	})

	it("explains a folder outside the upload; the other groups fail", func() {
		reason := problemOf(must(detect.Python(in("", "../elsewhere"))))
		Expect(reason).To(ContainSubstring("App folder outside the upload"))
		result, err := detect.Go(in("go", "../elsewhere"))
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
		result, err = detect.PreBuildHook(in("pre-build-hook", "/etc"))
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})

	it("still fails an empty upload plainly", func() {
		root = t.TempDir()
		result, err := detect.Python(in("", ""))
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})

	context("uv workspaces", func() {
		it.Before(func() {
			write("pyproject.toml", "[tool.uv.workspace]\nmembers = [\"apps/*\", \"libs/*\"]\nexclude = [\"apps/legacy\"]\n")
			write("uv.lock", "version = 1\n[[package]]\nname = \"x\"\nsource = { git = \"https://git.example.invalid/x.git?rev=v1#0123456789abcdef0123456789abcdef01234567\" }\n")
			write("apps/api/pyproject.toml", "[project]\nname = \"api\"\n")
			write("apps/legacy/pyproject.toml", "[project]\nname = \"legacy\"\n")
		})

		it("finds the workspace a member belongs to", func() {
			Expect(detect.UVWorkspace(root, filepath.Join(root, "apps/api"))).To(Equal(root))
			Expect(detect.UVWorkspace(root, filepath.Join(root, "apps/legacy"))).To(BeEmpty())
			Expect(detect.UVWorkspace(root, filepath.Join(root, "services/web"))).To(BeEmpty())
		})

		it("asks for git when the workspace lock has a git source", func() {
			result, err := detect.Python(in("", "apps/api"))
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Plans[0].Requires).To(ContainElement(libcnb.BuildPlanRequire{Name: "git"}))
		})
	})
}

func must(result libcnb.DetectResult, err error) libcnb.DetectResult {
	if err != nil {
		panic(err)
	}
	return result
}

func testMonorepoRunImage(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect
	it("puts the Go app in BP_APP_DIR on the tiny run image", func() {
		root := t.TempDir()
		Expect(os.MkdirAll(filepath.Join(root, "cmd", "api"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(root, "cmd", "api", "go.mod"), []byte("module example.com/api\n"), 0644)).To(Succeed())
		ctx := libcnb.DetectContext{ApplicationPath: root}
		result, err := detect.RunImage(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
		ctx.Platform.Environment = map[string]string{"BP_APP_DIR": "cmd/api"}
		result, err = detect.RunImage(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
	})
}

package detect_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/detect"
)

func testVCS(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		appDir string
		write  = func(name, content string) {
			path := filepath.Join(appDir, name)
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte(content), 0644)).To(Succeed())
		}
	)

	it.Before(func() {
		appDir = t.TempDir()
	})

	context("the vcs buildpack", func() {
		it("offers both tools, either, then nothing", func() {
			result, err := detect.VCS(libcnb.DetectContext{ApplicationPath: appDir})
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Pass).To(BeTrue())
			Expect(result.Plans).To(Equal([]libcnb.BuildPlan{
				{Provides: []libcnb.BuildPlanProvide{{Name: "git"}, {Name: "hg"}}},
				{Provides: []libcnb.BuildPlanProvide{{Name: "git"}}},
				{Provides: []libcnb.BuildPlanProvide{{Name: "hg"}}},
			}))
		})
	})

	context("Python", func() {
		needs := func() []bool {
			git, hg, err := detect.PythonNeedsVCS(appDir)
			Expect(err).NotTo(HaveOccurred())
			return []bool{git, hg}
		}

		it("needs nothing for index requirements, comments and look-alikes", func() {
			write("requirements.txt", "flask==2.2.2\n# git+https://example.com/old.git\nlegit+https-client==1.0\nsix  # hg+http://x/y\n")
			write("setup.py", "# dependency_links=['git+https://example.com/x.git']\nsetup(name='app')\n")
			Expect(needs()).To(Equal([]bool{false, false}))
		})

		for line, want := range map[string][]bool{
			"git+https://example.com/pkg.git@v1#egg=pkg":               {true, false},
			"-e git+http://127.0.0.1:9/pkg.git#egg=pkg":                {true, false},
			"-egit+ssh://git@example.com/org/pkg.git#egg=pkg":          {true, false},
			"--editable=git+file:///srv/pkg#egg=pkg":                   {true, false},
			"pkg @ git+https://example.com/pkg.git@main":               {true, false},
			"pkg@GIT+https://example.com/pkg.git":                      {true, false},
			"git+git@example.com:org/pkg.git#egg=pkg":                  {true, false},
			"hg+http://127.0.0.1:9/pkg@v1#egg=pkg":                     {false, true},
			"-e hg+https://example.com/pkg#egg=pkg":                    {false, true},
			"git+https://example.com/a.git hg+https://example.com/b#x": {true, true},
		} {
			line, want := line, want
			it("needs "+line, func() {
				write("requirements.txt", "six\n"+line+"\n")
				Expect(needs()).To(Equal(want))
			})
		}

		it("follows -r and -c includes", func() {
			write("requirements.txt", "six\n-r deps/vcs.txt\n")
			write("deps/vcs.txt", "-c ../pins.txt\n")
			write("pins.txt", "pkg @ hg+https://example.com/pkg\n")
			Expect(needs()).To(Equal([]bool{false, true}))
		})

		it("reads what it can when an include is missing: the build names it", func() {
			write("requirements.txt", "git+https://example.com/pkg.git#egg=pkg\n-r missing.txt\n")
			Expect(needs()).To(Equal([]bool{true, false}))
		})

		it("reads setup.py and setup.cfg", func() {
			write("setup.py", "setup(install_requires=['pkg @ git+https://example.com/pkg.git'])\n")
			Expect(needs()).To(Equal([]bool{true, false}))
			Expect(os.Remove(filepath.Join(appDir, "setup.py"))).To(Succeed())

			write("setup.cfg", "[options]\ninstall_requires =\n    pkg @ hg+https://example.com/pkg\n")
			Expect(needs()).To(Equal([]bool{false, true}))
		})

		it("reads pyproject.toml's dependencies, extras and build requirements only", func() {
			write("pyproject.toml", "[project]\nname = 'app'\ndependencies = ['six']\n[project.urls]\nsource = 'git+https://example.com/app.git'\n")
			Expect(needs()).To(Equal([]bool{false, false}))

			write("pyproject.toml", "[project]\nname = 'app'\n[project.optional-dependencies]\ndev = ['pkg @ git+https://example.com/pkg.git']\n")
			Expect(needs()).To(Equal([]bool{true, false}))

			write("pyproject.toml", "[build-system]\nrequires = ['backend @ hg+https://example.com/backend']\n")
			Expect(needs()).To(Equal([]bool{false, true}))
		})

		it("leaves malformed pyproject.toml to the build", func() {
			write("pyproject.toml", "[project\n")
			Expect(needs()).To(Equal([]bool{false, false}))
		})

		it("reads the git and hg sources of lock files", func() {
			write("uv.lock", "version = 1\n[[package]]\nname = 'flask'\nsource = { registry = \"https://index.example/simple\" }\n")
			write("poetry.lock", "[[package]]\nname = \"flask\"\n\n[package.source]\ntype = \"legacy\"\nurl = \"http://127.0.0.1:9/simple\"\n")
			write("Pipfile.lock", `{"default": {"flask": {"version": "==2.2.2", "index": "git"}}}`)
			Expect(needs()).To(Equal([]bool{false, false}))

			write("uv.lock", "version = 1\n[[package]]\nname = 'tiny'\nsource = { git = \"https://example.com/tiny.git?rev=v1#0123\" }\n")
			Expect(needs()).To(Equal([]bool{true, false}))
			Expect(os.Remove(filepath.Join(appDir, "uv.lock"))).To(Succeed())

			write("poetry.lock", "[[package]]\nname = \"tiny\"\n\n[package.source]\ntype = \"git\"\nurl = \"https://example.com/tiny.git\"\nresolved_reference = \"0123\"\n")
			Expect(needs()).To(Equal([]bool{true, false}))
			Expect(os.Remove(filepath.Join(appDir, "poetry.lock"))).To(Succeed())

			write("Pipfile.lock", `{"default": {"tiny": {"hg": "https://example.com/tiny", "ref": "0123"}}}`)
			Expect(needs()).To(Equal([]bool{false, true}))
		})

		it("leaves a malformed lock file to the build", func() {
			write("uv.lock", "version = [\n")
			write("Pipfile.lock", "{\"default\": ")
			Expect(needs()).To(Equal([]bool{false, false}))
		})

		it("makes the Python buildpack require the tools", func() {
			write("requirements.txt", "-e git+https://example.com/pkg.git#egg=pkg\n")
			result, err := detect.Python(libcnb.DetectContext{ApplicationPath: appDir})
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Plans[0].Requires).To(Equal([]libcnb.BuildPlanRequire{
				{Name: "python-venv", Metadata: map[string]interface{}{}},
				{Name: "git"},
			}))
		})
	})

	context("Go", func() {
		goMod := "module example.com/app\n\ngo 1.23\n\nrequire (\n\tgithub.com/pub/lib v1.0.0\n\tcorp.example/team/private v0.1.0\n)\n"
		needs := func(env map[string]string) []bool {
			git, hg, err := detect.GoNeedsVCS(appDir, env)
			Expect(err).NotTo(HaveOccurred())
			return []bool{git, hg}
		}

		it.Before(func() {
			write("go.mod", goMod)
		})

		it("needs nothing when every module comes from a proxy", func() {
			Expect(needs(nil)).To(Equal([]bool{false, false}))
			Expect(needs(map[string]string{"GOPROXY": "http://127.0.0.1:9,direct"})).To(Equal([]bool{false, false}))
			Expect(needs(map[string]string{"GOPRIVATE": "other.example"})).To(Equal([]bool{false, false}))
		})

		it("needs git for modules fetched directly", func() {
			Expect(needs(map[string]string{"GOPROXY": "direct"})).To(Equal([]bool{true, false}))
			Expect(needs(map[string]string{"GOPRIVATE": "corp.example"})).To(Equal([]bool{true, false}))
			Expect(needs(map[string]string{"GONOPROXY": "*.example,github.com/nobody"})).To(Equal([]bool{true, false}))
		})

		it("lets GONOPROXY narrow GOPRIVATE, as the go command does", func() {
			Expect(needs(map[string]string{"GOPRIVATE": "corp.example", "GONOPROXY": "none.example"})).To(Equal([]bool{false, false}))
			Expect(needs(map[string]string{"GOPRIVATE": "corp.example", "GONOPROXY": ""})).To(Equal([]bool{true, false}))
		})

		it("reads the tool from a VCS qualifier in a require or a replace", func() {
			write("go.mod", goMod+"\nrequire 127.0.0.1:9/repo.hg v1.0.0\n")
			Expect(needs(nil)).To(Equal([]bool{false, true}))

			write("go.mod", goMod+"\nreplace github.com/pub/lib => corp.example/fork.git v1.0.1\n")
			Expect(needs(nil)).To(Equal([]bool{true, false}))
		})

		it("ignores replacements by a directory", func() {
			write("go.mod", goMod+"\nreplace corp.example/team/private => ./private.git\n")
			Expect(needs(nil)).To(Equal([]bool{false, false}))
		})

		it("needs nothing for a vendored app unless -mod=mod", func() {
			write("vendor/modules.txt", "# corp.example/team/private v0.1.0\n")
			Expect(needs(map[string]string{"GOPROXY": "direct"})).To(Equal([]bool{false, false}))
			Expect(needs(map[string]string{"GOPROXY": "direct", "GOFLAGS": "-mod=mod"})).To(Equal([]bool{true, false}))
		})

		it("needs nothing without go.mod, and leaves a malformed one to the Go build", func() {
			Expect(os.Remove(filepath.Join(appDir, "go.mod"))).To(Succeed())
			Expect(needs(map[string]string{"GOPROXY": "direct"})).To(Equal([]bool{false, false}))

			write("go.mod", "module\nrequire (\n")
			Expect(needs(map[string]string{"GOPROXY": "direct"})).To(Equal([]bool{false, false}))
		})
	})
}

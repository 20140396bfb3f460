package golang_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
)

// known is buildpacks/go/buildpack.toml's list when these tests were
// written: the newest patch of each release.
var known = []string{"1.22.12", "1.23.4", "1.23.12", "1.24.13", "1.25.14", "1.26.11", "1.27.4"}

func testResolve(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
	)

	it.Before(func() {
		app = t.TempDir()
	})

	// resolve reads the app's files as the build does and picks a version.
	resolve := func(files map[string]string, override string) (golang.Request, string, error) {
		fake.WriteFiles(t, app, files)
		project, err := golang.ReadProject(app)
		Expect(err).NotTo(HaveOccurred())
		request, err := golang.Requested(project, override)
		if err != nil {
			return request, "", err
		}
		picked, err := golang.Resolve(request, known)
		return request, picked, err
	}

	// goMod is a go.mod as `go mod init` and `go get` write it.
	goMod := func(lines string) map[string]string {
		return map[string]string{"go.mod": "module example.com/app\n\n" + lines + "\n\nrequire golang.org/x/text v0.21.0\n"}
	}

	context("a go line and no toolchain line: a minimum", func() {
		it("meets go 1.25.0, as go mod init writes it, with the newest 1.25 patch", func() {
			request, picked, err := resolve(goMod("go 1.25.0"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.25.14"))
			Expect(golang.Explain(request, picked)).To(Equal("Go 1.25.14: go.mod's go line asks for 1.25.0 or newer, the newest 1.25 patch onbuild/go knows"))
		})

		it("reads go 1.N, go 1.NrcM and go 1.N.M the same way", func() {
			for line, want := range map[string]string{
				"go 1.24": "1.24.13", "go 1.24.0": "1.24.13", "go 1.24.13": "1.24.13",
				"go 1.26rc1": "1.26.11", "go 1.26rc2": "1.26.11", "go 1.23.5": "1.23.12",
			} {
				_, picked, err := resolve(goMod(line), "")
				Expect(err).NotTo(HaveOccurred(), line)
				Expect(picked).To(Equal(want), line)
			}
		})

		it("takes the next release when no patch of the go line's own is high enough", func() {
			request, picked, err := resolve(goMod("go 1.25.20"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.26.11"))
			Expect(golang.Explain(request, picked)).To(ContainSubstring("knows no 1.25 patch that is"))

			_, picked, err = resolve(goMod("go 1.21"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.22.12"))
		})

		it("fails only when nothing known is high enough, and says so", func() {
			_, _, err := resolve(goMod("go 1.99.0"), "")
			Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
			Expect(err.Error()).To(ContainSubstring("[Error: Go version not available]"))
			Expect(err.Error()).To(ContainSubstring("In go.mod:"))
			Expect(err.Error()).To(ContainSubstring("go.mod's go line asks for Go 1.99.0 or newer"))
			Expect(err.Error()).To(ContainSubstring("1.22.12, 1.23.4, 1.23.12, 1.24.13, 1.25.14, 1.26.11, 1.27.4"))
			Expect(err.Error()).To(ContainSubstring("None is at or above the go line of go.mod (go 1.99.0)"))
			Expect(err.Error()).To(ContainSubstring("go mod edit -go=1.27.4"))
		})

		it("takes the newest known Go when there is no go line", func() {
			request, picked, err := resolve(map[string]string{"go.mod": "module example.com/app\n"}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.27.4"))
			Expect(golang.Explain(request, picked)).To(Equal("Go 1.27.4: go.mod, which has no go line, the newest Go onbuild/go knows"))
		})
	})

	context("a toolchain line: that toolchain exactly", func() {
		it("builds with the toolchain named, even when a newer patch is known", func() {
			request, picked, err := resolve(goMod("go 1.23.0\n\ntoolchain go1.23.4"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.23.4"))
			Expect(golang.Explain(request, picked)).To(Equal("Go 1.23.4: go.mod's toolchain line asks for it"))
		})

		it("names the toolchains that would do when it has not got the one named", func() {
			_, _, err := resolve(goMod("go 1.24.0\n\ntoolchain go1.24.99"), "")
			Expect(err).To(MatchError(ContainSubstring("go.mod's toolchain line asks for Go 1.24.99, and onbuild/go can install only")))
			Expect(err).To(MatchError(ContainSubstring("These would meet the go line (go 1.24.0): 1.24.13, 1.25.14, 1.26.11, 1.27.4.")))
			Expect(err).To(MatchError(ContainSubstring("Remove the toolchain line: onbuild/go then builds with 1.24.13")))
			Expect(err).To(MatchError(ContainSubstring("toolchain go1.24.13")))
		})

		it("ignores a toolchain line older than the go line, as the go command does", func() {
			request, picked, err := resolve(goMod("go 1.25.0\n\ntoolchain go1.24.13"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.25.14"))
			Expect(request.Ignored).To(ContainSubstring("go.mod's toolchain line (go1.24.13) is older than its go line (go 1.25.0)"))
		})

		it("reads the version of a custom toolchain name and ignores toolchain default", func() {
			_, picked, err := resolve(goMod("go 1.24.0\n\ntoolchain go1.26.11-corp"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.26.11"))
			_, picked, err = resolve(goMod("go 1.24.0\n\ntoolchain default"), "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.24.13"))
		})
	})

	context("BP_GO_VERSION overrides both lines", func() {
		it("takes a release as its newest patch and an exact version as is", func() {
			request, picked, err := resolve(goMod("go 1.22.0\n\ntoolchain go1.23.4"), "1.26")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.26.11"))
			Expect(golang.Explain(request, picked)).To(Equal("Go 1.26.11: BP_GO_VERSION asks for 1.26, the newest patch onbuild/go knows"))

			_, picked, err = resolve(goMod("go 1.22.0"), "go1.23.4")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.23.4"))
		})

		it("still has to reach the go line", func() {
			_, _, err := resolve(goMod("go 1.25.0"), "1.24")
			Expect(err).To(MatchError(ContainSubstring("[Error: Go version too old for go.mod]")))
			Expect(err).To(MatchError(ContainSubstring("BP_GO_VERSION asks for Go 1.24 (any patch), but the go line of go.mod requires Go 1.25.0 or newer")))
			Expect(err).To(MatchError(ContainSubstring("1.25.14, 1.26.11, 1.27.4")))
		})

		it("suggests the same release for an unknown patch, among versions meeting the go line", func() {
			_, _, err := resolve(goMod("go 1.23"), "1.23.5")
			Expect(err).To(MatchError(ContainSubstring("BP_GO_VERSION asks for Go 1.23.5, and onbuild/go can install only")))
			Expect(err).To(MatchError(ContainSubstring("BP_GO_VERSION=1.23.12")))
			Expect(err).NotTo(MatchError(ContainSubstring("In go.mod")))

			_, _, err = resolve(goMod("go 1.23"), "1.26rc1")
			Expect(err).To(MatchError(ContainSubstring("BP_GO_VERSION=1.26.11")))
		})

		it("refuses what is not a Go version", func() {
			_, _, err := resolve(goMod("go 1.24"), "latest")
			Expect(err).To(MatchError(ContainSubstring(`[Error: Bad BP_GO_VERSION]`)))
			Expect(err).To(MatchError(ContainSubstring(`BP_GO_VERSION="latest" is not a Go version`)))
		})
	})

	context("go.work, where the go command reads only the workspace's lines", func() {
		it("takes go.work's go line as the minimum", func() {
			request, picked, err := resolve(map[string]string{
				"go.mod":  "module example.com/app\n\ngo 1.24.0\n",
				"go.work": "go 1.25.0\n\nuse .\n",
			}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.25.14"))
			Expect(request.Source).To(Equal("go.work's go line"))
		})

		it("takes go.work's toolchain line over a module's", func() {
			_, picked, err := resolve(map[string]string{
				"go.work":     "go 1.23.0\n\ntoolchain go1.23.4\n\nuse ./svc\n",
				"svc/go.mod":  "module example.com/svc\n\ngo 1.23.0\n\ntoolchain go1.27.4\n",
				"svc/main.go": "package main\n",
			}, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(picked).To(Equal("1.23.4"))
		})

		it("refuses a go.work whose go line is below a module it uses, with go work use as the fix", func() {
			fake.WriteFiles(t, app, map[string]string{
				"go.work":    "use (\n\t.\n\t./svc\n)\n",
				"go.mod":     "module example.com/app\n\ngo 1.18\n",
				"svc/go.mod": "module example.com/svc\n\ngo 1.25.0\n",
			})
			_, err := golang.ReadProject(app)
			Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
			Expect(err).To(MatchError(ContainSubstring("[Error: go.work's go line is older than a module it uses]")))
			Expect(err).To(MatchError(ContainSubstring("./svc/go.mod requires go 1.25.0 or newer, but go.work has no go line (which means go 1.18)")))
			Expect(err).To(MatchError(ContainSubstring("go work use")))
		})
	})

	it("orders versions as the go command does: 1.21 < 1.21rc1 < 1.21.0 < 1.21.3 < 1.22", func() {
		var dependencies []libpak.BuildModuleDependency
		for _, v := range []string{"1.22", "1.21.3", "1.21.0", "1.21rc1", "1.21", "1.21.10", "not-a-version"} {
			dependencies = append(dependencies, libpak.BuildModuleDependency{ID: "go", Version: v})
		}
		dependencies = append(dependencies, libpak.BuildModuleDependency{ID: "git", Version: "2.39.5"})
		Expect(golang.Versions(dependencies)).To(Equal([]string{"1.21", "1.21rc1", "1.21.0", "1.21.3", "1.21.10", "1.22"}))
	})
}

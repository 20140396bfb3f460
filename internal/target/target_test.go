package target_test

import (
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/internal/target"
)

func TestUnit(t *testing.T) {
	spec.Run(t, "Target", testTarget, spec.Report(report.Terminal{}))
}

func testTarget(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	deb := func(id, arch string) libpak.BuildModuleDependency {
		return libpak.BuildModuleDependency{ID: id, Version: "1.0", PURLS: []string{"pkg:deb/debian/" + id + "@1.0?arch=" + arch}}
	}
	ids := func(deps []libpak.BuildModuleDependency) []string {
		var out []string
		for _, dep := range deps {
			arch, err := dep.GetArch()
			Expect(err).NotTo(HaveOccurred())
			out = append(out, dep.ID+"/"+arch)
		}
		return out
	}

	it("takes the lifecycle's target architecture first, then BP_ARCH", func() {
		t.Setenv("BP_ARCH", "arm64")
		Expect(target.Arch(libcnb.TargetInfo{OS: "linux", Arch: "amd64"})).To(Equal("amd64"))
		Expect(target.Arch(libcnb.TargetInfo{})).To(Equal("arm64"))
	})

	it("keeps the dependencies of the architecture, and arch-independent Debian packages for every one", func() {
		deps := []libpak.BuildModuleDependency{deb("git", "amd64"), deb("git", "arm64"), deb("mercurial-common", "all")}
		kept, err := target.Dependencies(deps, "arm64")
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(kept)).To(Equal([]string{"git/arm64", "mercurial-common/all"}))
		kept, err = target.Dependencies(deps, "amd64")
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(kept)).To(Equal([]string{"git/amd64", "mercurial-common/all"}))
	})

	it("reads the arch field before the purl, as libpak does", func() {
		dep := deb("git", "amd64")
		dep.Arch = "arm64"
		kept, err := target.Dependencies([]libpak.BuildModuleDependency{dep}, "arm64")
		Expect(err).NotTo(HaveOccurred())
		Expect(kept).To(HaveLen(1))
	})

	it("lists the architectures a dependency is pinned for, without all", func() {
		deps := []libpak.BuildModuleDependency{deb("git", "arm64"), deb("git", "amd64"), deb("git", "all"), deb("hg", "s390x")}
		Expect(target.Arches(deps, "git", "")).To(Equal([]string{"amd64", "arm64"}))
		Expect(target.Arches(deps, "git", "2.0")).To(BeEmpty())
	})

	it("knows Debian's library folders", func() {
		Expect(target.DebianMultiarch("amd64")).To(Equal("x86_64-linux-gnu"))
		Expect(target.DebianMultiarch("arm64")).To(Equal("aarch64-linux-gnu"))
	})
}

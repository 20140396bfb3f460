package golang_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
)

func testArch(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	// toolchain is a buildpack.toml entry as tools write them: the
	// architecture only in the module name and the purl.
	toolchain := func(version, arch string) libpak.BuildModuleDependency {
		module := "v0.0.1-go" + version + ".linux-" + arch
		return libpak.BuildModuleDependency{
			ID: "go", Name: "Go", Version: version,
			URI:      "/golang.org/toolchain/@v/" + module + ".zip",
			Checksum: libpak.Checksum("sha256:" + version + arch),
			PURLS:    []string{"pkg:golang/golang.org/toolchain@" + module + "?arch=" + arch},
		}
	}
	// 1.24.13 is pinned for amd64 alone, as a toolchain newer than the
	// buildpack's last arm64 pin would be.
	dependencies := []libpak.BuildModuleDependency{
		toolchain("1.23.12", "amd64"), toolchain("1.23.12", "arm64"),
		toolchain("1.24.13", "amd64"),
		toolchain("1.25.14", "amd64"), toolchain("1.25.14", "arm64"),
	}
	exactly := func(version string) golang.Request {
		return golang.Request{Kind: golang.Exactly, Version: version, Source: "go.mod's toolchain line", GoLine: "1.23.0", File: "go.mod"}
	}

	it("takes the toolchain pinned for the build's architecture", func() {
		for _, arch := range []string{"amd64", "arm64"} {
			picked, err := golang.ResolveFor(exactly("1.25.14"), dependencies, arch)
			Expect(err).NotTo(HaveOccurred())
			Expect(picked.URI).To(Equal("/golang.org/toolchain/@v/v0.0.1-go1.25.14.linux-" + arch + ".zip"))
			Expect(string(picked.Checksum)).To(Equal("sha256:1.25.14" + arch))
		}
	})

	it("meets a go line with the versions pinned for the architecture only", func() {
		request := golang.Request{Kind: golang.AtLeast, Version: "1.24.0", Source: "go.mod's go line", GoLine: "1.24.0", File: "go.mod"}
		picked, err := golang.ResolveFor(request, dependencies, "amd64")
		Expect(err).NotTo(HaveOccurred())
		Expect(picked.Version).To(Equal("1.24.13"))
		picked, err = golang.ResolveFor(request, dependencies, "arm64")
		Expect(err).NotTo(HaveOccurred())
		Expect(picked.Version).To(Equal("1.25.14"))
		Expect(picked.PURLS).To(ConsistOf(ContainSubstring("?arch=arm64")))
	})

	it("names both the version and the architecture when the toolchain is pinned for another one", func() {
		_, err := golang.ResolveFor(exactly("1.24.13"), dependencies, "arm64")
		var p problem.Problem
		Expect(err).To(BeAssignableToTypeOf(p))
		Expect(err.Error()).To(ContainSubstring("[Error: Go version not pinned for arm64]"))
		Expect(err.Error()).To(ContainSubstring("In go.mod:"))
		Expect(err.Error()).To(ContainSubstring("go.mod's toolchain line asks for Go 1.24.13. onbuild/go pins Go 1.24.13 for amd64 only, not for arm64, the architecture of this build."))
		Expect(err.Error()).To(ContainSubstring("For arm64 it has: 1.23.12, 1.25.14."))
		Expect(err.Error()).To(ContainSubstring("pack build --env BP_GO_VERSION=1.25.14"))
		Expect(err.Error()).To(ContainSubstring("pack build --platform linux/amd64"))
	})

	it("keeps the usual error for a version no architecture has", func() {
		_, err := golang.ResolveFor(exactly("1.24.2"), dependencies, "arm64")
		Expect(err).To(MatchError(ContainSubstring("[Error: Go version not available]")))
		Expect(err).To(MatchError(ContainSubstring("onbuild/go can install only these versions:\n  1.23.12, 1.25.14")))
	})

	it("says which architectures it has toolchains for when it has none for this one", func() {
		_, err := golang.ResolveFor(exactly("1.25.14"), dependencies, "riscv64")
		Expect(err).To(MatchError(ContainSubstring("[Error: No Go toolchain for riscv64]")))
		Expect(err).To(MatchError(ContainSubstring("It has toolchains for: amd64, arm64.")))
	})

	it("counts a toolchain whose purl names no architecture as the system's, as libpak does", func() {
		plain := toolchain("1.25.14", "amd64")
		plain.PURLS = []string{"pkg:golang/golang.org/toolchain@v0.0.1-go1.25.14"}
		t.Setenv("BP_ARCH", "arm64")
		picked, err := golang.ResolveFor(exactly("1.25.14"), []libpak.BuildModuleDependency{plain}, "arm64")
		Expect(err).NotTo(HaveOccurred())
		Expect(picked.Version).To(Equal("1.25.14"))
	})
}

package vcs_test

import (
	"testing"

	"github.com/BurntSushi/toml"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/vcs"
)

// testToolPackagesArch: one buildpack.toml pins each tool's packages for
// every architecture, under the same ids; a build takes its own.
func testToolPackagesArch(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	const trixie = "io.onbuild.stacks.trixie"
	metadata := func(text string) (map[string]interface{}, []libpak.BuildModuleDependency) {
		var raw map[string]interface{}
		_, err := toml.Decode(text, &raw)
		Expect(err).NotTo(HaveOccurred())
		md, err := libpak.NewBuildModuleMetadata(raw["metadata"].(map[string]interface{}))
		Expect(err).NotTo(HaveOccurred())
		return raw["metadata"].(map[string]interface{}), md.Dependencies
	}
	dep := func(id, arch string) string {
		return `
[[metadata.dependencies]]
  id = "` + id + `"
  version = "1.0"
  uri = "pool/main/x/` + id + `_1.0_` + arch + `.deb"
  checksum = "sha256:` + id + arch + `"
  purls = ["pkg:deb/debian/` + id + `@1.0?arch=` + arch + `"]
  stacks = ["` + trixie + `"]
`
	}
	tools := `
[metadata.tools."` + trixie + `"]
  git = ["git"]
  hg = ["mercurial", "mercurial-common"]
`

	it("takes each package of the build's architecture, and arch all ones for both", func() {
		raw, deps := metadata(tools + dep("git", "amd64") + dep("git", "arm64") + dep("mercurial", "amd64") + dep("mercurial", "arm64") + dep("mercurial-common", "all"))
		for _, arch := range []string{"amd64", "arm64"} {
			packages, err := vcs.ToolPackages(raw, deps, trixie, arch)
			Expect(err).NotTo(HaveOccurred())
			Expect(packages["git"][0].URI).To(Equal("pool/main/x/git_1.0_"+arch+".deb"), arch)
			Expect(packages["hg"][0].URI).To(Equal("pool/main/x/mercurial_1.0_"+arch+".deb"), arch)
			Expect(packages["hg"][1].URI).To(Equal("pool/main/x/mercurial-common_1.0_all.deb"), arch)
		}
	})

	it("says which architectures have the package when the build's has none", func() {
		raw, deps := metadata(tools + dep("git", "amd64") + dep("mercurial", "amd64") + dep("mercurial-common", "all"))
		_, err := vcs.ToolPackages(raw, deps, trixie, "arm64")
		Expect(err).To(MatchError(ContainSubstring("[Error: No git package for arm64]")))
		Expect(err).To(MatchError(ContainSubstring("onbuild/vcs pins git for git on amd64 only; this build is for arm64.")))
		Expect(err).To(MatchError(ContainSubstring("pack build --platform linux/amd64")))
	})
}

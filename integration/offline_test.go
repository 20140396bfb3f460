package integration_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// offlineBuilder is what `make builder OFFLINE=1` makes of the builder
// under test: buildpacks that carry their git/hg .debs and Go toolchains.
var offlineBuilder = func() string { return offlineImage(builder) }

// testOffline builds on the offline builder with every download source
// closed: the Debian mirror and the Go proxy point at a port nothing
// listens on, so whatever the buildpacks install comes from themselves.
func testOffline(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it.Before(func() {
		script := exec.Command(filepath.Join("..", "builder", "builder.sh"))
		script.Env = append(os.Environ(), "OFFLINE=1", "STACK="+flavour.name, "ONBUILD_BUILDER="+builder)
		start := time.Now()
		out, err := script.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		t.Logf("OFFLINE=1 builder/builder.sh: %s", time.Since(start).Round(100*time.Millisecond))
	})

	it("builds a vendored Go app with no network, the toolchain from the buildpack", func() {
		a := newApp(t, "go/vendored")
		out := a.mustBuild("--builder", offlineBuilder(), "--network", "none",
			"--env", fmt.Sprintf("GOPROXY=http://127.0.0.1:%d", closedPort(t)),
			"--run-image", tinyRunImage)
		Expect(out).To(ContainSubstring("Reusing cached download from buildpack"))
		Expect(out).NotTo(ContainSubstring("Downloading from"))
		Expect(out).To(ContainSubstring("go build -trimpath -mod=vendor"))
		Expect(a.get(a.start() + "/")).To(Equal("hello from vendor"))
	})

	it("installs git+ and hg+ requirements with only the Python index and the repositories reachable", func() {
		git := newGitServer(t)
		git.publish("pkga.git", "pkga", "v1.0")
		git.publish("pkgb.git", "pkgb", "v1.0")
		hg := newHgServer(t)
		hg.publish("pkgc", "v1.0")
		hg.start()
		a := newApp(t, "vcs/app")
		a.write("requirements.txt", fmt.Sprintf("pkga @ git+%s/pkga.git@v1.0\n-e git+%s/pkgb.git@v1.0#egg=pkgb\nhg+%s/pkgc@v1.0#egg=pkgc\n", git.url, git.url, hg.url))

		out := a.mustBuild("--builder", offlineBuilder(),
			"--env", fmt.Sprintf("BP_DEBIAN_MIRROR=http://127.0.0.1:%d/debian", closedPort(t)))
		Expect(out).To(MatchRegexp(`Git 1:` + flavour.git + `\S+: Contributing to layer`))
		Expect(out).To(MatchRegexp(`Mercurial ` + flavour.hg + `\S+: Contributing to layer`))
		Expect(out).To(ContainSubstring("Reusing cached download from buildpack"))
		Expect(out).NotTo(ContainSubstring("Downloading from"))
		installed := a.installed(a.start())
		Expect(installed["pkga"].Version).To(Equal("1.0"))
		Expect(installed["pkgb"].Version).To(Equal("1.0"))
		Expect(installed["pkgc"].Version).To(Equal("1.0"))
	})
}

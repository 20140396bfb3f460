package index_test

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/builder/index"
	"github.com/onbuild-buildpacks/onbuild/tools/registry"
)

func TestUnit(t *testing.T) {
	spec.Run(t, "Index", testIndex, spec.Report(report.Terminal{}))
}

func testIndex(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		addr   string
	)

	it.Before(func() {
		srv, err := registry.Listen(registry.Options{Dir: t.TempDir()})
		Expect(err).NotTo(HaveOccurred())
		t.Cleanup(func() { _ = srv.Close() })
		addr = srv.Addr()
	})

	// push puts a one-layer image for arch at ref and returns its digest.
	push := func(ref, arch string) v1.Hash {
		image, err := random.Image(64, 1)
		Expect(err).NotTo(HaveOccurred())
		config, err := image.ConfigFile()
		Expect(err).NotTo(HaveOccurred())
		config.OS, config.Architecture = "linux", arch
		image, err = mutate.ConfigFile(image, config)
		Expect(err).NotTo(HaveOccurred())
		parsed, err := name.ParseReference(addr + "/" + ref)
		Expect(err).NotTo(HaveOccurred())
		Expect(remote.Write(parsed, image)).To(Succeed())
		digest, err := image.Digest()
		Expect(err).NotTo(HaveOccurred())
		return digest
	}

	it("lists each image under the platform of its config, and pullers get their own", func() {
		amd := push("builder:trixie-amd64", "amd64")
		arm := push("builder:trixie-arm64", "arm64")
		digest, err := index.Write(addr+"/builder:trixie", []string{addr + "/builder:trixie-arm64", addr + "/builder:trixie-amd64"})
		Expect(err).NotTo(HaveOccurred())

		Expect(index.Platforms(addr + "/builder:trixie")).To(Equal([]string{"linux/amd64", "linux/arm64"}))
		ref, err := name.ParseReference(addr + "/builder:trixie")
		Expect(err).NotTo(HaveOccurred())
		for arch, want := range map[string]v1.Hash{"amd64": amd, "arm64": arm} {
			image, err := remote.Image(ref, remote.WithPlatform(v1.Platform{OS: "linux", Architecture: arch}))
			Expect(err).NotTo(HaveOccurred())
			Expect(image.Digest()).To(Equal(want), arch)
		}

		// The same images in another order: the same index.
		again, err := index.Write(addr+"/builder:latest", []string{addr + "/builder:trixie-amd64", addr + "/builder:trixie-arm64"})
		Expect(err).NotTo(HaveOccurred())
		Expect(again).To(Equal(digest))
	})

	it("refuses two images of one platform, naming both", func() {
		push("a:1", "arm64")
		push("b:1", "arm64")
		_, err := index.Write(addr+"/c:1", []string{addr + "/a:1", addr + "/b:1"})
		Expect(err).To(MatchError(ContainSubstring(addr + "/a:1 and " + addr + "/b:1 are both for linux/arm64")))
	})

	it("names the image it cannot read", func() {
		_, err := index.Write(addr+"/c:1", []string{addr + "/missing:1"})
		Expect(err).To(MatchError(ContainSubstring("read " + addr + "/missing:1")))
	})
}

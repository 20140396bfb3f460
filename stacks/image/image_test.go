package image_test

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/onbuild-buildpacks/onbuild/stacks/image"
)

func TestImage(t *testing.T) {
	spec.Run(t, "Image", testImage, spec.Report(report.Terminal{}))
}

func testImage(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		layer  string
		s      image.Spec
	)

	it.Before(func() {
		layer = filepath.Join(t.TempDir(), "rootfs.tar")
		f, err := os.Create(layer)
		Expect(err).NotTo(HaveOccurred())
		w := tar.NewWriter(f)
		Expect(w.WriteHeader(&tar.Header{Name: "etc/os-release", Mode: 0644, Size: 5, ModTime: time.Unix(1700000000, 0)})).To(Succeed())
		_, err = w.Write([]byte("hello"))
		Expect(err).NotTo(HaveOccurred())
		Expect(w.Close()).To(Succeed())
		Expect(f.Close()).To(Succeed())
		s = image.Spec{
			Layer: layer, Created: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Architecture: "amd64",
			User: "1000:1000", Env: []string{"PATH=/usr/bin:/bin", "CNB_USER_ID=1000"},
			WorkingDir: "/home/cnb", Cmd: []string{"/bin/bash"},
			Labels:    map[string]string{"io.buildpacks.stack.id": "io.onbuild.stacks.trixie", "io.buildpacks.rebasable": "true"},
			CreatedBy: "stacks/build.sh: Debian trixie packages",
		}
	})

	it("writes the settings into the config, dated by the spec and layered by the tar's digest", func() {
		img, err := image.Build(s)
		Expect(err).NotTo(HaveOccurred())
		config, err := img.ConfigFile()
		Expect(err).NotTo(HaveOccurred())
		Expect(config.OS).To(Equal("linux"))
		Expect(config.Architecture).To(Equal("amd64"))
		Expect(config.Created.Time).To(Equal(s.Created))
		Expect(config.Config.User).To(Equal("1000:1000"))
		Expect(config.Config.Env).To(Equal(s.Env))
		Expect(config.Config.WorkingDir).To(Equal("/home/cnb"))
		Expect(config.Config.Cmd).To(Equal([]string{"/bin/bash"}))
		Expect(config.Config.Labels).To(Equal(s.Labels))
		Expect(config.History).To(HaveLen(1))
		Expect(config.History[0].CreatedBy).To(Equal(s.CreatedBy))
		Expect(config.History[0].Created.Time).To(Equal(s.Created))

		content, err := os.ReadFile(layer)
		Expect(err).NotTo(HaveOccurred())
		sum := sha256.Sum256(content)
		Expect(config.RootFS.DiffIDs).To(HaveLen(1))
		Expect(config.RootFS.DiffIDs[0].Hex).To(Equal(hex.EncodeToString(sum[:])))
	})

	it("gives the same image ID for the same inputs, and another for another label", func() {
		first, err := image.Build(s)
		Expect(err).NotTo(HaveOccurred())
		second, err := image.Build(s)
		Expect(err).NotTo(HaveOccurred())
		a, err := first.ConfigName()
		Expect(err).NotTo(HaveOccurred())
		b, err := second.ConfigName()
		Expect(err).NotTo(HaveOccurred())
		Expect(a).To(Equal(b))

		s.Labels = map[string]string{"io.buildpacks.stack.id": "io.onbuild.stacks.bookworm"}
		third, err := image.Build(s)
		Expect(err).NotTo(HaveOccurred())
		c, err := third.ConfigName()
		Expect(err).NotTo(HaveOccurred())
		Expect(c).NotTo(Equal(a))
	})

	it("writes a docker load tarball under the tag with the same image ID", func() {
		img, err := image.Build(s)
		Expect(err).NotTo(HaveOccurred())
		out := filepath.Join(t.TempDir(), "image.tar")
		Expect(image.Write(out, "onbuild/stack-build:trixie", img)).To(Succeed())

		tag, err := name.NewTag("onbuild/stack-build:trixie")
		Expect(err).NotTo(HaveOccurred())
		loaded, err := tarball.ImageFromPath(out, &tag)
		Expect(err).NotTo(HaveOccurred())
		want, err := img.ConfigName()
		Expect(err).NotTo(HaveOccurred())
		Expect(loaded.ConfigName()).To(Equal(want))
	})

	it("names what a spec lacks and a bad environment entry", func() {
		_, err := image.Build(image.Spec{})
		Expect(err).To(MatchError("stack image spec lacks the layer and the creation time and the architecture"))
		s.Env = []string{"PATH"}
		_, err = image.Build(s)
		Expect(err).To(MatchError(`environment entry "PATH" is not NAME=VALUE`))
		s.Env = nil
		s.Layer = filepath.Join(t.TempDir(), "missing.tar")
		_, err = image.Build(s)
		Expect(err).To(MatchError(ContainSubstring("unable to read the layer")))
	})

	it("parses NAME=VALUE pairs, keeping = in values", func() {
		pairs, err := image.ParsePairs([]string{"a=1", "b=x=y", "a=2"})
		Expect(err).NotTo(HaveOccurred())
		Expect(pairs).To(Equal(map[string]string{"a": "2", "b": "x=y"}))
		_, err = image.ParsePairs([]string{"=1"})
		Expect(err).To(MatchError(`"=1" is not NAME=VALUE`))
	})
}

package runimage_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/runimage"
)

func testRunImage(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.GenerateContext
		output   *bytes.Buffer
		generate func() (libcnb.GenerateResult, error)
	)

	it.Before(func() {
		// The real descriptor, so its configuration list is what is tested.
		_, err := toml.DecodeFile(filepath.Join("..", "..", "buildpacks", "run-image", "extension.toml"), &ctx.Extension)
		Expect(err).NotTo(HaveOccurred())
		ctx.ApplicationPath = t.TempDir()
		ctx.OutputDirectory = t.TempDir()
		output = &bytes.Buffer{}
		generate = func() (libcnb.GenerateResult, error) {
			return runimage.Generator{Logger: log.NewPaketoLogger(output)}.Generate(ctx)
		}
	})

	it("writes a run.Dockerfile that only switches to the configured image", func() {
		t.Setenv(runimage.TinySetting, "127.0.0.1:5111/onbuild/stack-run-tiny:bookworm")
		result, err := generate()
		Expect(err).NotTo(HaveOccurred())
		Expect(string(result.RunDockerfile)).To(Equal("FROM 127.0.0.1:5111/onbuild/stack-run-tiny:bookworm\n"))
		Expect(result.BuildDockerfile).To(BeEmpty())
		Expect(result.Config).To(BeNil())
		Expect(output.String()).To(ContainSubstring("onbuild run image 0.1.0"))
		Expect(output.String()).To(ContainSubstring("Run image: 127.0.0.1:5111/onbuild/stack-run-tiny:bookworm"))
	})

	it("accepts a digest reference and trims the value", func() {
		t.Setenv(runimage.TinySetting, " 127.0.0.1:5111/onbuild/stack-run-tiny@sha256:"+string(bytes.Repeat([]byte("a"), 64))+"\n")
		result, err := generate()
		Expect(err).NotTo(HaveOccurred())
		Expect(string(result.RunDockerfile)).To(HavePrefix("FROM 127.0.0.1:5111/onbuild/stack-run-tiny@sha256:aaaa"))
	})

	it("fails with the fixes when the builder set no image", func() {
		_, err := generate()
		Expect(err).To(MatchError(ContainSubstring("[Error: No run image for Go apps]")))
		Expect(err).To(MatchError(ContainSubstring("make builder-registry")))
		Expect(err).To(MatchError(ContainSubstring("--env BP_RUN_IMAGE_TINY=")))
	})

	it("refuses a value that would not be one FROM line", func() {
		for _, bad := range []string{"onbuild/stack-run-tiny:bookworm\nRUN rm -rf /", "tiny image", "-tiny"} {
			t.Setenv(runimage.TinySetting, bad)
			_, err := generate()
			Expect(err).To(MatchError(ContainSubstring("[Error: Bad run image name]")), bad)
		}
	})
}

package hooks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testAppDir(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	it("finds and runs the hooks of the app folder BP_APP_DIR names, from that folder", func() {
		var ctx libcnb.BuildContext
		ctx.ApplicationPath = t.TempDir()
		ctx.Layers = libcnb.Layers{Path: t.TempDir()}
		ctx.Buildpack.Info = libcnb.BuildpackInfo{ID: "onbuild/pre-build-hook", Name: "onbuild pre-build hook", Version: "0.1.0"}
		ctx.Buildpack.Metadata = fake.Metadata(t, "pre-build-hook")
		fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/pre-build", "#!/bin/sh\nexit 1\n", 0755)
		fake.WriteFile(t, ctx.ApplicationPath, "services/web/.cnb/action_hooks/pre-build", "#!/bin/sh\npwd > ran\n", 0755)
		output := &bytes.Buffer{}
		b := hooks.HookBuild{Logger: log.NewPaketoLogger(output), Environ: []string{"PATH=/usr/bin:/bin", "BP_APP_DIR=services/web"}}

		_, err := b.PreBuild(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())
		ran, err := os.ReadFile(filepath.Join(ctx.ApplicationPath, "services", "web", "ran"))
		Expect(err).NotTo(HaveOccurred())
		real, _ := filepath.EvalSymlinks(filepath.Join(ctx.ApplicationPath, "services", "web"))
		Expect(strings.TrimSpace(string(ran))).To(Equal(real))

		b.Environ = []string{"PATH=/usr/bin:/bin", "BP_APP_DIR=../outside"}
		_, err = b.PreBuild(ctx)
		Expect(err).To(MatchError(ContainSubstring("App folder outside the upload")))
	})
}

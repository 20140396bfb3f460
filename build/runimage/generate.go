package runimage

import (
	"fmt"
	"os"
	"regexp"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// RunImageTinyConfig names the tiny run image the onbuild/run-image
// extension switches Go apps to. The builder sets it ([[build.env]]) to the
// registry name it was created with; `pack build --env` overrides it.
const RunImageTinyConfig = "BP_RUN_IMAGE_TINY"

// RunImage is the generate step of the onbuild/run-image extension, which
// detects only Go apps (detect.RunImage): a run.Dockerfile with nothing but
// FROM, which the lifecycle reads as "switch the run image". Only an image
// extension can pick the run image per app; a buildpack cannot.
func Generate(ctx libcnb.GenerateContext) (libcnb.GenerateResult, error) {
	return Generator{Logger: log.NewPaketoLogger(os.Stdout)}.Generate(ctx)
}

// Generator carries the logger, so tests can read the output.
type Generator struct {
	Logger log.Logger
}

func (g Generator) Generate(ctx libcnb.GenerateContext) (libcnb.GenerateResult, error) {
	g.Logger.Title(ctx.Extension.Info.Name, ctx.Extension.Info.Version, ctx.Extension.Info.Homepage)
	result := libcnb.NewGenerateResult()

	metadata, err := libpak.NewBuildModuleMetadata(ctx.Extension.Metadata)
	if err != nil {
		return result, fmt.Errorf("unable to read extension metadata\n%w", err)
	}
	config, err := libpak.NewConfigurationResolver(metadata)
	if err != nil {
		return result, fmt.Errorf("unable to create configuration resolver\n%w", err)
	}
	image, _ := config.ResolveAndTrim(RunImageTinyConfig)
	if err := checkRunImage(image); err != nil {
		return result, err
	}
	g.Logger.Bodyf("Run image: %s (a Go app's static binaries need no shell and no libc)", image)
	result.RunDockerfile = []byte("FROM " + image + "\n")
	return result, nil
}

// imageReference is loose on purpose: the lifecycle parses the reference
// itself; this keeps the run.Dockerfile one FROM line.
var imageReference = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$`)

// checkRunImage refuses what would not make a one-line run.Dockerfile that
// the lifecycle and pack can pull.
func checkRunImage(image string) error {
	fixes := []string{
		"Create the builder with `make builder-registry`, which sets " + RunImageTinyConfig + " to its registry's tiny run image.",
		"Pass it to the build: pack build --env " + RunImageTinyConfig + "=127.0.0.1:PORT/onbuild/stack-run-tiny:bookworm",
	}
	if image == "" {
		return problem.Problem{
			Title: "No run image for Go apps",
			Cause: "This Go app belongs on onbuild's tiny run image, but " + RunImageTinyConfig + " is not set: the builder was created without a registry to pull it from.",
			Fixes: fixes,
		}
	}
	if !imageReference.MatchString(image) {
		return problem.Problem{
			Title: "Bad run image name",
			Cause: fmt.Sprintf("%s=%q is not an image reference such as 127.0.0.1:5111/onbuild/stack-run-tiny:bookworm.", RunImageTinyConfig, image),
			Fixes: fixes[1:],
		}
	}
	return nil
}

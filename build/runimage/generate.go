package runimage

import (
	"fmt"
	"os"
	"regexp"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

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

	reader, err := settings.New(ctx.Extension.Metadata, os.Environ())
	if err != nil {
		return result, err
	}
	image := reader.String(TinySetting)
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
		"Create the builder with `make builder-registry`, which sets " + TinySetting + " to its registry's tiny run image.",
		"Pass it to the build: pack build --env " + TinySetting + "=127.0.0.1:PORT/onbuild/stack-run-tiny:trixie",
	}
	if image == "" {
		return problem.Problem{
			Title: "No run image for Go apps",
			Cause: "This Go app belongs on onbuild's tiny run image, but " + TinySetting + " is not set: the builder was created without a registry to pull it from.",
			Fixes: fixes,
		}
	}
	if !imageReference.MatchString(image) {
		return problem.Problem{
			Title: "Bad run image name",
			Cause: fmt.Sprintf("%s=%q is not an image reference such as 127.0.0.1:5111/onbuild/stack-run-tiny:trixie.", TinySetting, image),
			Fixes: fixes[1:],
		}
	}
	return nil
}

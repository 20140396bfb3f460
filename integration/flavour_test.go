package integration_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// stackFlavour is what the suite expects of a stack flavour's images and
// pinned packages (stacks/build.sh, buildpacks/vcs/buildpack.toml).
type stackFlavour struct {
	name   string
	debian string // io.buildpacks.base.distro.version
	python string // the stack's python3, major.minor
	git    string // regexp of the pinned git's upstream version
	hg     string // regexp of the pinned mercurial's version
}

var flavours = map[string]stackFlavour{
	"trixie":   {name: "trixie", debian: "13", python: "3.13", git: `2\.47\.`, hg: `7\.0\.`},
	"bookworm": {name: "bookworm", debian: "12", python: "3.11", git: `2\.39\.`, hg: `6\.3\.`},
}

// image is the local stack image NAME (build, run-python, run-tiny).
func (f stackFlavour) image(name string) string { return "onbuild/stack-" + name + ":" + f.name }

func (f stackFlavour) stackID() string { return "io.onbuild.stacks." + f.name }

var (
	// builder is the builder under test: ONBUILD_BUILDER, default
	// onbuild/builder; its stack id names the flavour.
	builder = envOr("ONBUILD_BUILDER", "onbuild/builder")
	// bookwormBuilder is the bookworm flavour's builder, which the Flavours
	// specs build on: ONBUILD_BOOKWORM_BUILDER, default onbuild/builder:bookworm.
	bookwormBuilder = envOr("ONBUILD_BOOKWORM_BUILDER", "onbuild/builder:bookworm")

	flavour                                           stackFlavour
	buildImage, pythonRunImage, tinyRunImage, stackID string
)

func envOr(name, value string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return value
}

// builderFlavour reads a builder's stack id and returns its flavour.
func builderFlavour(image string) (stackFlavour, error) {
	out, err := exec.Command("docker", "image", "inspect", "-f", `{{index .Config.Labels "io.buildpacks.stack.id"}}`, image).CombinedOutput()
	if err != nil {
		return stackFlavour{}, fmt.Errorf("the builder image %s is missing (run `make builder`): %v\n%s", image, err, out)
	}
	id := strings.TrimSpace(string(out))
	f, ok := flavours[strings.TrimPrefix(id, "io.onbuild.stacks.")]
	if !ok {
		return stackFlavour{}, fmt.Errorf("the builder %s has the stack id %q, which is no onbuild stack flavour", image, id)
	}
	return f, nil
}

// useFlavour points the suite's stack image names at f's.
func useFlavour(f stackFlavour) {
	flavour = f
	buildImage, pythonRunImage, tinyRunImage, stackID = f.image("build"), f.image("run-python"), f.image("run-tiny"), f.stackID()
}

// offlineImage is builder/builder.sh's name for IMAGE's offline builder:
// the repository with -offline, the tag kept.
func offlineImage(image string) string {
	repo, tag := image, ""
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i:]
	}
	return repo + "-offline" + tag
}

package python

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/build/python/pyversion"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// flavours are the stacks onbuild builds and the Python minor each one
// has, so that a mismatch names the builder that has what the app asks
// for.
var flavours = map[string]string{"trixie": "3.13", "bookworm": "3.11"}

// debianReleases maps Debian's version numbers, which the lifecycle reads
// from the build image's os-release, to the flavour names.
var debianReleases = map[string]string{"13": "trixie", "12": "bookworm"}

// choosePython decides, before pip runs, which Python the venv is made
// from: the stack's python3 when the app's declaration allows it (key
// holds its version), else a pinned python-build-standalone build in the
// python layer, whose versions then replace the stack's in key. It returns
// the interpreter to run and, for a download, its layer.
func (b Builder) choosePython(ctx libcnb.BuildContext, reader settings.Reader, override string, key *VenvKey) (string, *libcnb.Layer, error) {
	metadata, err := libpak.NewBuildModuleMetadata(ctx.Buildpack.Metadata)
	if err != nil {
		return "", nil, fmt.Errorf("unable to read buildpack metadata\n%w", err)
	}
	arch := ctx.TargetInfo.Arch
	if arch == "" {
		arch = runtime.GOARCH
	}
	interpreters := Interpreters(metadata.Dependencies, arch)
	stack := pyversion.Stack{Version: key.Python, Flavour: flavour(ctx), Flavours: flavours}
	decl, found, err := pyversion.Read(ctx.ApplicationPath, override)
	if err != nil {
		return "", nil, err
	}
	choice, err := pyversion.Choose(decl, found, stack, InterpreterVersions(interpreters))
	if err != nil {
		return "", nil, err
	}
	b.Logger.Header(choice.Message)
	if choice.Note != "" {
		b.Logger.Body(choice.Note)
	}
	if !choice.Downloaded {
		return "python3", nil, nil
	}

	cache, err := libpak.NewDependencyCache(ctx.Buildpack.Info.ID, ctx.Buildpack.Info.Version, ctx.Buildpack.Path, ctx.Platform.Bindings, b.Logger)
	if err != nil {
		return "", nil, fmt.Errorf("unable to create dependency cache\n%w", err)
	}
	layer, err := ctx.Layers.Layer(InterpreterLayer.Name)
	if err != nil {
		return "", nil, fmt.Errorf("unable to create %s layer\n%w", InterpreterLayer.Name, err)
	}
	interpreter := Interpreter{
		Dependency: interpreters[choice.Version], Arch: arch, Proxy: network.FirstProxy(reader.String(GoProxySetting)),
		Cache: cache, Executor: b.Executor, Logger: b.Logger, Env: b.Environ,
	}
	if err := interpreter.Contribute(&layer); err != nil {
		return "", nil, err
	}
	b.Logger.Bodyf("%s", color.YellowString("Python %s is in the image's python layer: pack rebase does not update it; rebuild the app to get a newer pin's fixes", choice.Version))
	python := interpreter.Python(layer)
	versions, err := b.output(python, "-c", versionProbe)
	if err != nil {
		return "", nil, fmt.Errorf("unable to run Python %s from the python layer\n%w", choice.Version, err)
	}
	fields := strings.Fields(versions)
	if len(fields) != 2 {
		return "", nil, fmt.Errorf("unexpected answer from Python %s about its versions: %q", choice.Version, versions)
	}
	key.Python, key.Pip = fields[0], fields[1]
	// Venvs stopped carrying setuptools in 3.12; the stack's setuptools
	// wheel is seeded only where a venv used to have it.
	if v, err := pyversion.ParseVersion(key.Python); err == nil && v.Compare(pyversion.Version{3, 12}) >= 0 {
		key.Seed = nil
	}
	return python, &layer, nil
}

// flavour names the stack the build runs on: from the target distribution
// (buildpack API 0.10), else from the stack id io.onbuild.stacks.<flavour>.
func flavour(ctx libcnb.BuildContext) string {
	if name, ok := debianReleases[strings.SplitN(ctx.TargetDistro.Version, ".", 2)[0]]; ok && ctx.TargetDistro.Name == "debian" {
		return name
	}
	if name, ok := strings.CutPrefix(ctx.StackID, "io.onbuild.stacks."); ok {
		return name
	}
	return ""
}

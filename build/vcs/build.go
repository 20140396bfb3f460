package vcs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/onbuild-buildpacks/onbuild/internal/target"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// VCS is the onbuild/vcs build: the git and hg the plan asks for, from
// pinned Debian packages into build-only cached layers, and the credential
// bindings git, pip and go use with them.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{
		Logger:   log.NewPaketoLogger(os.Stdout),
		Executor: effect.CommandExecutor{},
		Environ:  os.Environ(),
	}.Build(ctx)
}

// Builder carries what VCS needs from the outside, so tests can fake it.
type Builder struct {
	Logger   log.Logger
	Executor effect.Executor
	Environ  []string
}

// vcsTool is what differs between the tools: the plan entry (also the
// layer name), the name in the log, the Debian package whose version the
// log shows, and how later build steps find the tool.
type vcsTool struct {
	entry string
	title string
	main  string
	setup func(layer *libcnb.Layer, arch string) error
}

// vcsTools in the order they are installed.
var vcsTools = []vcsTool{
	{entry: detect.Git, title: "Git", main: "git", setup: gitSetup},
	{entry: detect.Hg, title: "Mercurial", main: "mercurial", setup: hgSetup},
}

func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()

	metadata, err := libpak.NewBuildModuleMetadata(ctx.Buildpack.Metadata)
	if err != nil {
		return result, fmt.Errorf("unable to read buildpack metadata\n%w", err)
	}
	arch := target.Arch(ctx.TargetInfo)
	packages, err := ToolPackages(ctx.Buildpack.Metadata, metadata.Dependencies, ctx.StackID, arch)
	if err != nil {
		return result, err
	}
	cache, err := libpak.NewDependencyCache(ctx.Buildpack.Info.ID, ctx.Buildpack.Info.Version, ctx.Buildpack.Path, ctx.Platform.Bindings, b.Logger)
	if err != nil {
		return result, fmt.Errorf("unable to create the dependency cache\n%w", err)
	}
	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return result, err
	}
	mirror := ReadSettings(reader).DebianMirror

	for _, tool := range plannedTools(ctx.Plan) {
		layer, err := ctx.Layers.Layer(tool.entry)
		if err != nil {
			return result, fmt.Errorf("unable to create %s layer\n%w", tool.entry, err)
		}
		pkgs := packages[tool.entry]
		contributor := DebianTool{
			Title:    fmt.Sprintf("%s %s", tool.title, pkgs[0].Version),
			Packages: pkgs, Mirror: mirror, Cache: cache, Executor: b.Executor, Logger: b.Logger,
		}
		if err := contributor.Contribute(&layer); err != nil {
			return result, err
		}
		if err := tool.setup(&layer, arch); err != nil {
			return result, err
		}
		result.Layers = append(result.Layers, layer)
	}

	credentials, err := b.credentialsLayer(ctx)
	if err != nil {
		return result, err
	}
	if credentials != nil {
		result.Layers = append(result.Layers, *credentials)
	}
	return result, nil
}

// plannedTools are the tools another buildpack required.
func plannedTools(plan libcnb.BuildpackPlan) []vcsTool {
	var tools []vcsTool
	for _, tool := range vcsTools {
		for _, entry := range plan.Entries {
			if entry.Name == tool.entry {
				tools = append(tools, tool)
				break
			}
		}
	}
	return tools
}

// ToolPackages reads buildpack.toml's [metadata.tools."STACK ID"] (tool
// name -> Debian package ids) and returns each tool's dependencies for that
// stack and architecture, its main package first. Each stack flavour is a
// Debian release with its own packages: a dependency counts when its stacks
// name stackID and its purl names arch (or "all").
func ToolPackages(raw map[string]interface{}, dependencies []libpak.BuildModuleDependency, stackID, arch string) (map[string][]libpak.BuildModuleDependency, error) {
	var metadata struct {
		Tools map[string]map[string][]string `toml:"tools"`
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(raw); err != nil {
		return nil, fmt.Errorf("unable to encode buildpack metadata\n%w", err)
	}
	if _, err := toml.Decode(buf.String(), &metadata); err != nil {
		return nil, fmt.Errorf("unable to decode [metadata.tools] of buildpack.toml\n%w", err)
	}
	tools, ok := metadata.Tools[stackID]
	if !ok {
		return nil, fmt.Errorf("buildpack.toml has no [metadata.tools.%q]: onbuild/vcs has no Debian packages for the stack %q", stackID, stackID)
	}
	pinned, err := target.Dependencies(dependencies, arch)
	if err != nil {
		return nil, err
	}
	byID := map[string]libpak.BuildModuleDependency{}
	for _, dependency := range pinned {
		for _, stack := range dependency.Stacks {
			if stack == stackID {
				byID[dependency.ID] = dependency
			}
		}
	}
	packages := map[string][]libpak.BuildModuleDependency{}
	for _, tool := range vcsTools {
		ids := tools[tool.entry]
		if len(ids) == 0 {
			return nil, fmt.Errorf("buildpack.toml lists no Debian packages for %s in [metadata.tools.%q]", tool.entry, stackID)
		}
		for _, id := range ids {
			dependency, ok := byID[id]
			if !ok {
				return nil, missingPackageError(id, tool.entry, stackID, arch, dependencies)
			}
			if id == tool.main {
				packages[tool.entry] = append([]libpak.BuildModuleDependency{dependency}, packages[tool.entry]...)
			} else {
				packages[tool.entry] = append(packages[tool.entry], dependency)
			}
		}
		if packages[tool.entry][0].ID != tool.main {
			return nil, fmt.Errorf("buildpack.toml lists no %s package for %s in [metadata.tools.%q]", tool.main, tool.entry, stackID)
		}
	}
	return packages, nil
}

// missingPackageError says which architectures do have a package that the
// stack's tool list names but no dependency of this architecture pins.
func missingPackageError(id, tool, stackID, arch string, dependencies []libpak.BuildModuleDependency) error {
	var stackDeps []libpak.BuildModuleDependency
	for _, dependency := range dependencies {
		for _, stack := range dependency.Stacks {
			if stack == stackID {
				stackDeps = append(stackDeps, dependency)
			}
		}
	}
	if arches := target.Arches(stackDeps, id, ""); len(arches) > 0 {
		return problem.Problem{
			Title: fmt.Sprintf("No %s package for %s", tool, arch),
			Cause: fmt.Sprintf("onbuild/vcs pins %s for %s on %s only; this build is for %s.", id, tool, strings.Join(arches, ", "), arch),
			Fixes: []string{
				"Use an onbuild/vcs whose buildpack.toml pins the " + arch + " packages (tools/vcs-packages.sh resolves them).",
				fmt.Sprintf("Build for %s instead: pack build --platform linux/%s", arches[0], arches[0]),
			},
		}
	}
	return fmt.Errorf("buildpack.toml lists %s for %s on %s, but has no [[metadata.dependencies]] with that id and stack", id, tool, stackID)
}

// gitSetup points later build steps at the extracted git. Debian's git
// finds its helpers (git-remote-http) and templates under /usr unless told
// otherwise; its libraries are those the build image lacks, so they shadow
// nothing.
func gitSetup(layer *libcnb.Layer, arch string) error {
	usr := filepath.Join(layer.Path, "usr")
	layer.BuildEnvironment.Prepend("PATH", string(os.PathListSeparator), filepath.Join(usr, "bin"))
	layer.BuildEnvironment.Prepend("LD_LIBRARY_PATH", string(os.PathListSeparator), filepath.Join(usr, "lib", target.DebianMultiarch(arch)))
	layer.BuildEnvironment.Override("GIT_EXEC_PATH", filepath.Join(usr, "lib", "git-core"))
	layer.BuildEnvironment.Override("GIT_TEMPLATE_DIR", filepath.Join(usr, "share", "git-core", "templates"))
	return nil
}

// hgSetup puts an hg wrapper first on PATH. Mercurial is Python modules run
// by the stack's python3; their PYTHONPATH is set for hg alone, since in the
// build's environment they would leak into the app's virtualenv (and a
// `mercurial` requirement would look installed when it is not).
func hgSetup(layer *libcnb.Layer, _ string) error {
	bin := filepath.Join(layer.Path, "bin")
	if err := os.MkdirAll(bin, 0755); err != nil {
		return fmt.Errorf("unable to create %s\n%w", bin, err)
	}
	script := fmt.Sprintf("#!/bin/sh\nPYTHONPATH=%s${PYTHONPATH:+:$PYTHONPATH}\nexport PYTHONPATH\nexec %s \"$@\"\n",
		credentials.ShellQuote(filepath.Join(layer.Path, "usr", "lib", "python3", "dist-packages")),
		credentials.ShellQuote(filepath.Join(layer.Path, "usr", "bin", "hg")))
	if err := os.WriteFile(filepath.Join(bin, "hg"), []byte(script), 0755); err != nil {
		return fmt.Errorf("unable to write the hg wrapper\n%w", err)
	}
	layer.BuildEnvironment.Prepend("PATH", string(os.PathListSeparator), bin)
	return nil
}

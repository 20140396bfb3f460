package golang

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/layer"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/onbuild-buildpacks/onbuild/internal/target"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// Go is the onbuild/go build: the toolchain go.mod asks for, cached module
// and build caches, static binaries in a launch layer, one process each.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{
		Logger:   log.NewPaketoLogger(os.Stdout),
		Executor: effect.CommandExecutor{},
		Environ:  os.Environ(),
	}.Build(ctx)
}

// Builder carries what the Go build needs from the outside, so tests can
// fake the commands and the environment.
type Builder struct {
	Logger   log.Logger
	Executor effect.Executor
	Environ  []string
}

// goPlan is what the build decided before touching any layer: every check
// that can fail on the app's files or settings runs first, so a mistake
// costs no download.
type goPlan struct {
	project    Project
	dependency libpak.BuildModuleDependency
	targets    []Target
	flags      []string
	settings   Settings
	// modules is a digest of go.mod, go.sum, go.work and go.work.sum: when
	// it changes, modules may have fallen out of use.
	modules string
}

func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()

	metadata, err := libpak.NewBuildModuleMetadata(ctx.Buildpack.Metadata)
	if err != nil {
		return result, fmt.Errorf("unable to read buildpack metadata\n%w", err)
	}
	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return result, err
	}
	mono, err := ReadMonorepo(ctx.ApplicationPath, reader)
	if err != nil {
		return result, err
	}
	ctx.ApplicationPath = mono.App.Dir
	plan, err := b.plan(mono, metadata, reader, target.Arch(ctx.TargetInfo))
	if err != nil {
		return result, err
	}

	environ, netrc, err := b.withCredentials(ctx.Platform.Bindings)
	if err != nil {
		return result, err
	}
	toolchainLayer, err := b.toolchain(ctx, plan.dependency, plan.settings.GoProxy, netrc)
	if err != nil {
		return result, err
	}
	modCache, err := cacheLayer(ctx.Layers, ModCacheLayer)
	if err != nil {
		return result, err
	}
	previousModules, _ := modCache.Metadata["modules"].(string)
	modCache.Metadata["modules"] = plan.modules
	buildCache, err := cacheLayer(ctx.Layers, BuildCacheLayer)
	if err != nil {
		return result, err
	}
	binaries, err := ctx.Layers.Layer(BinariesLayer.Name)
	if err != nil {
		return result, fmt.Errorf("unable to create binaries layer\n%w", err)
	}
	// Rebuilt every time: go build with a warm GOCACHE only links, and a
	// layer that is never reused cannot hold binaries of older source.
	if binaries, err = binaries.Reset(); err != nil {
		return result, fmt.Errorf("unable to reset binaries layer\n%w", err)
	}
	binaries.LayerTypes = BinariesLayer.Types
	binaries.LaunchEnvironment.Default("PORT", "8080")

	compiler := goCompiler{
		Go:       filepath.Join(toolchainLayer.Path, "bin", "go"),
		Env:      Environment(environ, filepath.Join(toolchainLayer.Path, "bin"), modCache.Path, buildCache.Path),
		AppDir:   ctx.ApplicationPath,
		Executor: b.Executor,
		Logger:   b.Logger,
	}
	// Entries the build reads get a fresh mtime from the go command, so the
	// cache can be trimmed to them after.
	buildStart := time.Now()
	if err := AgeBuildCache(buildCache.Path); err != nil {
		b.Logger.Bodyf("Go build cache: not trimmed this time: %v", err)
		buildStart = agedTime
	}
	built, err := compiler.buildAll(plan, filepath.Join(binaries.Path, "bin"))
	if err != nil {
		return result, err
	}
	for _, binary := range built {
		if err := CheckStatic(binary); err != nil {
			// cgo asked for, on a run image with libc: the binary runs
			// there, and onbuild/native-libraries adds what it links.
			var p problem.Problem
			if !errors.As(err, &p) || !plan.settings.CGO || !RunImageHasLibc(ctx.Layers.Path) {
				return result, err
			}
			b.Logger.Bodyf("%s is dynamically linked (%s=1): it runs on this run image, which has libc, and not on tiny", binary.Target.Binary, CGOSetting)
		}
	}
	if err := WriteSBOM(binaries, built); err != nil {
		return result, err
	}
	binaries.Metadata = map[string]interface{}{"go": plan.dependency.Version, "targets": len(built)}
	if mono.App.InRepo() {
		binaries.Metadata["app"] = mono.App.Rel
	}

	compiler.evictModuleCache(modCache.Path, plan, previousModules != "" && previousModules != plan.modules)
	compiler.dropModuleZips(modCache.Path)
	compiler.trimBuildCache(buildCache.Path, buildStart.Add(-time.Minute))
	compiler.evictBuildCache(buildCache.Path, plan.settings.CacheLimit)

	if result.Processes, err = Processes(built); err != nil {
		return result, err
	}
	result.Processes = mono.inApp(result.Processes)

	if err := b.removeSource(ctx, mono, plan.settings.Keep); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, toolchainLayer, modCache, buildCache, binaries)
	return result, nil
}

// plan reads the app and the settings and decides what to build.
func (b Builder) plan(mono Monorepo, metadata libpak.BuildModuleMetadata, reader settings.Reader, arch string) (goPlan, error) {
	var plan goPlan
	var err error
	appDir := mono.App.Dir
	if plan.settings, err = ReadSettings(reader); err != nil {
		return plan, err
	}
	if plan.project, err = ReadProject(appDir); err != nil {
		return plan, err
	}
	if err = mono.workspace(&plan.project); err != nil {
		return plan, err
	}
	request, err := Requested(plan.project, plan.settings.Version)
	if err != nil {
		return plan, err
	}
	if plan.dependency, err = ResolveFor(request, metadata.Dependencies, arch); err != nil {
		return plan, err
	}
	b.Logger.Headerf("%s", Explain(request, plan.dependency.Version))
	if request.Ignored != "" {
		b.Logger.Bodyf("%s", request.Ignored)
	}

	if plan.modules, err = ModuleFilesDigest(appDir); err != nil {
		return plan, err
	}
	if plan.modules, err = mono.modulesDigest(plan.modules); err != nil {
		return plan, err
	}
	if plan.targets, err = Targets(appDir, plan.settings.Targets, plan.project.Module, plan.settings.CGO); err != nil {
		return plan, err
	}
	plan.flags, err = BuildFlags(FlagsInput{
		BuildFlags: plan.settings.BuildFlags, LDFlags: plan.settings.LDFlags,
		GOFLAGS: plan.settings.GoFlags, Vendored: plan.project.Vendored,
	})
	return plan, err
}

func (b Builder) toolchain(ctx libcnb.BuildContext, dependency libpak.BuildModuleDependency, goproxy, netrc string) (libcnb.Layer, error) {
	cache, err := libpak.NewDependencyCache(ctx.Buildpack.Info.ID, ctx.Buildpack.Info.Version, ctx.Buildpack.Path, ctx.Platform.Bindings, b.Logger)
	if err != nil {
		return libcnb.Layer{}, fmt.Errorf("unable to create dependency cache\n%w", err)
	}
	layer, err := ctx.Layers.Layer(dependency.ID)
	if err != nil {
		return layer, fmt.Errorf("unable to create %s layer\n%w", dependency.ID, err)
	}
	toolchain := Toolchain{
		Dependency: dependency, Proxy: Proxy(goproxy), Netrc: netrc,
		Cache: cache, Logger: b.Logger, Env: b.Environ,
	}
	return layer, toolchain.Contribute(&layer)
}

// cacheLayer is a cache-only layer the go command manages itself; its
// content is keyed inside (module versions, action hashes), so it never
// needs invalidating, only bounding.
func cacheLayer(layers libcnb.Layers, spec layer.Spec) (libcnb.Layer, error) {
	name := spec.Name
	layer, err := layers.Layer(name)
	if err != nil {
		return layer, fmt.Errorf("unable to create %s layer\n%w", name, err)
	}
	if err := os.MkdirAll(layer.Path, 0755); err != nil {
		return layer, fmt.Errorf("unable to create %s\n%w", layer.Path, err)
	}
	layer.LayerTypes = spec.Types
	if layer.Metadata == nil {
		layer.Metadata = map[string]interface{}{}
	}
	layer.Metadata["cache"] = name
	return layer, nil
}

// removeSource empties the app directory but for BP_KEEP_FILES and the
// hook files detection listed: the build hook runs after this buildpack.
func (b Builder) removeSource(ctx libcnb.BuildContext, mono Monorepo, keep []string) error {
	for _, entry := range ctx.Plan.Entries {
		if files, ok := entry.Metadata[detect.KeepKey].([]interface{}); ok {
			for _, file := range files {
				if name, ok := file.(string); ok {
					keep = append(keep, name)
				}
			}
		}
	}
	var removed int
	var err error
	if mono.App.InRepo() {
		removed, err = mono.removeRepo(keep)
		keep = append(keep, mono.Keep...)
	} else {
		removed, err = RemoveSource(ctx.ApplicationPath, keep)
	}
	if err != nil {
		return err
	}
	if len(keep) > 0 {
		b.Logger.Headerf("Removed the source from the image (%d entries), keeping %s", removed, strings.Join(keep, ", "))
	} else {
		b.Logger.Headerf("Removed the source from the image (%d entries); %s keeps files", removed, KeepFilesSetting)
	}
	return nil
}

// Environment is the environment of the go commands: the build's, with
// the toolchain first on PATH and the cache layers as GOMODCACHE and
// GOCACHE. GOTOOLCHAIN=local stops the go command fetching another
// toolchain; CGO_ENABLED=0 (unless set) makes static binaries for tiny;
// -modcacherw leaves module folders writable, so the lifecycle and the
// eviction can delete them. GOROOT is dropped: a stray value would pair
// this go command with another standard library.
func Environment(environ []string, bin, modCache, buildCache string) []string {
	env := []string{}
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "GOROOT=") {
			env = append(env, kv)
		}
	}
	if bin != "" {
		env = envvar.Set(env, "PATH", bin+string(os.PathListSeparator)+envvar.Value(env, "PATH"))
	}
	if modCache != "" {
		env = envvar.Set(env, "GOMODCACHE", modCache)
	}
	if buildCache != "" {
		env = envvar.Set(env, "GOCACHE", buildCache)
	}
	env = envvar.Set(env, "GOTOOLCHAIN", "local")
	if envvar.Value(env, "CGO_ENABLED") == "" {
		env = envvar.Set(env, "CGO_ENABLED", "0")
	}
	if goflags := envvar.Value(env, "GOFLAGS"); !hasFlag(strings.Fields(goflags), "modcacherw") {
		env = envvar.Set(env, "GOFLAGS", strings.TrimSpace(goflags+" -modcacherw"))
	}
	return env
}

// goCompiler runs the toolchain's go command.
type goCompiler struct {
	Go       string
	Env      []string
	AppDir   string
	Executor effect.Executor
	Logger   log.Logger
}

func (c goCompiler) buildAll(plan goPlan, binDir string) ([]Binary, error) {
	if err := os.MkdirAll(binDir, 0755); err != nil {
		return nil, fmt.Errorf("unable to create %s\n%w", binDir, err)
	}
	c.Logger.Headerf("Building %d target(s): go build %s", len(plan.targets), quoteArgs(plan.flags))
	c.Logger.Bodyf("CGO_ENABLED=%s GOFLAGS=%s", envvar.Value(c.Env, "CGO_ENABLED"), envvar.Value(c.Env, "GOFLAGS"))
	var built []Binary
	for _, target := range plan.targets {
		binary := Binary{Target: target, Path: filepath.Join(binDir, target.Binary)}
		args := append(append([]string{"build", "-v"}, plan.flags...), "-o", binary.Path, target.Package)
		start := time.Now()
		output, err := c.run(args...)
		if err != nil {
			return nil, buildProblem(target, output, c.Env)
		}
		downloads, compiled := summarize(output)
		for _, line := range downloads {
			c.Logger.Bodyf("%s", network.RedactText(line))
		}
		c.Logger.Bodyf("%s → %s: compiled %s in %s", target.Package, target.Binary, packages(compiled), time.Since(start).Round(100*time.Millisecond))
		built = append(built, binary)
	}
	return built, nil
}

// quoteArgs shows arguments as a shell would need them, for the log.
func quoteArgs(args []string) string {
	quoted := make([]string, len(args))
	for i, arg := range args {
		quoted[i] = arg
		if name, value, ok := strings.Cut(arg, "="); ok && strings.ContainsAny(value, " \t'\"") {
			quoted[i] = name + "=" + strconv.Quote(value)
		}
	}
	return strings.Join(quoted, " ")
}

func (c goCompiler) run(args ...string) (string, error) {
	var output bytes.Buffer
	err := c.Executor.Execute(effect.Execution{
		Command: c.Go, Args: args, Dir: c.AppDir, Env: c.Env, Stdout: &output, Stderr: &output,
	})
	return output.String(), err
}

// summarize splits go build -v output into module downloads and the
// packages it compiled (the ones not already in GOCACHE).
func summarize(output string) (downloads, compiled []string) {
	for _, line := range strings.Split(output, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "go: downloading "):
			downloads = append(downloads, strings.TrimPrefix(line, "go: "))
		case !strings.ContainsAny(line, " :"):
			compiled = append(compiled, line)
		}
	}
	return downloads, compiled
}

// packages reads as "3 packages (a, b, c)" when few, "185 packages" when
// many: the names show that a source change recompiled only its package.
func packages(names []string) string {
	switch {
	case len(names) == 0:
		return "nothing (all cached)"
	case len(names) == 1:
		return "1 package (" + names[0] + ")"
	case len(names) <= 5:
		return fmt.Sprintf("%d packages (%s)", len(names), strings.Join(names, ", "))
	}
	return fmt.Sprintf("%d packages", len(names))
}

// buildProblem explains a failed go build with the end of its output.
// The output is redacted first: the go command may name a GOPROXY entry
// with its user and password.
func buildProblem(target Target, output string, env []string) error {
	output = network.RedactText(output)
	if problem, ok := network.Diagnose("go build", network.Redact(Proxy(envvar.Value(env, "GOPROXY"))), output, env); ok {
		return problem
	}
	fixes := []string{fmt.Sprintf("Fix the errors above; `go build %s` reproduces them on your machine.", target.Package)}
	switch {
	case strings.Contains(output, "missing go.sum entry") || strings.Contains(output, "updates to go.mod needed"):
		fixes = append([]string{"Run `go mod tidy` and commit go.mod and go.sum."}, fixes...)
	case strings.Contains(output, "inconsistent vendoring"):
		fixes = append([]string{"Run `go mod vendor` so vendor/modules.txt matches go.mod."}, fixes...)
	case strings.Contains(output, "GOPROXY=off") || strings.Contains(output, "module lookup disabled"):
		fixes = append([]string{"The build has GOPROXY=off: vendor the modules (`go mod vendor`) or let it reach a proxy."}, fixes...)
	}
	return problem.Problem{
		Title: "go build failed",
		Cause: fmt.Sprintf("go build of %s failed:\n\n%s", target.Package, problem.LastLines(output, 30)),
		Fixes: fixes,
	}
}

func (c goCompiler) trimBuildCache(dir string, since time.Time) {
	trim, err := TrimBuildCache(dir, since)
	switch {
	case err != nil:
		c.Logger.Bodyf("Go build cache: not trimmed this time: %v", err)
	case trim.Removed > 0:
		c.Logger.Headerf("Go build cache: removed %d entries (%s) this build did not read", trim.Removed, FormatSize(trim.Before-trim.After))
	}
}

func (c goCompiler) dropModuleZips(dir string) {
	dropped, err := DropModuleZips(dir)
	switch {
	case err != nil:
		c.Logger.Bodyf("Go module cache: zips kept this time: %v", err)
	case dropped.Removed > 0:
		c.Logger.Headerf("Go module cache: removed %d module zip(s) (%s); the go command builds from the extracted modules", dropped.Removed, FormatSize(dropped.Before))
	}
}

func (c goCompiler) evictBuildCache(dir string, limit int64) {
	eviction, err := EvictBuildCache(dir, limit)
	switch {
	case err != nil:
		c.Logger.Bodyf("Go build cache: not bounded this time: %v", err)
	case eviction.Removed > 0:
		c.Logger.Headerf("Go build cache: %s, over %s=%s: removed the %d least recently used entries, now %s",
			FormatSize(eviction.Before), CacheLimitSetting, FormatSize(limit), eviction.Removed, FormatSize(eviction.After))
	default:
		c.Logger.Headerf("Go build cache: %s (limit %s)", FormatSize(eviction.Before), FormatSize(limit))
	}
}

// evictModuleCache asks the go command, offline, which modules the targets
// use, but only once the cache is over its limit or the module files
// changed since the last build: a source-only rebuild pays nothing.
func (c goCompiler) evictModuleCache(dir string, plan goPlan, modulesChanged bool) {
	limit := plan.settings.ModCacheLimit
	size, err := DirSize(dir)
	if modulesChanged && err == nil {
		c.modulesNoLongerUsed(dir, plan, size)
		return
	}
	if err != nil || size <= limit {
		c.Logger.Headerf("Go module cache: %s (limit %s)", FormatSize(size), FormatSize(limit))
		return
	}
	inUse, err := c.modulesInUse(dir, plan)
	if err != nil {
		c.Logger.Headerf("Go module cache: %s, over %s=%s, kept: unable to list the modules in use: %v", FormatSize(size), ModCacheLimitSetting, FormatSize(limit), err)
		return
	}
	eviction, err := EvictModuleCache(dir, limit, inUse)
	if err != nil {
		c.Logger.Headerf("Go module cache: eviction stopped: %v", err)
		return
	}
	c.Logger.Headerf("Go module cache: %s, over %s=%s: removed %d module versions this build does not use, now %s",
		FormatSize(eviction.Before), ModCacheLimitSetting, FormatSize(limit), eviction.Removed, FormatSize(eviction.After))
	if eviction.After > limit {
		c.Logger.Bodyf("The modules this build uses take more than the limit: raise %s to keep them cached.", ModCacheLimitSetting)
	}
}

// modulesNoLongerUsed removes the modules a go.mod change left behind,
// which every later build would otherwise restore and save for nothing.
func (c goCompiler) modulesNoLongerUsed(dir string, plan goPlan, size int64) {
	inUse, err := c.modulesInUse(dir, plan)
	if err != nil {
		c.Logger.Headerf("Go module cache: %s, kept: unable to list the modules in use: %v", FormatSize(size), err)
		return
	}
	eviction, err := EvictModuleCache(dir, 0, inUse)
	if err != nil {
		c.Logger.Headerf("Go module cache: eviction stopped: %v", err)
		return
	}
	c.Logger.Headerf("Go module cache: the module files changed: removed %d module versions this build no longer uses, now %s",
		eviction.Removed, FormatSize(eviction.After))
}

func (c goCompiler) modulesInUse(dir string, plan goPlan) (map[string]bool, error) {
	args := append([]string{"list", "-deps", "-f", "{{with .Module}}{{.Dir}}{{end}}"}, plan.flags...)
	for _, target := range plan.targets {
		args = append(args, target.Package)
	}
	offline := envvar.Set(c.Env, "GOPROXY", "off")
	var output, errors bytes.Buffer
	err := c.Executor.Execute(effect.Execution{Command: c.Go, Args: args, Dir: c.AppDir, Env: offline, Stdout: &output, Stderr: &errors})
	if err != nil {
		return nil, fmt.Errorf("%v\n%s", err, problem.LastLines(errors.String(), 5))
	}
	inUse := map[string]bool{}
	for _, line := range strings.Split(output.String(), "\n") {
		if rel, err := filepath.Rel(dir, strings.TrimSpace(line)); err == nil && !strings.HasPrefix(rel, "..") {
			inUse[filepath.ToSlash(rel)] = true
		}
	}
	return inUse, nil
}

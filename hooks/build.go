package hooks

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/onbuild-buildpacks/onbuild/hooks/deploy"
	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// PreBuildHook is onbuild/pre-build-hook's build: it runs before any language
// buildpack installs dependencies. It also reads .whiskey/user_vars, so
// those variables reach every later build step and the app.
func PreBuildHook(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return newHookBuild().PreBuild(ctx)
}

// BuildHook is onbuild/build-hook's build: it runs last, with the language's
// tools on PATH (the build layers of earlier buildpacks), and installs the
// deploy hook to run at container start.
func BuildHook(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return newHookBuild().Build(ctx)
}

func newHookBuild() HookBuild {
	return HookBuild{Logger: log.NewPaketoLogger(os.Stdout), Environ: os.Environ()}
}

// HookBuild carries what the hook buildpacks need from the outside, so
// tests can swap the environment.
type HookBuild struct {
	Logger log.Logger
	// Environ is the build environment: the platform's (pack build --env)
	// and what earlier buildpacks' build layers set.
	Environ []string
}

func (b HookBuild) PreBuild(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	var err error
	if ctx.ApplicationPath, err = b.appDir(ctx); err != nil {
		return result, err
	}
	set, config, err := b.find(ctx)
	if err != nil {
		return result, err
	}

	vars, warnings, err := invoke.ReadEnvDir(filepath.Join(ctx.ApplicationPath, UserVarsDir))
	if err != nil {
		return result, err
	}
	for _, warning := range warnings {
		b.Logger.Bodyf("%s", color.YellowString("Warning: %s (in %s)", warning, UserVarsDir))
	}
	if len(vars) > 0 {
		b.Logger.Headerf("Reading %s: %s", UserVarsDir, strings.Join(invoke.Names(vars), ", "))
		b.Logger.Bodyf("Note: %s is deprecated: write the files from a hook into $%s instead", UserVarsDir, EnvDirVariable)
	}

	if set.PreBuild != nil {
		runner := HookRunner{AppDir: ctx.ApplicationPath, Env: Environ(b.Environ, vars), Timeout: config.Timeout, Logger: b.Logger}
		exported, err := runner.Run(*set.PreBuild)
		if err != nil {
			return result, err
		}
		if vars == nil {
			vars = map[string]string{}
		}
		for name, value := range exported.Launch {
			vars[name] = value
		}
		// A build-only export keeps its name out of the image, even one
		// .whiskey/user_vars also sets.
		for name := range exported.Build {
			delete(vars, name)
		}
		return b.export(ctx, result, Exports{Launch: vars, Build: exported.Build})
	}
	return b.export(ctx, result, Exports{Launch: vars})
}

func (b HookBuild) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	var err error
	if ctx.ApplicationPath, err = b.appDir(ctx); err != nil {
		return result, err
	}
	set, config, err := b.find(ctx)
	if err != nil {
		return result, err
	}
	var exports Exports
	if set.Build != nil {
		runner := HookRunner{AppDir: ctx.ApplicationPath, Env: b.Environ, Timeout: config.Timeout, Logger: b.Logger}
		if exports, err = runner.Run(*set.Build); err != nil {
			return result, err
		}
	}
	if set.Deploy != nil {
		timeout, err := b.deployTimeout(ctx)
		if err != nil {
			return result, err
		}
		layer, err := DeployLayer{AppDir: ctx.ApplicationPath, Helper: filepath.Join(ctx.Buildpack.Path, "bin", deploy.HelperName), Timeout: timeout, Logger: b.Logger}.
			Contribute(ctx.Layers, *set.Deploy)
		if err != nil {
			return result, err
		}
		result.Layers = append(result.Layers, layer)
	}
	return b.export(ctx, result, exports)
}

func (b HookBuild) find(ctx libcnb.BuildContext) (Set, Settings, error) {
	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return Set{}, Settings{}, err
	}
	config, err := ReadSettings(reader)
	if err != nil {
		return Set{}, config, err
	}
	set, err := Find(ctx.ApplicationPath, config.Dir)
	if err != nil {
		return set, config, err
	}
	return set, config, CheckSeen(ctx.ApplicationPath, set, seenHooks(ctx.Plan), ctx.Buildpack.Info.ID)
}

// seenHooks are the hooks detection listed in this buildpack's plan.
func seenHooks(plan libcnb.BuildpackPlan) []string {
	var names []string
	for _, entry := range plan.Entries {
		list, _ := entry.Metadata[SeenKey].([]interface{})
		for _, item := range list {
			if name, ok := item.(string); ok {
				names = append(names, name)
			}
		}
	}
	return names
}

// deployTimeout is checked now, so a typo fails the build rather than
// every container start.
func (b HookBuild) deployTimeout(ctx libcnb.BuildContext) (string, error) {
	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return "", err
	}
	value := reader.String(DeployTimeoutSetting)
	_, err = invoke.ParseTimeout(DeployTimeoutSetting, value)
	return value, err
}

func (b HookBuild) export(ctx libcnb.BuildContext, result libcnb.BuildResult, exports Exports) (libcnb.BuildResult, error) {
	if len(exports.Launch) > 0 {
		layer, err := ExportLayer(ctx.Layers, exports.Launch)
		if err != nil {
			return result, err
		}
		b.Logger.Headerf("Exported to later build steps and the app (in the image): %s", strings.Join(invoke.Names(exports.Launch), ", "))
		for _, name := range invoke.Names(exports.Launch) {
			if reason, ok := LooksLikeCredential(name, exports.Launch[name]); ok {
				b.Logger.Bodyf("%s", color.YellowString("Warning: %s %s, and it goes into the image, where anyone who can pull it can read it.\n"+
					"    If only later build steps need it, write it to $%s instead: those variables never reach the image.",
					name, reason, BuildEnvDirVariable))
			}
		}
		result.Layers = append(result.Layers, layer)
	}
	if len(exports.Build) > 0 {
		layer, err := BuildExportLayer(ctx.Layers, exports.Build)
		if err != nil {
			return result, err
		}
		b.Logger.Headerf("Exported to later build steps only (not in the image): %s", strings.Join(invoke.Names(exports.Build), ", "))
		result.Layers = append(result.Layers, layer)
	}
	return result, nil
}

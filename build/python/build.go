package python

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/build/python/start"
	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// Python is the onbuild/python build: a cached virtualenv with the app's
// dependencies, a pip wheel cache, and the start command.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{
		Logger:   log.NewPaketoLogger(os.Stdout),
		Executor: effect.CommandExecutor{},
		Environ:  os.Environ(),
	}.Build(ctx)
}

// Builder carries what Python needs from the outside, so tests can fake
// the commands and the environment.
type Builder struct {
	Logger   log.Logger
	Executor effect.Executor
	Environ  []string
	// WheelsDir is where the stack keeps its bundled wheels; Debian's
	// python3-venv puts them in /usr/share/python-wheels.
	WheelsDir string
}

func (b Builder) bundledWheels() string {
	if b.WheelsDir != "" {
		return b.WheelsDir
	}
	return "/usr/share/python-wheels"
}

func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()

	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return result, err
	}
	config := ReadSettings(reader)
	mono, err := ReadMonorepo(ctx, reader)
	if err != nil {
		return result, err
	}
	ctx.ApplicationPath = mono.App.Dir

	if err := CheckEnvironment(b.Environ); err != nil {
		return result, err
	}

	pipCache, err := ctx.Layers.Layer(PipCacheLayer.Name)
	if err != nil {
		return result, fmt.Errorf("unable to create pip-cache layer\n%w", err)
	}
	pipCache.LayerTypes = PipCacheLayer.Types

	venvLayer, err := ctx.Layers.Layer(VenvLayer.Name)
	if err != nil {
		return result, fmt.Errorf("unable to create venv layer\n%w", err)
	}
	lock, err := b.findLock(mono, config.Groups)
	if err != nil {
		return result, err
	}
	key, err := b.venvKey(ctx, lock)
	if err != nil {
		return result, err
	}
	rewrite, err := mono.Key(&key)
	if err != nil {
		return result, err
	}
	python, pythonLayer, err := b.choosePython(ctx, reader, config.PythonVersion, &key)
	if err != nil {
		return result, err
	}
	if pythonLayer != nil {
		result.Layers = append(result.Layers, *pythonLayer)
	}
	env, err := b.withCredentials(ctx.Platform.Bindings, PipEnvironment(b.Environ, config.PipIndex, pipCache.Path))
	if err != nil {
		return result, err
	}
	conf, err := ReadPipConf(ctx.Platform.Bindings)
	if err != nil {
		return result, err
	}
	if conf.Path != "" {
		if configFile := config.PipResolution["PIP_CONFIG_FILE"]; configFile != "" {
			return result, bothConfigs(conf, configFile)
		}
		// Only pip's environment: the file stays where the platform
		// mounted it, and no layer's environment names it.
		env = envvar.Set(env, "PIP_CONFIG_FILE", conf.Path)
		b.Logger.Bodyf("pip reads its configuration from binding %s (%s)", conf.Name, PipBinding)
	}
	key.PipConfig = PipConfigKey(ctx.ApplicationPath, config, conf)
	deprecated := envvar.Value(env, "PIP_USE_DEPRECATED")
	env = IPIndexEnvironment(env, key.Pip)
	if now := envvar.Value(env, "PIP_USE_DEPRECATED"); now != deprecated {
		b.Logger.Bodyf("An HTTPS index at an IP address: pip checks its certificate itself (PIP_USE_DEPRECATED=%s), as truststore cannot", now)
	}
	venv := Venv{AppDir: ctx.ApplicationPath, Python: python, Key: key, PipCache: pipCache.Path, Env: env, Executor: b.Executor, Logger: b.Logger, Lock: lock, Rewrite: rewrite}
	if err := venv.Contribute(&venvLayer); err != nil {
		return result, err
	}
	if err := WriteFindLibrary(venvLayer.Path); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, pipCache, venvLayer)

	startConfig, err := start.ReadSettings(reader)
	if err != nil {
		return result, err
	}
	starter := start.Starter{Logger: b.Logger, Executor: b.Executor, Environ: b.Environ}
	processes, startLayer, err := starter.Contribute(ctx, venvLayer.Path, startConfig)
	if err != nil {
		return result, err
	}
	if result.Processes, err = b.finishMonorepo(mono, processes); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, startLayer)

	if err := WriteSBOM(venvLayer); err != nil {
		return result, err
	}
	return result, nil
}

// venvKey gathers every input of the pip install except the pip settings.
func (b Builder) venvKey(ctx libcnb.BuildContext, lock *LockInstall) (VenvKey, error) {
	key := VenvKey{Requirements: map[string]string{}, Lines: map[string][]string{}, PipConfig: map[string]string{}}
	appDir := ctx.ApplicationPath
	if lock != nil {
		key.Lock = lock.KeyLines()
	} else if _, err := os.Stat(filepath.Join(appDir, "requirements.txt")); err == nil {
		if key.Requirements, key.Lines, err = RequirementsFiles(appDir, "requirements.txt"); err != nil {
			return key, err
		}
		key.Install = append(key.Install, "--requirement requirements.txt")
	}

	project, err := ProjectDependencies(appDir)
	if err != nil {
		return key, err
	}
	key.Project = project
	// The app itself goes in editable, as the ONBUILD images' `pip install
	// -e .` did: its source stays in /workspace, so a source-only change
	// needs no reinstall and only the declared dependencies are the key.
	// A lock says itself whether the app is a package (LockInstall).
	if len(project) > 0 && lock == nil {
		key.Install = append(key.Install, editableApp)
	}
	if len(key.Install) == 0 && lock == nil {
		return key, noDependencies(ctx.Plan)
	}

	if key.FindLinks, key.Wheelhouse, err = Wheelhouse(appDir); err != nil {
		return key, err
	}
	step, err := WheelhouseStep(key.Wheelhouse, key.Lines)
	if err != nil {
		return key, err
	}
	if step != "" && lock == nil {
		key.Install = append([]string{step}, key.Install...)
	}
	// One cheap process for both versions: this runs on every build, and
	// `pip --version` alone imports pip's whole command line (~0.3 s). The
	// stack's pip is the one that installs into the venv (see Venv.install).
	versions, err := b.output("python3", "-c", versionProbe)
	if err != nil {
		return key, fmt.Errorf("unable to find the stack's python3 and pip\n%w", err)
	}
	fields := strings.Fields(versions)
	if len(fields) != 2 {
		return key, fmt.Errorf("unexpected answer from the stack's python3 about its versions: %q", versions)
	}
	key.Python, key.Pip = fields[0], fields[1]
	if key.Seed, err = filepath.Glob(filepath.Join(b.bundledWheels(), "setuptools-*.whl")); err != nil {
		return key, err
	}
	key.Seed = SeedWheels(key.Python, key.Seed)
	key.Stack = strings.Trim(strings.Join([]string{ctx.StackID, ctx.TargetDistro.Name, ctx.TargetDistro.Version, ctx.TargetInfo.Arch}, " "), " ")
	return key, nil
}

// versionProbe prints the stack's Python and pip versions, e.g. "3.11.2 23.0.1".
const versionProbe = `import sys, importlib.metadata as m; print(sys.version.split()[0], m.version("pip"))`

// noDependencies explains a Python app with nothing to install: most often a
// misspelt requirements file, which detection let through, in the plan, for
// this message.
func noDependencies(plan libcnb.BuildpackPlan) error {
	nearMiss := ""
	for _, entry := range plan.Entries {
		if name, ok := entry.Metadata[detect.NearMissKey].(string); ok {
			nearMiss = name
		}
	}
	if nearMiss != "" {
		return problem.Problem{
			Title: "Misnamed requirements file",
			Cause: fmt.Sprintf("The app has %s but no requirements.txt; pip only reads requirements.txt.", nearMiss),
			Fixes: []string{fmt.Sprintf("Rename %s to requirements.txt.", nearMiss)},
		}
	}
	return problem.Problem{
		Title: "No Python dependencies declared",
		Cause: "The app has no requirements.txt, setup.py or pyproject.toml.",
		Fixes: []string{"Add a requirements.txt listing the app's dependencies (it may be empty)."},
	}
}

func (b Builder) output(command string, args ...string) (string, error) {
	var out strings.Builder
	err := b.Executor.Execute(effect.Execution{Command: command, Args: args, Env: b.Environ, Stdout: &out, Stderr: &out})
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", command, strings.Join(args, " "), err, out.String())
	}
	return strings.TrimSpace(out.String()), nil
}

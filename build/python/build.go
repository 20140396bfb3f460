package python

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/detect"
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

	if err := CheckEnvironment(b.Environ); err != nil {
		return result, err
	}

	pipCache, err := ctx.Layers.Layer("pip-cache")
	if err != nil {
		return result, fmt.Errorf("unable to create pip-cache layer\n%w", err)
	}
	pipCache.LayerTypes = libcnb.LayerTypes{Cache: true}

	venvLayer, err := ctx.Layers.Layer("venv")
	if err != nil {
		return result, fmt.Errorf("unable to create venv layer\n%w", err)
	}
	lock, err := b.findLock(ctx.ApplicationPath, config.Groups)
	if err != nil {
		return result, err
	}
	key, err := b.venvKey(ctx, lock)
	if err != nil {
		return result, err
	}
	env := PipEnvironment(b.Environ, config.PipIndex, pipCache.Path)
	key.PipConfig = config.PipIndex
	venv := Venv{AppDir: ctx.ApplicationPath, Key: key, PipCache: pipCache.Path, Env: env, Executor: b.Executor, Logger: b.Logger, Lock: lock}
	if err := venv.Contribute(&venvLayer); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, pipCache, venvLayer)

	processes, guess, err := StartProcesses(ctx.ApplicationPath, venvLayer.Path, config.LaunchCommand)
	if err != nil {
		return result, err
	}
	if guess != "" {
		if err := b.checkWSGI(ctx.ApplicationPath, venvLayer.Path, guess); err != nil {
			return result, err
		}
	}
	result.Processes = processes

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
		key.Install = append(key.Install, "--editable .")
	}
	if len(key.Install) == 0 && lock == nil {
		return key, noDependencies(ctx.Plan)
	}

	if key.FindLinks, key.Wheelhouse, err = Wheelhouse(appDir); err != nil {
		return key, err
	}
	if step := WheelhouseStep(key.Wheelhouse, key.Lines); step != "" && lock == nil {
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

// checkWSGI imports the guessed WSGI callable in the venv, so a wrong guess
// fails the build with the import error instead of crash-looping at start.
func (b Builder) checkWSGI(appDir, venvDir, target string) error {
	module, callable, _ := strings.Cut(target, ":")
	script := fmt.Sprintf("import importlib, sys; sys.path.insert(0, '.'); m = importlib.import_module(%q); "+
		"app = getattr(m, %q); assert callable(app), %q + ' is not callable'", module, callable, target)
	var out strings.Builder
	// No __pycache__ in the app dir: a .pyc records its source's mtime, the
	// time of the checkout, and the same source must give the same image.
	err := b.Executor.Execute(effect.Execution{
		Command: filepath.Join(venvDir, "bin", "python"), Args: []string{"-c", script},
		Dir: appDir, Env: append(append([]string{}, b.Environ...), "PYTHONDONTWRITEBYTECODE=1"), Stdout: &out, Stderr: &out,
	})
	if err == nil {
		b.Logger.Bodyf("Checked the WSGI entry point %s: it imports", target)
		return nil
	}
	return problem.Problem{
		Title: "WSGI entry point does not import",
		Cause: fmt.Sprintf("onbuild guessed gunicorn would serve %s, but importing it in the app's virtualenv failed:\n\n%s",
			target, problem.LastLines(out.String(), 20)),
		Fixes: []string{
			fmt.Sprintf("Fix the import error above in %s.py.", strings.ReplaceAll(module, ".", "/")),
			"Add a Procfile naming the right entry point: web: gunicorn --bind 0.0.0.0:$PORT mypkg.wsgi:app",
			"Set BP_LAUNCH_COMMAND when you run pack build.",
		},
	}
}

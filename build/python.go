package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// Python is the onbuild/python build: a cached virtualenv with the app's
// dependencies, a pip wheel cache, and the start command.
func Python(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return PythonBuild{
		Logger:   log.NewPaketoLogger(os.Stdout),
		Executor: effect.CommandExecutor{},
		Environ:  os.Environ(),
	}.Build(ctx)
}

// PythonBuild carries what Python needs from the outside, so tests can fake
// the commands and the environment.
type PythonBuild struct {
	Logger   log.Logger
	Executor effect.Executor
	Environ  []string
}

func (b PythonBuild) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()

	metadata, err := libpak.NewBuildModuleMetadata(ctx.Buildpack.Metadata)
	if err != nil {
		return result, fmt.Errorf("unable to read buildpack metadata\n%w", err)
	}
	config, err := libpak.NewConfigurationResolver(metadata)
	if err != nil {
		return result, fmt.Errorf("unable to create configuration resolver\n%w", err)
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
	key, err := b.venvKey(ctx)
	if err != nil {
		return result, err
	}
	pipConfig, env := PipEnvironment(b.Environ, pipCache.Path)
	key.PipConfig = pipConfig
	venv := Venv{AppDir: ctx.ApplicationPath, Key: key, PipCache: pipCache.Path, Env: env, Executor: b.Executor, Logger: b.Logger}
	if err := venv.Contribute(&venvLayer); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, pipCache, venvLayer)

	launchCommand, _ := config.Resolve("BP_LAUNCH_COMMAND")
	processes, err := StartProcesses(ctx.ApplicationPath, venvLayer.Path, launchCommand)
	if err != nil {
		return result, err
	}
	result.Processes = processes
	return result, nil
}

// venvKey gathers every input of the pip install except the pip settings.
func (b PythonBuild) venvKey(ctx libcnb.BuildContext) (VenvKey, error) {
	key := VenvKey{Requirements: map[string]string{}, PipConfig: map[string]string{}}
	if _, err := os.Stat(filepath.Join(ctx.ApplicationPath, "requirements.txt")); err == nil {
		files, err := RequirementsFiles(ctx.ApplicationPath, "requirements.txt")
		if err != nil {
			return key, err
		}
		key.Requirements = files
		key.Install = append(key.Install, "--requirement", "requirements.txt")
	}
	// With only setup.py or pyproject.toml the app itself is the package to
	// install, as the ONBUILD images' `pip install -e .` did.
	for _, project := range []string{"setup.py", "pyproject.toml"} {
		if len(key.Install) > 0 {
			break
		}
		sum, err := fileDigest(filepath.Join(ctx.ApplicationPath, project))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return key, fmt.Errorf("unable to read %s\n%w", project, err)
		}
		key.Requirements = map[string]string{project: sum}
		key.Install = append(key.Install, ".")
	}
	if len(key.Install) == 0 {
		return key, Problem{
			Title: "No Python dependencies declared",
			Cause: "The app has no requirements.txt, setup.py or pyproject.toml.",
			Fixes: []string{"Add a requirements.txt listing the app's dependencies (it may be empty)."},
		}
	}

	version, err := b.output("python3", "--version")
	if err != nil {
		return key, fmt.Errorf("unable to find the stack's python3\n%w", err)
	}
	key.Python = strings.TrimPrefix(version, "Python ")
	key.Stack = strings.Trim(strings.Join([]string{ctx.StackID, ctx.TargetDistro.Name, ctx.TargetDistro.Version, ctx.TargetInfo.Arch}, " "), " ")
	return key, nil
}

func (b PythonBuild) output(command string, args ...string) (string, error) {
	var out strings.Builder
	err := b.Executor.Execute(effect.Execution{Command: command, Args: args, Env: b.Environ, Stdout: &out, Stderr: &out})
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", command, strings.Join(args, " "), err, out.String())
	}
	return strings.TrimSpace(out.String()), nil
}

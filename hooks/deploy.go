package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// The deploy hook runs at container start through exec.d: the launcher runs
// every <layer>/exec.d program before the app process, with the launch
// environment and in the app directory, and does not start the app when one
// fails. That is the spec's own hook for "before the process", so it covers
// every process type, Procfile entries and one-off commands alike, without
// onbuild/build-hook knowing or rewriting the processes another buildpack
// declared. The exec.d program is HelperName, a static Go binary, so it
// runs on the tiny run image too, where there is no shell. The cost: the
// container's exit code is the launcher's (82) rather than the hook's; the
// hook's code is in the output.

// HelperName is the exec.d program, built to <buildpack>/bin/deploy-hook.
const HelperName = "deploy-hook"

// DeployConfigName is the file, at the root of the deploy-hook layer, that
// tells the exec.d program which hook to run.
const DeployConfigName = "deploy-hook.toml"

// DeployConfig is what the exec.d program needs at start.
type DeployConfig struct {
	Name   string `toml:"name"`
	Path   string `toml:"path"`
	AppDir string `toml:"app-dir"`
	// Timeout is BP_DEPLOY_HOOK_TIMEOUT at build time; the variable in the
	// container's environment wins over it.
	Timeout string `toml:"timeout,omitempty"`
}

// DeployLayer contributes the launch layer that runs the deploy hook.
type DeployLayer struct {
	AppDir string
	// Helper is the buildpack's exec.d program, copied into the layer.
	Helper string
	// Timeout is BP_DEPLOY_HOOK_TIMEOUT, checked, as the user wrote it.
	Timeout string
	Logger  log.Logger
}

// Contribute writes the layer anew on every build: it is small, and the
// hook it points at lives in the app, which changes every build.
func (d DeployLayer) Contribute(layers libcnb.Layers, hook Hook) (libcnb.Layer, error) {
	d.Logger.Headerf("Deploy hook %s: runs at every container start, before the app", hook.Name)
	if hook.Note != "" {
		d.Logger.Bodyf("Note: %s", hook.Note)
	}
	script, err := Inspect(hook)
	if err != nil {
		return libcnb.Layer{}, err
	}
	if !script.Executable {
		d.Logger.Bodyf("%s", color.YellowString("Warning: %s is not executable; at start it runs with %s. Fix: git update-index --chmod=+x %s",
			hook.Name, script.Interpreter, hook.Name))
	}
	if filepath.Base(script.Interpreter) == "env" {
		d.Logger.Bodyf("%s", color.YellowString("Warning: %s starts with %s, but the python run image has no coreutils, so no /usr/bin/env. Fix: start it with #!/bin/sh or #!/usr/bin/python3",
			hook.Name, script.Shebang))
	}
	if !script.Binary {
		d.Logger.Bodyf("It is a script for %s, which the run image must have: the python run image has sh and python3;", script.Interpreter)
		d.Logger.Bodyf("the tiny run image (Go apps) has no shell and no interpreter, so there the deploy hook must be a static binary.")
	}

	layer, err := layers.Layer(DeployLayerSpec.Name)
	if err != nil {
		return layer, fmt.Errorf("unable to create deploy-hook layer\n%w", err)
	}
	if layer, err = layer.Reset(); err != nil {
		return layer, fmt.Errorf("unable to reset deploy-hook layer\n%w", err)
	}
	layer.LayerTypes = DeployLayerSpec.Types

	config := DeployConfig{Name: hook.Name, Path: hook.Path, AppDir: d.AppDir, Timeout: d.Timeout}
	if rel, err := filepath.Rel(d.AppDir, hook.Path); err != nil || strings.HasPrefix(rel, "..") {
		// A hook from outside the app (BP_ACTION_HOOKS_DIR=/abs) is not in
		// the image: carry it in the layer.
		config.Path = filepath.Join(layer.Path, "hook", Deploy)
		if err := copyFile(hook.Path, config.Path); err != nil {
			return layer, err
		}
	}
	var encoded bytes.Buffer
	if err := toml.NewEncoder(&encoded).Encode(config); err != nil {
		return layer, fmt.Errorf("unable to encode %s\n%w", DeployConfigName, err)
	}
	if err := os.WriteFile(filepath.Join(layer.Path, DeployConfigName), encoded.Bytes(), 0644); err != nil {
		return layer, fmt.Errorf("unable to write %s\n%w", DeployConfigName, err)
	}
	if err := copyFile(d.Helper, layer.Exec.FilePath(HelperName)); err != nil {
		return layer, err
	}
	layer.Metadata = map[string]interface{}{"hook": hook.Name}
	return layer, nil
}

// copyFile copies with the source's permissions, creating parents.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("unable to open %s\n%w", from, err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return fmt.Errorf("unable to read %s\n%w", from, err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0755); err != nil {
		return fmt.Errorf("unable to create %s\n%w", filepath.Dir(to), err)
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, info.Mode().Perm())
	if err != nil {
		return fmt.Errorf("unable to create %s\n%w", to, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("unable to copy %s to %s\n%w", from, to, err)
	}
	return out.Close()
}

// DeployMain is the exec.d program: it runs the deploy hook and exits with
// the hook's code.
func DeployMain() {
	config := DeployConfigName
	if exe, err := os.Executable(); err == nil {
		// <layer>/exec.d/deploy-hook -> <layer>/deploy-hook.toml
		config = filepath.Join(filepath.Dir(filepath.Dir(exe)), DeployConfigName)
	}
	deployer := Deployer{Env: os.Environ(), Stderr: os.Stderr}
	os.Exit(deployer.Run(config, execDOutput()))
}

// execDOutput returns fd 3, where the launcher reads the variables an exec.d
// program sets. It is marked close-on-exec first: inherited by the hook, a
// daemon the hook leaves running would hold the pipe open and the launcher
// would wait for it forever.
func execDOutput() io.Writer {
	var stat syscall.Stat_t
	if err := syscall.Fstat(3, &stat); err != nil {
		return io.Discard // run by hand, outside the launcher
	}
	syscall.CloseOnExec(3)
	return os.NewFile(3, "exec.d output")
}

// Deployer runs the deploy hook at container start.
type Deployer struct {
	// Env is the launch environment the launcher gives exec.d programs.
	Env    []string
	Stderr io.Writer
	// ExportDirs are where the hook's CNB_HOOK_ENV_DIR may be created, in
	// order; nil means the temp dir, then /dev/shm.
	ExportDirs []string
}

// exportDir creates the directory the deploy hook exports into. A
// read-only root file system (common on Kubernetes) has no writable /tmp:
// then /dev/shm, and with no writable place at all the hook still runs,
// without CNB_HOOK_ENV_DIR, rather than the app not starting.
func (d Deployer) exportDir() (string, bool) {
	candidates := d.ExportDirs
	if candidates == nil {
		candidates = []string{os.TempDir(), "/dev/shm"}
	}
	for _, parent := range candidates {
		if dir, err := os.MkdirTemp(parent, "hook-env-"); err == nil {
			return dir, true
		}
	}
	return "", false
}

// Run runs the hook described by the config file with its output on
// stderr, writes the variables it exported to exports as TOML (the exec.d
// output, so they reach the app), and returns the exit code for the exec.d
// program.
func (d Deployer) Run(configPath string, exports io.Writer) int {
	var config DeployConfig
	if _, err := toml.DecodeFile(configPath, &config); err != nil {
		fmt.Fprintf(d.Stderr, "onbuild deploy hook: unable to read %s: %v\n", configPath, err)
		return 1
	}
	hook := Hook{Kind: Deploy, Path: config.Path, Name: config.Name}

	timeoutValue := config.Timeout
	if value := strings.TrimSpace(envvar.Value(d.Env, DeployTimeoutSetting)); value != "" {
		timeoutValue = value
	}
	timeout, err := ParseTimeout(DeployTimeoutSetting, timeoutValue)
	if err != nil {
		fmt.Fprintf(d.Stderr, "%s", err)
		return 1
	}

	env := append([]string{}, d.Env...)
	envDir, ok := d.exportDir()
	if ok {
		defer os.RemoveAll(envDir)
		env = append(env, EnvDirVariable+"="+envDir)
	} else {
		fmt.Fprintf(d.Stderr, "Note: no writable temporary directory (read-only file system?), so %s is unset: the deploy hook cannot export variables.\n", EnvDirVariable)
	}

	invocation, err := Invoke(hook, env, "run image")
	if err != nil {
		fmt.Fprintf(d.Stderr, "%s", err)
		return 127
	}
	fmt.Fprintf(d.Stderr, "Running deploy hook %s\n", hook.Name)
	process := hookProcess{Command: invocation.Command, Args: invocation.Args, Dir: config.AppDir, Env: env,
		Output: d.Stderr, Timeout: timeout, KeepLeftovers: true}
	outcome, err := process.run()
	if outcome.TimedOut {
		fmt.Fprintf(d.Stderr, "[Error: deploy hook timed out]\n%s ran longer than %s=%s and was stopped, so the app was not started.\n"+
			"Fix it: make it finish sooner, or raise %s (0 means no limit) in the container's environment or at build time.\n",
			hook.Name, DeployTimeoutSetting, timeout, DeployTimeoutSetting)
		return 124
	}
	if err != nil {
		code, status := exitStatus(err)
		fmt.Fprintf(d.Stderr, "[Error: deploy hook failed]\n%s %s, so the app was not started. Its output is above.\n", hook.Name, status)
		return code
	}
	if !ok {
		return 0
	}

	vars, warnings, err := ReadEnvDir(envDir)
	for _, warning := range warnings {
		fmt.Fprintf(d.Stderr, "Warning: %s (in %s)\n", warning, EnvDirVariable)
	}
	if err != nil {
		fmt.Fprintf(d.Stderr, "onbuild deploy hook: %v\n", err)
		return 1
	}
	if len(vars) > 0 {
		if err := toml.NewEncoder(exports).Encode(vars); err != nil {
			fmt.Fprintf(d.Stderr, "onbuild deploy hook: unable to export %s: %v\n", strings.Join(Names(vars), ", "), err)
			return 1
		}
	}
	return 0
}

// exitStatus returns the exit code an exec.d program passes on for a failed
// hook, and how to say what happened.
func exitStatus(err error) (int, string) {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return 126, fmt.Sprintf("could not start (%v)", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), fmt.Sprintf("was killed by signal %s", ws.Signal())
	}
	return exit.ExitCode(), fmt.Sprintf("exited with code %d", exit.ExitCode())
}

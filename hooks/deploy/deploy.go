// Package deploy is the deploy hook's container-start program: the
// launcher runs it (as exec.d) before the app process, and it runs the
// app's deploy hook with a timeout and passes on what the hook exported.
// It links only invoke and internal leaves, so it stays small.
//
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
package deploy

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"
	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
)

// TimeoutSetting bounds the deploy hook, which delays every container
// start. onbuild/build-hook declares it; the value is fixed at build time,
// and the same variable in the container's environment overrides it.
const TimeoutSetting = "BP_DEPLOY_HOOK_TIMEOUT"

// HelperName is the exec.d program, built to <buildpack>/bin/deploy-hook.
const HelperName = "deploy-hook"

// ConfigName is the file, at the root of the deploy-hook layer, that
// tells the exec.d program which hook to run.
const ConfigName = "deploy-hook.toml"

// Config is what the exec.d program needs at start.
type Config struct {
	Name   string `toml:"name"`
	Path   string `toml:"path"`
	AppDir string `toml:"app-dir"`
	// Timeout is BP_DEPLOY_HOOK_TIMEOUT at build time; the variable in the
	// container's environment wins over it.
	Timeout string `toml:"timeout,omitempty"`
}

// Main is the exec.d program: it runs the deploy hook and exits with
// the hook's code.
func Main() {
	config := ConfigName
	if exe, err := os.Executable(); err == nil {
		// <layer>/exec.d/deploy-hook -> <layer>/deploy-hook.toml
		config = filepath.Join(filepath.Dir(filepath.Dir(exe)), ConfigName)
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
	var config Config
	if _, err := toml.DecodeFile(configPath, &config); err != nil {
		fmt.Fprintf(d.Stderr, "onbuild deploy hook: unable to read %s: %v\n", configPath, err)
		return 1
	}
	hook := invoke.Hook{Kind: invoke.Deploy, Path: config.Path, Name: config.Name}

	timeoutValue := config.Timeout
	if value := strings.TrimSpace(envvar.Value(d.Env, TimeoutSetting)); value != "" {
		timeoutValue = value
	}
	timeout, err := invoke.ParseTimeout(TimeoutSetting, timeoutValue)
	if err != nil {
		fmt.Fprintf(d.Stderr, "%s", err)
		return 1
	}

	env := append([]string{}, d.Env...)
	envDir, ok := d.exportDir()
	if ok {
		defer os.RemoveAll(envDir)
		env = append(env, invoke.EnvDirVariable+"="+envDir)
	} else {
		fmt.Fprintf(d.Stderr, "Note: no writable temporary directory (read-only file system?), so %s is unset: the deploy hook cannot export variables.\n", invoke.EnvDirVariable)
	}

	invocation, err := invoke.Invoke(hook, env, "run image")
	if err != nil {
		fmt.Fprintf(d.Stderr, "%s", err)
		return 127
	}
	fmt.Fprintf(d.Stderr, "Running deploy hook %s\n", hook.Name)
	process := invoke.Process{Command: invocation.Command, Args: invocation.Args, Dir: config.AppDir, Env: env,
		Output: d.Stderr, Timeout: timeout, KeepLeftovers: true}
	outcome, err := process.Run()
	if outcome.TimedOut {
		fmt.Fprintf(d.Stderr, "[Error: deploy hook timed out]\n%s ran longer than %s=%s and was stopped, so the app was not started.\n"+
			"Fix it: make it finish sooner, or raise %s (0 means no limit) in the container's environment or at build time.\n",
			hook.Name, TimeoutSetting, timeout, TimeoutSetting)
		return 124
	}
	if err != nil {
		code, status := invoke.ExitStatus(err)
		fmt.Fprintf(d.Stderr, "[Error: deploy hook failed]\n%s %s, so the app was not started. Its output is above.\n", hook.Name, status)
		return code
	}
	if !ok {
		return 0
	}

	vars, warnings, err := invoke.ReadEnvDir(envDir)
	for _, warning := range warnings {
		fmt.Fprintf(d.Stderr, "Warning: %s (in %s)\n", warning, invoke.EnvDirVariable)
	}
	if err != nil {
		fmt.Fprintf(d.Stderr, "onbuild deploy hook: %v\n", err)
		return 1
	}
	if len(vars) > 0 {
		if err := toml.NewEncoder(exports).Encode(vars); err != nil {
			fmt.Fprintf(d.Stderr, "onbuild deploy hook: unable to export %s: %v\n", strings.Join(invoke.Names(vars), ", "), err)
			return 1
		}
	}
	return 0
}

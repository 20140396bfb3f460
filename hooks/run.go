package hooks

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/heroku/color"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// The export folders a hook writes into (invoke names them).
const (
	EnvDirVariable      = invoke.EnvDirVariable
	BuildEnvDirVariable = invoke.BuildEnvDirVariable
)

// Exports are the variables a hook exported.
type Exports struct {
	// Launch reach later build steps and the app, and are in the image.
	Launch map[string]string
	// Build reach later build steps only.
	Build map[string]string
}

// tailLines is how much of a failed hook's output the error repeats.
const tailLines = 20

// HookRunner runs hooks during a build, in the app directory, with the
// build environment.
type HookRunner struct {
	AppDir string
	Env    []string
	// Timeout stops a hook that runs longer (BP_HOOK_TIMEOUT); 0 is no
	// limit.
	Timeout time.Duration
	Logger  log.Logger
}

// Run runs hook with its output streamed under a header and returns the
// variables it exported.
func (r HookRunner) Run(hook Hook) (Exports, error) {
	r.Logger.Headerf("Running %s hook %s", hook.Kind, hook.Name)
	if hook.Note != "" {
		r.Logger.Bodyf("Note: %s", hook.Note)
	}
	envDir, err := os.MkdirTemp("", "hook-env-")
	if err != nil {
		return Exports{}, fmt.Errorf("unable to create %s\n%w", EnvDirVariable, err)
	}
	defer os.RemoveAll(envDir)
	buildEnvDir, err := os.MkdirTemp("", "hook-build-env-")
	if err != nil {
		return Exports{}, fmt.Errorf("unable to create %s\n%w", BuildEnvDirVariable, err)
	}
	defer os.RemoveAll(buildEnvDir)
	env := append(append([]string{}, r.Env...), EnvDirVariable+"="+envDir, BuildEnvDirVariable+"="+buildEnvDir)

	invocation, err := invoke.Invoke(hook, env, "build image")
	if err != nil {
		return Exports{}, err
	}
	if !invocation.Executable {
		r.Logger.Bodyf("%s", color.YellowString("Warning: %s is not executable; running it with %s. Fix: git update-index --chmod=+x %s",
			hook.Name, invocation.Interpreter, hook.Name))
	}

	start := time.Now()
	output := &tail{max: 64 << 10}
	out := io.MultiWriter(r.Logger.BodyWriter(), output)
	process := invoke.Process{Command: invocation.Command, Args: invocation.Args, Dir: r.AppDir, Env: env, Output: out, Timeout: r.Timeout}
	outcome, err := process.Run()
	r.warnLeftovers(hook, outcome)
	if outcome.TimedOut {
		return Exports{}, timeoutProblem(hook, r.Timeout, TimeoutSetting, output.lines(tailLines))
	}
	if err != nil {
		return Exports{}, Failure(hook, err, output.lines(tailLines))
	}
	r.Logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))

	var exports Exports
	if exports.Launch, err = r.readExports(envDir, EnvDirVariable); err != nil {
		return Exports{}, err
	}
	if exports.Build, err = r.readExports(buildEnvDir, BuildEnvDirVariable); err != nil {
		return Exports{}, err
	}
	for name := range exports.Build {
		if _, ok := exports.Launch[name]; ok {
			return Exports{}, problem.Problem{
				Title: "Variable exported twice",
				Cause: fmt.Sprintf("%s wrote %s both to $%s (build and image) and to $%s (build only).", hook.Name, name, EnvDirVariable, BuildEnvDirVariable),
				Fixes: []string{fmt.Sprintf("Write %s to $%s only if the app needs it at run time; otherwise to $%s only.", name, EnvDirVariable, BuildEnvDirVariable)},
			}
		}
	}
	return exports, nil
}

func (r HookRunner) readExports(dir, variable string) (map[string]string, error) {
	vars, warnings, err := invoke.ReadEnvDir(dir)
	for _, warning := range warnings {
		r.Logger.Bodyf("%s", color.YellowString("Warning: %s (in %s)", warning, variable))
	}
	return vars, err
}

// warnLeftovers names what the hook left running: it was stopped, and the
// build step that expected it would otherwise fail without a clue.
func (r HookRunner) warnLeftovers(hook Hook, outcome invoke.Result) {
	if len(outcome.Left) > 0 {
		r.Logger.Bodyf("%s", color.YellowString("Warning: %s left %d process(es) running when it exited; onbuild stopped them:\n      %s\n"+
			"    A build hook must not leave processes behind: wait for background jobs (wait) before exiting;\n"+
			"    start what the app needs at run time from the Procfile or the deploy hook.",
			hook.Name, len(outcome.Left), strings.Join(outcome.Left, "\n      ")))
	}
	if outcome.Detached {
		r.Logger.Bodyf("%s", color.YellowString("Warning: a process %s started outside its process group (a daemon) still holds its output; onbuild no longer waits for it.", hook.Name))
	}
}

// timeoutProblem is a hook stopped because it ran past its timeout.
func timeoutProblem(hook Hook, timeout time.Duration, setting, tail string) error {
	output := "It printed nothing."
	if strings.TrimSpace(tail) != "" {
		output = "The last lines of its output:\n\n" + tail
	}
	return problem.Problem{
		Title: fmt.Sprintf("%s hook timed out", hook.Kind),
		Cause: fmt.Sprintf("%s ran longer than %s=%s, so onbuild stopped it and every process it started. %s", hook.Name, setting, timeout, output),
		Fixes: []string{
			fmt.Sprintf("Look for what %s waits on: input (it runs without a terminal), a server that does not answer, a background job it waits for.", hook.Name),
			fmt.Sprintf("If it needs longer, raise the limit: pack build --env %s=1h (0 means no limit).", setting),
		},
	}
}

// systemPackages matches what apt, dpkg and sudo print when an unprivileged
// user tries to install packages.
var systemPackages = regexp.MustCompile(`(?m)(/var/lib/(dpkg|apt)/\S*.*Permission denied|are you root\?|requires superuser privilege|sudo: .*not found)`)

// Failure is the Problem of a hook that ran and failed: its name, exit code
// and the last lines of its output.
func Failure(hook Hook, err error, tail string) error {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		// exec failed before the hook ran.
		return problem.Problem{
			Title: fmt.Sprintf("%s hook could not start", hook.Kind),
			Cause: fmt.Sprintf("Running %s failed: %v", hook.Name, err),
			Fixes: []string{fmt.Sprintf("Check that %s runs from the app directory.", hook.Name)},
		}
	}
	_, status := invoke.ExitStatus(err)
	output := "It printed nothing."
	if strings.TrimSpace(tail) != "" {
		output = "The last lines of its output:\n\n" + tail
	}
	if systemPackages.MatchString(tail) {
		return problem.Problem{
			Title: fmt.Sprintf("%s hook cannot install system packages", hook.Kind),
			Cause: fmt.Sprintf("%s %s: it tried to install Debian packages, but hooks run as the unprivileged\n"+
				"build user (cnb, uid 1000), which cannot use apt-get, dpkg or sudo. %s", hook.Name, status, output),
			Fixes: []string{
				"For a Python library, list it in requirements.txt: pip installs it into the app's virtualenv.",
				"For a tool the build needs, download a static binary in the hook (into the app directory) and run it from there.",
				"For a system library the app needs, have it added to the stack (stacks/build and stacks/run-python packages.txt) and rebuild the builder.",
			},
		}
	}
	return problem.Problem{
		Title: fmt.Sprintf("%s hook failed", hook.Kind),
		Cause: fmt.Sprintf("%s %s. %s", hook.Name, status, output),
		Fixes: []string{fmt.Sprintf("Fix %s and build again; run it from the app directory to reproduce the failure.", hook.Name)},
	}
}

// tail keeps the end of a command's output, however long it runs.
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max {
		t.buf = append([]byte{}, t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) lines(n int) string {
	lines := strings.Split(strings.TrimRight(string(t.buf), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

package start

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Starter is the start step of onbuild/python, after the venv: it carries
// the build's logger, commands and environment, so tests can fake them.
type Starter struct {
	Logger   log.Logger
	Executor effect.Executor
	Environ  []string
}

// Contribute runs collectstatic, finds the processes, warns about programs they
// would not find, and puts them under the supervisor of the start layer.
func (s Starter) Contribute(ctx libcnb.BuildContext, venvDir string, config Settings) ([]libcnb.Process, libcnb.Layer, error) {
	appDir := ctx.ApplicationPath
	if err := s.collectStatic(appDir, venvDir, config); err != nil {
		return nil, libcnb.Layer{}, err
	}
	processes, err := Processes(appDir, venvDir, config.LaunchCommand, func(entry Entry) (Interface, error) {
		return s.checkEntry(appDir, venvDir, entry)
	})
	if err != nil {
		return nil, libcnb.Layer{}, err
	}
	source := "the"
	if _, err := os.Stat(filepath.Join(appDir, "Procfile")); err == nil {
		source = "Procfile"
	} else if config.LaunchCommand != "" {
		source = LaunchCommandSetting
	}
	path := ""
	for _, kv := range s.Environ {
		if value, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = value
		}
	}
	for _, warning := range MissingPrograms(processes, source, appDir, venvDir, path) {
		s.Logger.Bodyf("%s", color.YellowString(warning))
	}
	layer, err := StartLayer(ctx.Layers, ctx.Buildpack.Path)
	if err != nil {
		return nil, layer, err
	}
	return Supervised(processes, layer.Path), layer, nil
}

// checkEntry imports the guessed callable in the venv and asks which
// interface it speaks, so a wrong guess fails the build with the import
// error instead of crash-looping at start.
func (s Starter) checkEntry(appDir, venvDir string, entry Entry) (Interface, error) {
	args := append([]string{"-c", entryProbe, entry.Target}, InstalledServers(venvDir).Modules()...)
	out, err := s.inApp(appDir, filepath.Join(venvDir, "bin", "python"), args...)
	if _, server, broken := strings.Cut(out, "onbuild-server-broken: "); broken {
		server = strings.TrimSpace(server)
		return "", problem.Problem{
			Title: "Web server does not import",
			Cause: fmt.Sprintf("%s is installed in the app's virtualenv, but importing it failed:\n\n%s",
				server, problem.LastLines(strings.Split(out, "onbuild-server-broken: ")[0], 20)),
			Fixes: []string{
				"Add the package the error names to requirements.txt (an index whose wheels carry no dependencies, such as one made from Debian packages, needs every package listed).",
				"Or remove " + server + " from the requirements if the app does not use it.",
			},
		}
	}
	if err == nil {
		for _, line := range strings.Split(out, "\n") {
			if kind, ok := strings.CutPrefix(strings.TrimSpace(line), "onbuild-interface: "); ok {
				s.Logger.Bodyf("Checked the entry point %s: it imports and speaks %s", entry.Target, strings.ToUpper(kind))
				return Interface(kind), nil
			}
		}
	}
	module, _, _ := strings.Cut(entry.Target, ":")
	return "", problem.Problem{
		Title: "Entry point does not import",
		File:  entry.File,
		Cause: fmt.Sprintf("onbuild guessed a web server would serve %s, but importing it in the app's virtualenv failed:\n\n%s",
			entry.Target, problem.LastLines(out, 20)),
		Fixes: []string{
			fmt.Sprintf("Fix the import error above in %s.py.", strings.ReplaceAll(module, ".", "/")),
			"Add a Procfile naming the right entry point: web: gunicorn --bind 0.0.0.0:$PORT mypkg.wsgi:app",
			"Set BP_LAUNCH_COMMAND when you run pack build.",
		},
	}
}

// inApp runs a command in the app dir with the build's environment and
// returns its combined output. No __pycache__ lands in the app: the same
// source must give the same image.
func (s Starter) inApp(appDir, command string, args ...string) (string, error) {
	var out strings.Builder
	env := append(append([]string{}, s.Environ...), "PYTHONDONTWRITEBYTECODE=1")
	err := s.Executor.Execute(effect.Execution{Command: command, Args: args, Dir: appDir, Env: env, Stdout: &out, Stderr: &out})
	return out.String(), err
}

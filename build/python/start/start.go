package start

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Processes decides how the app starts, first match wins: Procfile,
// BP_LAUNCH_COMMAND, a Django project's WSGI_APPLICATION (or
// ASGI_APPLICATION) on the web server the venv has, a WSGI or ASGI callable
// it can find on a server that speaks its interface, python on app.py or
// main.py. Never a REPL, never Django's runserver: no match is a Problem.
// check imports a guessed callable in the venv and says which interface it
// speaks, so a wrong guess fails the build rather than every start.
func Processes(appDir, venvDir, launchCommand string, check EntryCheck) ([]libcnb.Process, error) {
	procfile, err := ReadProcfile(appDir)
	if err != nil || procfile != nil {
		return procfile, err
	}
	if launchCommand != "" {
		return []libcnb.Process{shellProcess("web", launchCommand, true)}, nil
	}
	servers := InstalledServers(venvDir)
	if command, err := djangoCommand(appDir, venvDir, servers); err != nil || command != "" {
		if err != nil {
			return nil, err
		}
		return []libcnb.Process{shellProcess("web", command, true)}, nil
	}
	if servers.Any() {
		entry, err := FindEntry(appDir)
		if err != nil {
			return nil, err
		}
		if entry.Target != "" {
			if entry.Interface, err = check(entry); err != nil {
				return nil, err
			}
			command, err := ServeCommand(entry, servers)
			if err != nil {
				return nil, err
			}
			return []libcnb.Process{shellProcess("web", command, true)}, nil
		}
	}
	for _, script := range []string{"app.py", "main.py"} {
		if _, err := os.Stat(filepath.Join(appDir, script)); err == nil {
			return []libcnb.Process{{Type: "web", Command: []string{"python", script}, Default: true}}, nil
		}
	}
	return nil, problem.Problem{
		Title: "No start command",
		Cause: "onbuild could not find how to start this app: there is no Procfile, no BP_LAUNCH_COMMAND,\n" +
			"no Django project (manage.py) or WSGI/ASGI callable with a web server installed (gunicorn, uvicorn,\n" +
			"hypercorn, granian), and no app.py or main.py.",
		Fixes: []string{
			"Add a Procfile: web: gunicorn --bind 0.0.0.0:$PORT mypkg.wsgi:app",
			"Set BP_LAUNCH_COMMAND when you run pack build.",
			"Add gunicorn (WSGI) or uvicorn (ASGI) to requirements.txt and an app.py or main.py that defines app.",
		},
	}
}

// shellProcess runs a command line through sh, as Procfile users expect
// ($PORT, pipes, &&); the python run image has a shell for this.
func shellProcess(kind, command string, isDefault bool) libcnb.Process {
	return libcnb.Process{Type: kind, Command: []string{"sh", "-c", command}, Default: isDefault}
}

var procfileLine = regexp.MustCompile(`^([A-Za-z0-9_-]+):\s*(.+)$`)

// ReadProcfile returns one process per Procfile entry, web being the default
// (or the only entry), or nil when there is no Procfile.
func ReadProcfile(appDir string) ([]libcnb.Process, error) {
	content, err := os.ReadFile(filepath.Join(appDir, "Procfile"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read Procfile\n%w", err)
	}
	commands := map[string]string{}
	// Split, not bufio.Scanner: a scanner stops at its first line over 64
	// KiB, which silently dropped that line and every one after it.
	for number, line := range strings.Split(string(content), "\n") {
		number++
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		match := procfileLine.FindStringSubmatch(line)
		if match == nil {
			return nil, problem.Problem{
				Title: "Malformed Procfile",
				Cause: fmt.Sprintf("Procfile line %d is %q; each line must be <type>: <command>.", number, line),
				Fixes: []string{"Write it like: web: gunicorn --bind 0.0.0.0:$PORT app:app"},
			}
		}
		commands[match[1]] = match[2]
	}
	if len(commands) == 0 {
		return nil, problem.Problem{
			Title: "Empty Procfile",
			Cause: "The Procfile has no process in it.",
			Fixes: []string{"Add a line like: web: gunicorn --bind 0.0.0.0:$PORT app:app", "or delete the Procfile."},
		}
	}
	var types []string
	for kind := range commands {
		types = append(types, kind)
	}
	sort.Strings(types)
	var processes []libcnb.Process
	for _, kind := range types {
		isDefault := kind == "web" || len(types) == 1
		processes = append(processes, shellProcess(kind, commands[kind], isDefault))
	}
	return processes, nil
}

// definesName reports a top-level assignment, def, class or import binding
// name. It is a guess from the source text, cheap enough to run on every build.
func definesName(source []byte, name string) bool {
	pattern := regexp.MustCompile(`(?m)^(` + name + `\s*(:[^=]*)?=[^=]|def\s+` + name + `\s*\(|class\s+` + name + `\b|(from\s+\S+\s+)?import\s+.*\b(as\s+)?` + name + `\s*$)`)
	return pattern.Match(source)
}

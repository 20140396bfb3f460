package start

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Interface is how a server talks to the app: "wsgi" or "asgi".
type Interface string

const (
	WSGI Interface = "wsgi"
	ASGI Interface = "asgi"
)

// Servers are the web servers the venv has, from its console scripts.
type Servers struct {
	Gunicorn, Uvicorn, Hypercorn, Granian bool
}

// InstalledServers looks for each server's script in the venv's bin.
func InstalledServers(venvDir string) Servers {
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(venvDir, "bin", name))
		return err == nil
	}
	return Servers{Gunicorn: has("gunicorn"), Uvicorn: has("uvicorn"), Hypercorn: has("hypercorn"), Granian: has("granian")}
}

// Modules are the installed servers' Python modules.
func (s Servers) Modules() []string {
	var modules []string
	for _, server := range []struct {
		installed bool
		module    string
	}{{s.Gunicorn, "gunicorn"}, {s.Uvicorn, "uvicorn"}, {s.Hypercorn, "hypercorn"}, {s.Granian, "granian"}} {
		if server.installed {
			modules = append(modules, server.module)
		}
	}
	return modules
}

// Any is true when one server is installed.
func (s Servers) Any() bool { return s.Gunicorn || s.Uvicorn || s.Hypercorn || s.Granian }

// Entry is a callable a server can serve.
type Entry struct {
	// Target is module:callable, as every server names it.
	Target string
	// File is the app file that defines it.
	File      string
	Interface Interface
}

// EntryCheck imports a guessed entry in the venv and says which interface
// it speaks.
type EntryCheck func(Entry) (Interface, error)

// bind is where every guessed server listens; the run image sets no PORT,
// so it defaults like the Procfile examples do.
const bind = `"0.0.0.0:${PORT:-8080}"`

// ServeCommand starts entry on a server that speaks its interface. With
// gunicorn and uvicorn both installed an ASGI app runs in gunicorn with
// uvicorn's worker, which restarts a worker that dies; gunicorn and uvicorn
// read WEB_CONCURRENCY themselves, the others are passed it.
func ServeCommand(entry Entry, servers Servers) (string, error) {
	workers := `--workers "${WEB_CONCURRENCY:-1}"`
	port := `--host 0.0.0.0 --port "${PORT:-8080}"`
	switch {
	case entry.Interface == WSGI && servers.Gunicorn:
		return "exec gunicorn --bind " + bind + " " + entry.Target, nil
	case entry.Interface == WSGI && servers.Hypercorn:
		return "exec hypercorn --bind " + bind + " " + workers + " " + entry.Target, nil
	case entry.Interface == WSGI && servers.Granian:
		return "exec granian --interface wsgi " + port + " " + workers + " " + entry.Target, nil
	case entry.Interface == ASGI && servers.Gunicorn && servers.Uvicorn:
		return "exec gunicorn --bind " + bind + " --worker-class uvicorn.workers.UvicornWorker " + entry.Target, nil
	case entry.Interface == ASGI && servers.Uvicorn:
		return "exec uvicorn " + port + " " + entry.Target, nil
	case entry.Interface == ASGI && servers.Hypercorn:
		return "exec hypercorn --bind " + bind + " " + workers + " " + entry.Target, nil
	case entry.Interface == ASGI && servers.Granian:
		return "exec granian --interface asgi " + port + " " + workers + " " + entry.Target, nil
	}
	return "", mismatch(entry, servers)
}

// mismatch explains an app whose interface no installed server speaks:
// gunicorn cannot call an ASGI app, uvicorn a WSGI one.
func mismatch(entry Entry, servers Servers) error {
	var names []string
	for name, ok := range map[string]bool{"gunicorn": servers.Gunicorn, "uvicorn": servers.Uvicorn, "hypercorn": servers.Hypercorn, "granian": servers.Granian} {
		if ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	installed := strings.Join(names, " and ")
	if entry.Interface == WSGI {
		return problem.Problem{
			Title: "WSGI app under an ASGI server",
			File:  entry.File,
			Cause: fmt.Sprintf("%s is a WSGI app (it is called with environ and start_response), but the only web server\n"+
				"installed is %s, which serves ASGI apps only.", entry.Target, installed),
			Fixes: []string{
				"Add gunicorn to requirements.txt: it serves WSGI apps.",
				"Or make the app an ASGI one (FastAPI, Starlette, Quart), or wrap it: asgiref.wsgi.WsgiToAsgi(app).",
				"Or add a Procfile naming the server and app: web: gunicorn --bind 0.0.0.0:$PORT " + entry.Target,
			},
		}
	}
	return problem.Problem{
		Title: "ASGI app under a WSGI server",
		File:  entry.File,
		Cause: fmt.Sprintf("%s is an ASGI app (an async callable), but the only web server installed is %s,\n"+
			"which serves WSGI apps only.", entry.Target, installed),
		Fixes: []string{
			"Add uvicorn to requirements.txt: onbuild then runs gunicorn with uvicorn's worker (or uvicorn alone).",
			"Or add a Procfile naming the server and app: web: uvicorn --host 0.0.0.0 --port $PORT " + entry.Target,
		},
	}
}

// FindEntry returns the first callable named app or application in the
// files apps are usually served from, top-level then in a package; Target
// is "" when there is none. The interface is left to the import check.
func FindEntry(appDir string) (Entry, error) {
	type candidate struct {
		file  string
		names []string
	}
	appNames, serverNames := []string{"app", "application"}, []string{"application", "app"}
	candidates := []candidate{{"app.py", appNames}, {"main.py", appNames}, {"wsgi.py", serverNames}, {"asgi.py", serverNames}}
	for _, base := range []string{"wsgi.py", "asgi.py", "main.py", "app.py"} {
		matches, err := filepath.Glob(filepath.Join(appDir, "*", base))
		if err != nil {
			return Entry{}, err
		}
		sort.Strings(matches)
		for _, path := range matches {
			pkg := filepath.Base(filepath.Dir(path))
			if strings.HasPrefix(pkg, ".") || !isIdentifier(pkg) {
				continue
			}
			names := serverNames
			if base == "main.py" || base == "app.py" {
				names = appNames
			}
			candidates = append(candidates, candidate{pkg + "/" + base, names})
		}
	}
	for _, c := range candidates {
		source, err := os.ReadFile(filepath.Join(appDir, filepath.FromSlash(c.file)))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return Entry{}, fmt.Errorf("unable to read %s\n%w", c.file, err)
		}
		for _, name := range c.names {
			if definesName(source, name) {
				module := strings.ReplaceAll(strings.TrimSuffix(c.file, ".py"), "/", ".")
				return Entry{Target: module + ":" + name, File: c.file}, nil
			}
		}
	}
	return Entry{}, nil
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// isIdentifier keeps folders Python cannot import (my-site, a venv's
// lib64...) out of the guesses.
func isIdentifier(name string) bool { return identifier.MatchString(name) }

// entryProbe imports module:callable from the app dir and prints its
// interface: a coroutine function, or an object whose __call__ is one, is
// ASGI (FastAPI, Starlette, Quart, Litestar, Django's ASGIHandler); any
// other callable is taken as WSGI.
// The installed servers' modules (the arguments after the target) are
// imported first: a server missing a dependency would otherwise fail only
// at start.
const entryProbe = `import importlib, inspect, sys, traceback
sys.path.insert(0, ".")
for server in sys.argv[2:]:
    try:
        importlib.import_module(server)
    except Exception:
        traceback.print_exc()
        print("onbuild-server-broken:", server)
        sys.exit(3)
module, name = sys.argv[1].split(":")
app = getattr(importlib.import_module(module), name)
if not callable(app):
    sys.exit(sys.argv[1] + " is not callable")
call = app if inspect.isroutine(app) else getattr(type(app), "__call__", None)
print("onbuild-interface:", "asgi" if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app) else "wsgi")
`

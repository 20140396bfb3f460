package start

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Django is what the build reads from a Django project's files.
type Django struct {
	// Settings is the module manage.py sets DJANGO_SETTINGS_MODULE to.
	Settings string
	// SettingsFile is that module's file, relative to the app.
	SettingsFile string
	// WSGI and ASGI are WSGI_APPLICATION and ASGI_APPLICATION as
	// module:callable, else the startproject files beside the settings.
	WSGI, ASGI string
}

var (
	settingsDefault = regexp.MustCompile(`DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z0-9_.]+)["']`)
	applicationLine = regexp.MustCompile(`(?m)^(WSGI|ASGI)_APPLICATION\s*=\s*["']([A-Za-z0-9_.]+)["']`)
)

// DjangoInstalled says whether the venv has Django.
func DjangoInstalled(venvDir string) bool {
	matches, _ := filepath.Glob(filepath.Join(venvDir, "lib", "python*", "site-packages", "django", "__init__.py"))
	return len(matches) > 0
}

// ReadDjango reads a project that manage.py names; nil when the app has no
// manage.py. A manage.py whose settings module cannot be found is a Problem:
// the start command and collectstatic both need it.
func ReadDjango(appDir string) (*Django, error) {
	manage, err := os.ReadFile(filepath.Join(appDir, "manage.py"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read manage.py\n%w", err)
	}
	match := settingsDefault.FindSubmatch(manage)
	if match == nil {
		return nil, problem.Problem{
			Title: "Django settings module not found",
			File:  "manage.py",
			Cause: "manage.py does not set DJANGO_SETTINGS_MODULE the way django-admin startproject writes it.",
			Fixes: []string{
				`Keep startproject's line in manage.py: os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")`,
				"Or add a Procfile: web: gunicorn --bind 0.0.0.0:$PORT mysite.wsgi",
			},
		}
	}
	d := &Django{Settings: string(match[1])}
	modulePath := filepath.FromSlash(strings.ReplaceAll(d.Settings, ".", "/"))
	var source []byte
	for _, file := range []string{modulePath + ".py", filepath.Join(modulePath, "__init__.py")} {
		if source, err = os.ReadFile(filepath.Join(appDir, file)); err == nil {
			d.SettingsFile = filepath.ToSlash(file)
			break
		}
	}
	if d.SettingsFile == "" {
		return nil, problem.Problem{
			Title: "Django settings module not found",
			File:  "manage.py",
			Cause: fmt.Sprintf("manage.py names the settings module %s, but the app has neither %s.py nor %s/__init__.py.",
				d.Settings, modulePath, modulePath),
			Fixes: []string{"Fix the DJANGO_SETTINGS_MODULE line in manage.py."},
		}
	}
	for _, m := range applicationLine.FindAllSubmatch(source, -1) {
		target := dottedTarget(string(m[2]))
		if string(m[1]) == "WSGI" {
			d.WSGI = target
		} else {
			d.ASGI = target
		}
	}
	// startproject puts wsgi.py and asgi.py beside settings.py; a split
	// settings package (mysite/settings/production.py) sits one deeper.
	project := d.Settings[:max(strings.LastIndex(d.Settings, "."), 0)]
	for _, pkg := range []string{project, project[:max(strings.LastIndex(project, "."), 0)]} {
		if pkg == "" {
			continue
		}
		dir := filepath.Join(appDir, filepath.FromSlash(strings.ReplaceAll(pkg, ".", "/")))
		if _, err := os.Stat(filepath.Join(dir, "wsgi.py")); err == nil && d.WSGI == "" {
			d.WSGI = pkg + ".wsgi:application"
		}
		if _, err := os.Stat(filepath.Join(dir, "asgi.py")); err == nil && d.ASGI == "" {
			d.ASGI = pkg + ".asgi:application"
		}
	}
	return d, nil
}

// dottedTarget turns Django's "mysite.wsgi.application" into the
// servers' "mysite.wsgi:application".
func dottedTarget(dotted string) string {
	i := strings.LastIndex(dotted, ".")
	if i < 0 {
		return dotted
	}
	return dotted[:i] + ":" + dotted[i+1:]
}

// djangoCommand serves a Django project (manage.py, Django in the venv):
// WSGI_APPLICATION on gunicorn, else ASGI_APPLICATION on an ASGI server.
// Django's runserver is a development server and never a guess: a project
// without a server is a Problem. "" when the app is not a Django project.
func djangoCommand(appDir, venvDir string, servers Servers) (string, error) {
	if !DjangoInstalled(venvDir) {
		return "", nil
	}
	project, err := ReadDjango(appDir)
	if err != nil || project == nil {
		return "", err
	}
	if !servers.Any() {
		return "", problem.Problem{
			Title: "No web server for Django",
			File:  "requirements.txt",
			Cause: "This is a Django project (manage.py), but no web server is installed. onbuild does not start\n" +
				"Django's runserver: it is a development server, unsafe and slow in production.",
			Fixes: []string{
				"Add gunicorn to requirements.txt; onbuild then serves " + orDefault(project.WSGI, "WSGI_APPLICATION") + " on $PORT.",
				"Or add uvicorn to serve the project's ASGI application.",
				"Or add a Procfile with the start command you want.",
			},
		}
	}
	entry := Entry{Target: project.WSGI, File: project.SettingsFile, Interface: WSGI}
	if !servers.Gunicorn && !servers.Granian && !servers.Hypercorn {
		entry = Entry{Target: project.ASGI, File: project.SettingsFile, Interface: ASGI}
	}
	if entry.Target == "" {
		return "", problem.Problem{
			Title: "Django application not found",
			File:  project.SettingsFile,
			Cause: fmt.Sprintf("%s sets no %s_APPLICATION and there is no %s.py beside it for the installed server.",
				project.SettingsFile, strings.ToUpper(string(entry.Interface)), entry.Interface),
			Fixes: []string{
				fmt.Sprintf("Set %s_APPLICATION = \"mysite.%s.application\" in %s.", strings.ToUpper(string(entry.Interface)), entry.Interface, project.SettingsFile),
				"Or add a Procfile with the start command you want.",
			},
		}
	}
	return ServeCommand(entry, servers)
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

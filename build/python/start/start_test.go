package start_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python/start"
)

func testStart(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect  = NewWithT(t).Expect
		appDir  string
		venvDir string
		checked []start.Entry
		answer  start.Interface
		check   = func(e start.Entry) (start.Interface, error) {
			checked = append(checked, e)
			return answer, nil
		}
		write = func(name, content string) {
			path := filepath.Join(appDir, name)
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte(content), 0644)).To(Succeed())
		}
		install = func(scripts ...string) {
			Expect(os.MkdirAll(filepath.Join(venvDir, "bin"), 0755)).To(Succeed())
			for _, script := range scripts {
				Expect(os.WriteFile(filepath.Join(venvDir, "bin", script), nil, 0755)).To(Succeed())
			}
		}
		withDjango = func() {
			dir := filepath.Join(venvDir, "lib", "python3.11", "site-packages", "django")
			Expect(os.MkdirAll(dir, 0755)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(dir, "__init__.py"), nil, 0644)).To(Succeed())
		}
		djangoProject = func() {
			write("manage.py", "import os\n\ndef main():\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n")
			write("mysite/__init__.py", "")
			write("mysite/settings.py", "WSGI_APPLICATION = 'mysite.wsgi.application'\n")
			write("mysite/wsgi.py", "application = get_wsgi_application()\n")
			write("mysite/asgi.py", "application = get_asgi_application()\n")
		}
		processesFor = func(launch string) ([]libcnb.Process, error) {
			return start.Processes(appDir, venvDir, launch, check)
		}
		web = func(command string) []libcnb.Process {
			return []libcnb.Process{{Type: "web", Command: []string{"sh", "-c", command}, Default: true}}
		}
	)

	it.Before(func() {
		appDir = t.TempDir()
		venvDir = t.TempDir()
		checked = nil
		answer = start.WSGI
	})

	it("uses every Procfile entry, web by default, over everything else", func() {
		write("Procfile", "# processes\nworker: python worker.py\nweb: gunicorn -b 0.0.0.0:$PORT app:app\n\n")
		write("app.py", "app = Flask(__name__)\n")
		install("gunicorn")

		processes, err := processesFor("python other.py")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{
			{Type: "web", Command: []string{"sh", "-c", "gunicorn -b 0.0.0.0:$PORT app:app"}, Default: true},
			{Type: "worker", Command: []string{"sh", "-c", "python worker.py"}},
		}))
		Expect(checked).To(BeEmpty())
	})

	it("makes a lone Procfile entry the default", func() {
		write("Procfile", "api: python api.py\n")

		processes, err := processesFor("")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{{Type: "api", Command: []string{"sh", "-c", "python api.py"}, Default: true}}))
	})

	it("names the Procfile line that is malformed", func() {
		write("Procfile", "web: ok\njust a command\n")

		_, err := processesFor("")
		Expect(err).To(MatchError(ContainSubstring(`Procfile line 2 is "just a command"`)))
	})

	it("reads a line over 64 KiB whole, and the lines after it", func() {
		long := strings.Repeat("x", 70<<10)
		write("Procfile", "web: echo "+long+"\nworker: python worker.py\n")
		processes, err := start.ReadProcfile(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{
			{Type: "web", Command: []string{"sh", "-c", "echo " + long}, Default: true},
			{Type: "worker", Command: []string{"sh", "-c", "python worker.py"}},
		}))
	})

	it("uses BP_LAUNCH_COMMAND when there is no Procfile", func() {
		write("app.py", "app = 1\n")

		processes, err := processesFor("python serve.py --fast")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal(web("python serve.py --fast")))
	})

	it("runs gunicorn on app.py's app once the check says it is WSGI", func() {
		write("app.py", "from flask import Flask\n\napp = Flask(__name__)\n")
		install("gunicorn")

		processes, err := processesFor("")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal(web(`exec gunicorn --bind "0.0.0.0:${PORT:-8080}" app:app`)))
		Expect(checked).To(Equal([]start.Entry{{Target: "app:app", File: "app.py"}}))
	})

	context("ASGI", func() {
		it.Before(func() {
			answer = start.ASGI
			write("main.py", "from fastapi import FastAPI\napp = FastAPI()\n")
		})

		it("runs uvicorn on main.py's app", func() {
			install("uvicorn")

			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec uvicorn --host 0.0.0.0 --port "${PORT:-8080}" main:app`)))
		})

		it("prefers gunicorn with uvicorn's worker when both are there", func() {
			install("uvicorn", "gunicorn")

			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec gunicorn --bind "0.0.0.0:${PORT:-8080}" --worker-class uvicorn.workers.UvicornWorker main:app`)))
		})

		it("passes the worker count to hypercorn and granian, which do not read it", func() {
			install("hypercorn")
			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec hypercorn --bind "0.0.0.0:${PORT:-8080}" --workers "${WEB_CONCURRENCY:-1}" main:app`)))

			Expect(os.Remove(filepath.Join(venvDir, "bin", "hypercorn"))).To(Succeed())
			install("granian")
			processes, err = processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec granian --interface asgi --host 0.0.0.0 --port "${PORT:-8080}" --workers "${WEB_CONCURRENCY:-1}" main:app`)))
		})

		it("refuses an ASGI app under gunicorn alone", func() {
			install("gunicorn")

			_, err := processesFor("")
			Expect(err).To(MatchError(ContainSubstring("[Error: ASGI app under a WSGI server]")))
			Expect(err.Error()).To(ContainSubstring("main:app is an ASGI app"))
			Expect(err.Error()).To(ContainSubstring("Add uvicorn to requirements.txt"))
		})

		it("finds a package's asgi.py application", func() {
			Expect(os.Remove(filepath.Join(appDir, "main.py"))).To(Succeed())
			write("service/asgi.py", "application = Starlette()\n")
			install("uvicorn")

			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec uvicorn --host 0.0.0.0 --port "${PORT:-8080}" service.asgi:application`)))
		})
	})

	it("refuses a WSGI app under uvicorn alone, naming the file", func() {
		write("app.py", "app = Flask(__name__)\n")
		install("uvicorn")

		_, err := processesFor("")
		Expect(err).To(MatchError(ContainSubstring("[Error: WSGI app under an ASGI server]")))
		Expect(err.Error()).To(ContainSubstring("In app.py:"))
		Expect(err.Error()).To(ContainSubstring("installed is uvicorn, which serves ASGI apps only"))
		Expect(err.Error()).To(ContainSubstring("Add gunicorn to requirements.txt"))
	})

	it("finds wsgi.py's application, then a package's wsgi.py", func() {
		write("mysite/wsgi.py", "application = get_wsgi_application()\n")
		entry, err := start.FindEntry(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entry).To(Equal(start.Entry{Target: "mysite.wsgi:application", File: "mysite/wsgi.py"}))

		write("wsgi.py", "from myapp import app\n")
		entry, err = start.FindEntry(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entry.Target).To(Equal("wsgi:app"))
	})

	it("does not mistake a comparison, a longer name or an unimportable folder for an entry", func() {
		write("app.py", "if app == 1:\n    pass\napplication_name = 'x'\n")
		write("my-site/wsgi.py", "application = 1\n")

		entry, err := start.FindEntry(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entry.Target).To(BeEmpty())
	})

	context("Django", func() {
		it.Before(func() {
			djangoProject()
			withDjango()
		})

		it("serves WSGI_APPLICATION on gunicorn, without an import guess", func() {
			install("gunicorn")

			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec gunicorn --bind "0.0.0.0:${PORT:-8080}" mysite.wsgi:application`)))
			Expect(checked).To(BeEmpty())
		})

		it("serves ASGI_APPLICATION, else asgi.py, when only an ASGI server is there", func() {
			install("uvicorn")
			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec uvicorn --host 0.0.0.0 --port "${PORT:-8080}" mysite.asgi:application`)))

			write("mysite/settings.py", "WSGI_APPLICATION = 'mysite.wsgi.application'\nASGI_APPLICATION = \"mysite.routing.app\"\n")
			processes, err = processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec uvicorn --host 0.0.0.0 --port "${PORT:-8080}" mysite.routing:app`)))
		})

		it("never falls back to runserver: no server is an error with the fix", func() {
			_, err := processesFor("")
			Expect(err).To(MatchError(ContainSubstring("[Error: No web server for Django]")))
			Expect(err.Error()).To(ContainSubstring("Add gunicorn to requirements.txt; onbuild then serves mysite.wsgi:application on $PORT."))
		})

		it("reads a settings package and names a settings module that is missing", func() {
			Expect(os.Remove(filepath.Join(appDir, "mysite", "settings.py"))).To(Succeed())
			write("manage.py", "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings.production\")\n")
			write("mysite/settings/production.py", "from .base import *\n")
			install("gunicorn")

			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec gunicorn --bind "0.0.0.0:${PORT:-8080}" mysite.wsgi:application`)))

			write("manage.py", "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"other.settings\")\n")
			_, err = processesFor("")
			Expect(err).To(MatchError(ContainSubstring("manage.py names the settings module other.settings, but the app has neither other/settings.py nor other/settings/__init__.py")))
		})

		it("is not Django's business when Django is not installed", func() {
			Expect(os.RemoveAll(filepath.Join(venvDir, "lib"))).To(Succeed())
			install("gunicorn")

			processes, err := processesFor("")
			Expect(err).NotTo(HaveOccurred())
			Expect(processes).To(Equal(web(`exec gunicorn --bind "0.0.0.0:${PORT:-8080}" mysite.wsgi:application`)))
			Expect(checked).To(HaveLen(1), "a guess, so checked")
		})
	})

	it("falls back to python app.py without a server", func() {
		write("app.py", "app = Flask(__name__)\n")

		processes, err := processesFor("")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"python", "app.py"}, Default: true}}))
	})

	it("falls back to main.py", func() {
		write("main.py", "print('hi')\n")

		processes, err := processesFor("")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes[0].Command).To(Equal([]string{"python", "main.py"}))
	})

	it("fails with fixes when nothing can start the app", func() {
		write("lib.py", "x = 1\n")

		_, err := processesFor("")
		Expect(err).To(MatchError(ContainSubstring("[Error: No start command]")))
		Expect(err.Error()).To(ContainSubstring("1. Add a Procfile"))
	})
}

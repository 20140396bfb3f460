package python_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
)

func testStart(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect  = NewWithT(t).Expect
		appDir  string
		venvDir string
		write   = func(name, content string) {
			path := filepath.Join(appDir, name)
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte(content), 0644)).To(Succeed())
		}
		withGunicorn = func() {
			Expect(os.MkdirAll(filepath.Join(venvDir, "bin"), 0755)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(venvDir, "bin", "gunicorn"), nil, 0755)).To(Succeed())
		}
	)

	it.Before(func() {
		appDir = t.TempDir()
		venvDir = t.TempDir()
	})

	it("uses every Procfile entry, web by default, over everything else", func() {
		write("Procfile", "# processes\nworker: python worker.py\nweb: gunicorn -b 0.0.0.0:$PORT app:app\n\n")
		write("app.py", "app = Flask(__name__)\n")
		withGunicorn()

		processes, _, err := python.StartProcesses(appDir, venvDir, "python other.py")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{
			{Type: "web", Command: []string{"sh", "-c", "gunicorn -b 0.0.0.0:$PORT app:app"}, Default: true},
			{Type: "worker", Command: []string{"sh", "-c", "python worker.py"}},
		}))
	})

	it("makes a lone Procfile entry the default", func() {
		write("Procfile", "api: python api.py\n")

		processes, _, err := python.StartProcesses(appDir, venvDir, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{{Type: "api", Command: []string{"sh", "-c", "python api.py"}, Default: true}}))
	})

	it("names the Procfile line that is malformed", func() {
		write("Procfile", "web: ok\njust a command\n")

		_, _, err := python.StartProcesses(appDir, venvDir, "")
		Expect(err).To(MatchError(ContainSubstring(`Procfile line 2 is "just a command"`)))
	})

	it("reads a line over 64 KiB whole, and the lines after it", func() {
		long := strings.Repeat("x", 70<<10)
		write("Procfile", "web: echo "+long+"\nworker: python worker.py\n")
		processes, err := python.ReadProcfile(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{
			{Type: "web", Command: []string{"sh", "-c", "echo " + long}, Default: true},
			{Type: "worker", Command: []string{"sh", "-c", "python worker.py"}},
		}))
	})

	it("uses BP_LAUNCH_COMMAND when there is no Procfile", func() {
		write("app.py", "app = 1\n")

		processes, _, err := python.StartProcesses(appDir, venvDir, "python serve.py --fast")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"sh", "-c", "python serve.py --fast"}, Default: true}}))
	})

	it("runs gunicorn on app.py's app when gunicorn is installed", func() {
		write("app.py", "from flask import Flask\n\napp = Flask(__name__)\n")
		withGunicorn()

		processes, _, err := python.StartProcesses(appDir, venvDir, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(HaveLen(1))
		Expect(processes[0].Command).To(Equal([]string{"sh", "-c", `exec gunicorn --bind "0.0.0.0:${PORT:-8080}" app:app`}))
		Expect(processes[0].Default).To(BeTrue())
	})

	it("finds wsgi.py's application, then a package's wsgi.py", func() {
		withGunicorn()
		write("mysite/wsgi.py", "application = get_wsgi_application()\n")
		target, err := python.FindWSGI(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(target).To(Equal("mysite.wsgi:application"))

		write("wsgi.py", "from myapp import app\n")
		target, err = python.FindWSGI(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(target).To(Equal("wsgi:app"))
	})

	it("does not mistake a comparison or a longer name for a definition", func() {
		write("app.py", "if app == 1:\n    pass\napplication_name = 'x'\n")

		target, err := python.FindWSGI(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(target).To(BeEmpty())
	})

	it("falls back to python app.py without gunicorn", func() {
		write("app.py", "app = Flask(__name__)\n")

		processes, _, err := python.StartProcesses(appDir, venvDir, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{{Type: "web", Command: []string{"python", "app.py"}, Default: true}}))
	})

	it("falls back to main.py", func() {
		write("main.py", "print('hi')\n")

		processes, _, err := python.StartProcesses(appDir, venvDir, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(processes[0].Command).To(Equal([]string{"python", "main.py"}))
	})

	it("fails with fixes when nothing can start the app", func() {
		write("lib.py", "x = 1\n")

		_, _, err := python.StartProcesses(appDir, venvDir, "")
		Expect(err).To(MatchError(ContainSubstring("[Error: No start command]")))
		Expect(err.Error()).To(ContainSubstring("1. Add a Procfile"))
	})
}

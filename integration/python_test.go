package integration_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testPython(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("builds a Flask app that answers, reuses the venv for a source change, rebuilds it for a requirements change", func() {
		a := newApp(t, "python/flask")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("Python virtualenv: Contributing to layer"))
		Expect(out).To(ContainSubstring(`web: /layers/onbuild_python/start/bin/supervise sh -c exec gunicorn --bind "0.0.0.0:${PORT:-8080}" app:app`))

		url := a.start()
		Expect(a.get(url + "/")).To(Equal("Hello from onbuild"))
		Expect(a.get(url + "/env")).To(And(
			ContainSubstring(`"python":"/layers/onbuild_python/venv/bin/python"`),
			ContainSubstring(`"server":"gunicorn`)))

		source, err := os.ReadFile(filepath.Join(a.dir, "app.py"))
		Expect(err).NotTo(HaveOccurred())
		a.write("app.py", strings.Replace(string(source), "Hello from onbuild", "Hello again", 1))
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))
		Expect(out).NotTo(ContainSubstring("Installing --requirement"))
		Expect(out).NotTo(ContainSubstring("Collecting"))
		Expect(a.get(a.start() + "/")).To(Equal("Hello again"))

		requirements, err := os.ReadFile(filepath.Join(a.dir, "requirements.txt"))
		Expect(err).NotTo(HaveOccurred())
		a.write("requirements.txt", string(requirements)+"# a changed byte is a changed key\n")
		downloads := index.Downloads("flask")
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("Python virtualenv: Contributing to layer"))
		Expect(out).To(ContainSubstring("requirements.txt changed"))
		// Only the bytes changed: pip resolves the same set, nothing to install.
		Expect(out).To(ContainSubstring("Only the requirements changed: updating the virtualenv in place"))
		Expect(out).NotTo(ContainSubstring("Installing --requirement requirements.txt"))
		Expect(index.Downloads("flask")).To(Equal(downloads), "pip resolves from the pip cache layer, not the index")
		Expect(a.get(a.start() + "/")).To(Equal("Hello again"))
	})

	it("starts the Procfile's web process over the gunicorn default", func() {
		a := newApp(t, "python/procfile")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("web: /layers/onbuild_python/start/bin/supervise sh -c exec python server.py"))
		Expect(a.get(a.start() + "/")).To(Equal("served by the Procfile"))
	})

	it("fails detection with a clear line when the app has no Python files", func() {
		a := newApp(t, "python/no-python")
		out, err := a.build()
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("No buildpack groups passed detection"))

		out, err = a.build("--verbose")
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("onbuild/python: no requirements.txt, setup.py, pyproject.toml, Pipfile or lock file in the app directory"))
	})

	it("names the missing package and the index, and leaves no venv a later build would trust", func() {
		a := newApp(t, "python/missing-package")
		out, err := a.build()
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Python package not found]"))
		Expect(out).To(ContainSubstring("pip could not find nosuchpkg==1.0 on " + index.URL()))

		a.write("requirements.txt", "flask==3.1.1\n")
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("Python virtualenv: Contributing to layer"))
		Expect(out).NotTo(ContainSubstring("Reusing cached layer"))
	})
}

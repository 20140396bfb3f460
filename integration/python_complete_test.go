package integration_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// testPythonComplete covers the Python buildpack beyond the walking
// skeleton: exact cache keys, projects, wheelhouses, errors, SBOM and
// images (reproducibility: reproducible_test.go).
func testPythonComplete(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	const venvPython = "/layers/onbuild_python/venv/bin/python"

	readFile := func(a *app, name string) string {
		content, err := os.ReadFile(filepath.Join(a.dir, name))
		Expect(err).NotTo(HaveOccurred())
		return string(content)
	}

	it("downloads only an added requirement and drops removed ones from the image", func() {
		a := newApp(t, "python/flask")
		a.mustBuild()
		requirements := readFile(a, "requirements.txt")

		flask, six := index.Downloads("flask"), index.Downloads("six")
		a.write("requirements.txt", requirements+"six==1.17.0\n")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("requirements.txt changed: +six==1.17.0"))
		Expect(index.Downloads("six")).To(Equal(six + 1))
		Expect(index.Downloads("flask")).To(Equal(flask), "unchanged requirements come from the pip cache layer")

		a.write("requirements.txt", strings.Replace(requirements, "gunicorn==23.0.0\n", "", 1))
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("requirements.txt changed: -gunicorn==23.0.0"))
		imports, err := inImage(a.image, venvPython, "-c", "import six")
		Expect(err).To(HaveOccurred(), "six was removed from requirements.txt: %s", imports)
		imports, err = inImage(a.image, venvPython, "-c", "import gunicorn")
		Expect(err).To(HaveOccurred(), "gunicorn was removed from requirements.txt: %s", imports)
		Expect(imports).To(ContainSubstring("No module named 'gunicorn'"))
	})

	it("installs a pyproject.toml app editable, so source and metadata edits reuse the venv", func() {
		a := newApp(t, "python/pyproject")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("Installing --editable ."))
		Expect(out).To(ContainSubstring("shop.wsgi:app"))
		Expect(a.get(a.start() + "/")).To(Equal("hello from shop"))

		a.write("shop/wsgi.py", strings.Replace(readFile(a, "shop/wsgi.py"), "hello from shop", "hello again", 1))
		a.write("pyproject.toml", strings.Replace(readFile(a, "pyproject.toml"), `version = "1.0.0"`, `version = "1.0.1"`, 1))
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))
		Expect(a.get(a.start() + "/")).To(Equal("hello again"))
	})

	it("prefers the app's wheelhouse over the index", func() {
		a := newApp(t, "python/flask")
		Expect(os.MkdirAll(filepath.Join(a.dir, "wheelhouse"), 0755)).To(Succeed())
		wheel, err := os.ReadFile(filepath.Join(index.Dir(), "six-1.17.0-py3-none-any.whl"))
		Expect(err).NotTo(HaveOccurred())
		a.write("wheelhouse/six-1.17.0-py3-none-any.whl", string(wheel))
		a.write("requirements.txt", readFile(a, "requirements.txt")+"six==1.17.0\n")

		six := index.Downloads("six")
		a.mustBuild()
		Expect(index.Downloads("six")).To(Equal(six))
		out, err := inImage(a.image, venvPython, "-c", "import six; print(six.__version__)")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(Equal("1.17.0\n"))
	})

	it("fails with the fix for a misnamed requirements file", func() {
		out, err := newApp(t, "python/near-miss").build()
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("[Error: Misnamed requirements file]"))
		Expect(out).To(ContainSubstring("Rename Requirements.txt to requirements.txt."))
	})

	it("names every variable that would break the venv", func() {
		out, err := newApp(t, "python/flask").build("--env", "PIP_USER=1", "--env", "PYTHONHOME=/opt")
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("[Error: Environment breaks the virtualenv]"))
		Expect(out).To(ContainSubstring("PIP_USER=1"))
		Expect(out).To(ContainSubstring("PYTHONHOME=/opt"))
	})

	it("fails the build when the guessed WSGI app does not import", func() {
		out, err := newApp(t, "python/bad-wsgi").build()
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("[Error: Entry point does not import]"))
		Expect(out).To(ContainSubstring("No module named 'settings_that_do_not_exist'"))
		Expect(out).To(ContainSubstring("Add a Procfile"))
	})

	it("records the installed distributions in the image's SBOM", func() {
		a := newApp(t, "python/flask")
		a.mustBuild()
		dir := t.TempDir()
		out, err := exec.Command(pack, "sbom", "download", a.image, "--output-dir", dir).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))

		content, err := os.ReadFile(filepath.Join(dir, "layers", "sbom", "launch", "onbuild_python", "venv", "sbom.cdx.json"))
		Expect(err).NotTo(HaveOccurred())
		var bom struct {
			Components []struct{ Name, Version, Purl string }
		}
		Expect(json.Unmarshal(content, &bom)).To(Succeed())
		Expect(bom.Components).To(ContainElement(And(
			HaveField("Purl", "pkg:pypi/flask@3.1.1"), HaveField("Version", "3.1.1"))))
		_, err = os.Stat(filepath.Join(dir, "layers", "sbom", "launch", "onbuild_python", "venv", "sbom.spdx.json"))
		Expect(err).NotTo(HaveOccurred())
	})
}

func imageID(image string) string {
	out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", image).Output()
	if err != nil {
		return "missing: " + err.Error()
	}
	return strings.TrimSpace(string(out))
}

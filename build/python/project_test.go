package python_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
)

func testProject(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		appDir string
		write  = func(name, content string) {
			Expect(os.WriteFile(filepath.Join(appDir, name), []byte(content), 0644)).To(Succeed())
		}
		pyproject = `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "shop"
version = "%s"
description = "%s"
dependencies = [%s]
`
	)

	it.Before(func() {
		appDir = t.TempDir()
	})

	it("keys pyproject.toml on its dependency declarations, not its version or description", func() {
		write("pyproject.toml", fmt.Sprintf(pyproject, "1.0", "a shop", `"flask==2.2.2"`))
		before, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(before).To(HaveKey("pyproject.toml"))

		write("pyproject.toml", fmt.Sprintf(pyproject, "1.1", "a better shop", `"flask==2.2.2"`))
		after, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(after).To(Equal(before))

		write("pyproject.toml", fmt.Sprintf(pyproject, "1.1", "a better shop", `"flask==2.2.2", "click==8.1.3"`))
		changed, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(changed).NotTo(Equal(before))
	})

	it("keys on the whole file when dependencies are dynamic", func() {
		write("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"dependencies\"]\n")
		before, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())

		write("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"dependencies\"]\n# changed\n")
		after, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(after).NotTo(Equal(before))
	})

	it("keys setup.py on its whole content", func() {
		write("setup.py", "from setuptools import setup\nsetup(name='x')\n")
		found, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(HaveKey("setup.py"))
	})

	it("names pyproject.toml when it is not TOML", func() {
		write("pyproject.toml", "[project\nname = \n")
		_, err := python.ProjectDependencies(appDir)
		Expect(err).To(MatchError(ContainSubstring("[Error: Malformed pyproject.toml]")))
	})

	it("finds wheelhouse folders and keys every wheel in them", func() {
		Expect(os.MkdirAll(filepath.Join(appDir, ".whiskey", "wheelhouse"), 0755)).To(Succeed())
		write(".whiskey/wheelhouse/shop-1.0-py3-none-any.whl", "wheel")

		dirs, files, err := python.Wheelhouse(appDir)
		Expect(err).NotTo(HaveOccurred())
		Expect(dirs).To(Equal([]string{".whiskey/wheelhouse"}))
		Expect(files).To(HaveKey(".whiskey/wheelhouse/shop-1.0-py3-none-any.whl"))
	})

	it("installs the wheelhouse's wheels for required projects first, without the index", func() {
		wheels := map[string]string{
			"wheelhouse/six-1.16.0-py3-none-any.whl":         "a",
			"wheelhouse/Zope.Interface-5.5-py3-none-any.whl": "b",
			"wheelhouse/unrelated-1.0-py3-none-any.whl":      "c",
			"wheelhouse/README":                              "d",
		}
		lines := map[string][]string{"requirements.txt": {"six==1.16.0", "zope-interface>=5", "-r base.txt", "flask"}}

		Expect(python.WheelhouseStep(wheels, lines)).To(Equal(
			"--no-index --no-deps wheelhouse/Zope.Interface-5.5-py3-none-any.whl wheelhouse/six-1.16.0-py3-none-any.whl"))
		Expect(python.WheelhouseStep(wheels, map[string][]string{"requirements.txt": {"flask"}})).To(BeEmpty())
	})

	it("names every variable that would break the venv", func() {
		Expect(python.CheckEnvironment([]string{"PATH=/bin", "HOME=/home/cnb"})).To(Succeed())

		err := python.CheckEnvironment([]string{"PIP_USER=1", "PATH=/bin", "PYTHONHOME=/opt/py"})
		Expect(err).To(MatchError(ContainSubstring("PIP_USER=1\n  PYTHONHOME=/opt/py")))
		Expect(err.Error()).To(ContainSubstring("[Error: Environment breaks the virtualenv]"))
	})
}

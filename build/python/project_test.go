package python_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

	// keyChanges writes name with before, then after, and says whether the
	// project key changed.
	keyChanges := func(name, before, after string) bool {
		write(name, before)
		first, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())
		write(name, after)
		second, err := python.ProjectDependencies(appDir)
		Expect(err).NotTo(HaveOccurred())
		return fmt.Sprint(first) != fmt.Sprint(second)
	}

	it("keys setup.cfg on install_requires and extras_require, not on its metadata", func() {
		write("setup.py", "from setuptools import setup\nsetup()\n")
		cfg := "[metadata]\nname = shop\nversion = %s\n\n[options]\npackages = find:\ninstall_requires =\n    %s\n\n[options.extras_require]\ndev = %s\n"
		Expect(keyChanges("setup.cfg", fmt.Sprintf(cfg, "1.0", "flask==2.2.2", "pytest"), fmt.Sprintf(cfg, "1.1", "flask==2.2.2", "pytest"))).To(BeFalse())
		Expect(keyChanges("setup.cfg", fmt.Sprintf(cfg, "1.0", "flask==2.2.2", "pytest"), fmt.Sprintf(cfg, "1.0", "flask==2.2.3", "pytest"))).To(BeTrue())
		Expect(keyChanges("setup.cfg", fmt.Sprintf(cfg, "1.0", "flask==2.2.2", "pytest"), fmt.Sprintf(cfg, "1.0", "flask==2.2.2", "pytest==8"))).To(BeTrue())

		write("setup.cfg", "[options]\ninstall_requires = file: reqs.in\n")
		Expect(keyChanges("reqs.in", "flask==2.2.2\n", "flask==2.2.3\n")).To(BeTrue())
	})

	it("keys Poetry's dependencies and groups, not its version", func() {
		poetry := "[tool.poetry]\nname = \"shop\"\nversion = \"%s\"\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"%s\"\n\n[tool.poetry.group.dev.dependencies]\npytest = \"%s\"\n\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n"
		Expect(keyChanges("pyproject.toml", fmt.Sprintf(poetry, "1.0", "2.2.2", "8"), fmt.Sprintf(poetry, "1.1", "2.2.2", "8"))).To(BeFalse())
		Expect(keyChanges("pyproject.toml", fmt.Sprintf(poetry, "1.0", "2.2.2", "8"), fmt.Sprintf(poetry, "1.0", "2.2.3", "8"))).To(BeTrue())
		Expect(keyChanges("pyproject.toml", fmt.Sprintf(poetry, "1.0", "2.2.2", "8"), fmt.Sprintf(poetry, "1.0", "2.2.2", "9"))).To(BeTrue())
	})

	it("keys the files [tool.setuptools.dynamic] takes dependencies from", func() {
		write("pyproject.toml", "[project]\nname = \"shop\"\ndynamic = [\"dependencies\", \"optional-dependencies\"]\n\n"+
			"[tool.setuptools.dynamic]\ndependencies = {file = [\"requirements.in\"]}\noptional-dependencies.dev = {file = \"dev.in\"}\n")
		write("dev.in", "pytest\n")
		Expect(keyChanges("requirements.in", "flask==2.2.2\n", "flask==2.2.3\n")).To(BeTrue())
		Expect(keyChanges("dev.in", "pytest\n", "pytest==8\n")).To(BeTrue())
	})

	it("names pyproject.toml and the file when a dynamic dependency file is missing or outside the app", func() {
		write("pyproject.toml", "[project]\nname = \"shop\"\ndynamic = [\"dependencies\"]\n[tool.setuptools.dynamic]\ndependencies = {file = [\"reqs.in\"]}\n")
		_, err := python.ProjectDependencies(appDir)
		Expect(err).To(MatchError(ContainSubstring("pyproject.toml takes dependencies from reqs.in")))

		write("pyproject.toml", "[project]\nname = \"shop\"\ndynamic = [\"dependencies\"]\n[tool.setuptools.dynamic]\ndependencies = {file = [\"../reqs.in\"]}\n")
		_, err = python.ProjectDependencies(appDir)
		Expect(err).To(MatchError(ContainSubstring("outside the app")))
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

		step, err := python.WheelhouseStep(wheels, lines)
		Expect(err).NotTo(HaveOccurred())
		Expect(step).To(Equal(
			"--no-index --no-deps wheelhouse/Zope.Interface-5.5-py3-none-any.whl wheelhouse/six-1.16.0-py3-none-any.whl"))
		Expect(python.WheelhouseStep(wheels, map[string][]string{"requirements.txt": {"flask"}})).To(BeEmpty())
	})

	it("fails, as pip would, on a wheelhouse wheel that does not match its --hash pin", func() {
		good := strings.Repeat("a", 64)
		wheels := map[string]string{"wheelhouse/six-1.16.0-py3-none-any.whl": strings.Repeat("b", 64)}
		lines := map[string][]string{"requirements.txt": {"six==1.16.0 --hash=sha256:" + good}}

		_, err := python.WheelhouseStep(wheels, lines)
		Expect(err).To(MatchError(ContainSubstring("[Error: Wheelhouse wheel does not match its hash]")))
		Expect(err.Error()).To(ContainSubstring("wheelhouse/six-1.16.0-py3-none-any.whl"))
		Expect(err.Error()).To(ContainSubstring("requirements.txt pins six==1.16.0 to sha256:" + good))

		wheels["wheelhouse/six-1.16.0-py3-none-any.whl"] = good
		step, err := python.WheelhouseStep(wheels, lines)
		Expect(err).NotTo(HaveOccurred())
		Expect(step).To(Equal("--no-index --no-deps wheelhouse/six-1.16.0-py3-none-any.whl"))
	})

	it("leaves a wheel without a pin to pip once hashes are in play, and ignores other versions", func() {
		wheels := map[string]string{
			"wheelhouse/six-1.15.0-py3-none-any.whl":  strings.Repeat("c", 64),
			"wheelhouse/click-8.1.3-py3-none-any.whl": strings.Repeat("d", 64),
		}
		lines := map[string][]string{"requirements.txt": {"six==1.16.0 --hash=sha256:" + strings.Repeat("a", 64), "click==8.1.3"}}

		Expect(python.WheelhouseStep(wheels, lines)).To(BeEmpty())
	})

	it("names every variable that would break the venv", func() {
		Expect(python.CheckEnvironment([]string{"PATH=/bin", "HOME=/home/cnb"})).To(Succeed())

		err := python.CheckEnvironment([]string{"PIP_USER=1", "PATH=/bin", "PYTHONHOME=/opt/py"})
		Expect(err).To(MatchError(ContainSubstring("PIP_USER=1\n  PYTHONHOME=/opt/py")))
		Expect(err.Error()).To(ContainSubstring("[Error: Environment breaks the virtualenv]"))
	})
}

package lockfile

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testPoetry(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		dir    string
	)

	it.Before(func() {
		dir = copyApp(t, "poetry")
	})

	it("installs the main group of a lock Poetry 1.3 wrote, its content-hash matching", func() {
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(names(set)).To(Equal([]string{"colorama==0.4.6", "flask==3.1.1", "helper==0.2.0", "itsdangerous==2.2.0"}))
		Expect(set.Root).To(Equal(Root{Name: "app", Kind: RootEditable}))
		Expect(pkg(set, "colorama").Marker).To(Equal(`sys_platform == "win32"`))
		Expect(pkg(set, "helper").Source).To(Equal(Source{Kind: SourcePath, Path: "libs/helper", Editable: true}))
		Expect(pkg(set, "flask").Hashes).To(Equal([]string{"sha256:0754a9a9aed89e1ca439ef367a4a135612e693db525584024cdd327252f749c2"}))
	})

	it("adds an extra's optional dependencies and a group when selected", func() {
		set, err := resolveApp(t, dir, "server")
		Expect(err).NotTo(HaveOccurred())
		Expect(names(set)).To(ContainElements("gunicorn==23.0.0", "packaging==25.0"))
		Expect(names(set)).NotTo(ContainElement("six==1.17.0"))

		set, err = resolveApp(t, dir, "dev", "main")
		Expect(err).NotTo(HaveOccurred())
		Expect(names(set)).To(ContainElement("six==1.17.0"))
		Expect(names(set)).NotTo(ContainElement("gunicorn==23.0.0"))
	})

	it("activates extras of locked packages along the path", func() {
		edit(t, dir, "poetry.lock", "[package.dependencies]\npackaging = \"*\"",
			"[package.dependencies]\npackaging = \"*\"\nsix = {version = \"*\", optional = true, markers = \"python_version >= \\\"3.12\\\"\"}")
		edit(t, dir, "poetry.lock", "setproctitle = [\"setproctitle\"]", "setproctitle = [\"setproctitle\"]\nsix = [\"six ; platform_machine == 'x86_64'\"]")
		edit(t, dir, "pyproject.toml", `gunicorn = { version = "*", optional = true }`, `gunicorn = { version = "*", optional = true, extras = ["six"] }`)
		_, err := resolveApp(t, dir, "server")
		Expect(err).To(MatchError(ContainSubstring("content-hash no longer matches")))

		edit(t, dir, "poetry.lock", `content-hash = "9767dc34bd7ac24788c256b785d5ae22cea8fe8df105d3fb4f6617a6c13b0f86"`, `content-hash = ""`)
		set, err := resolveApp(t, dir, "server")
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg(set, "six").Marker).To(Equal(`platform_machine == "x86_64" and python_version >= "3.12"`))
	})

	it("knows a project that is not a package", func() {
		edit(t, dir, "pyproject.toml", `authors = ["onbuild <dev@example.invalid>"]`, "authors = [\"onbuild <dev@example.invalid>\"]\npackage-mode = false")
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Root.Kind).To(Equal(RootVirtual))
	})

	it("names a declared dependency the lock lacks", func() {
		edit(t, dir, "pyproject.toml", `flask = "*"`, "flask = \"*\"\nrequests = \"*\"")
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("poetry.lock is out of date: pyproject.toml declares requests (group main), but the lock does not cover it.")))
		Expect(err.Error()).To(ContainSubstring("Run `poetry lock` and commit poetry.lock."))
	})

	it("finds a changed constraint through the content-hash", func() {
		edit(t, dir, "pyproject.toml", `flask = "*"`, `flask = ">=3"`)
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("poetry.lock is out of date: the dependencies in pyproject.toml changed after it was written")))
	})

	it("ignores changes outside the dependency sections", func() {
		edit(t, dir, "pyproject.toml", `description = "onbuild test app"`, `description = "another description"`)
		_, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
	})

	it("reads a git package at its resolved commit", func() {
		edit(t, dir, "poetry.lock", "type = \"directory\"\nurl = \"libs/helper\"",
			"type = \"git\"\nurl = \"https://git.example.invalid/helper.git\"\nreference = \"main\"\nresolved_reference = \"0123456789abcdef0123456789abcdef01234567\"")
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg(set, "helper").Source).To(Equal(Source{Kind: SourceGit, URL: "https://git.example.invalid/helper.git", Commit: "0123456789abcdef0123456789abcdef01234567", Editable: true}))
	})

	it("refuses several versions under one name in a lock without recorded markers", func() {
		edit(t, dir, "poetry.lock", "[extras]", "[[package]]\nname = \"six\"\nversion = \"1.16.0\"\noptional = false\npython-versions = \"*\"\nfiles = []\n\n[extras]")
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("poetry.lock locks several versions of six")))
		Expect(err.Error()).To(ContainSubstring("Poetry 2.1 or later"))
	})

	it("refuses a lock-version it does not know", func() {
		edit(t, dir, "poetry.lock", `lock-version = "2.0"`, `lock-version = "3.0"`)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring(`poetry.lock has lock-version "3.0"`)))
	})

	it("refuses a package without hashes", func() {
		edit(t, dir, "poetry.lock", `    {file = "flask-3.1.1-py3-none-any.whl", hash = "sha256:0754a9a9aed89e1ca439ef367a4a135612e693db525584024cdd327252f749c2"},`, "")
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("poetry.lock locks flask 3.1.1 without any hash")))
	})

	it("refuses a marker pip cannot parse", func() {
		edit(t, dir, "poetry.lock", "[package.dependencies]\nitsdangerous = \"*\"", "[package.dependencies]\nitsdangerous = {version = \"*\", markers = \"python_version >> '3'\"}")
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("Unusable entry for helper in poetry.lock")))
		Expect(err.Error()).To(ContainSubstring(`invalid marker "python_version >> '3'"`))
	})

	it("refuses malformed TOML in the manifest, naming it", func() {
		edit(t, dir, "pyproject.toml", `flask = "*"`, `flask = `)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("pyproject.toml is not valid TOML")))
		Expect(err.Error()).To(ContainSubstring("Fix pyproject.toml by hand and run `poetry lock`."))
	})

	it("turns Poetry python constraints into markers", func() {
		for constraint, want := range map[string]string{
			"^3.8":             `(python_version >= "3.8" and python_version < "4")`,
			"~3.9":             `(python_version >= "3.9" and python_version < "3.10")`,
			">=3.7,<3.10":      `(python_version >= "3.7" and python_version < "3.10")`,
			"<3.8 || >=3.11.2": `(python_version < "3.8") or (python_full_version >= "3.11.2")`,
			"*":                "",
		} {
			got, err := poetryPythonMarker(constraint)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want), constraint)
		}
		_, err := poetryPythonMarker("^three")
		Expect(err).To(HaveOccurred())
	})

	context("with a Poetry 2 project ([project] table, lock-version 2.1)", func() {
		it.Before(func() {
			dir = copyApp(t, "poetry2")
		})

		it("installs [project] dependencies of a virtual project, its content-hash matching", func() {
			set, err := resolveApp(t, dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(names(set)).To(Equal([]string{"colorama==0.4.6", "flask==3.1.1"}))
			Expect(pkg(set, "colorama").Marker).To(Equal(`sys_platform == "win32"`))
			Expect(set.Root).To(Equal(Root{Name: "app2", Kind: RootVirtual}))
		})

		it("adds [project.optional-dependencies] and groups when selected", func() {
			set, err := resolveApp(t, dir, "server", "dev")
			Expect(err).NotTo(HaveOccurred())
			Expect(names(set)).To(Equal([]string{"colorama==0.4.6", "flask==3.1.1", "gunicorn==23.0.0", "packaging==25.0", "six==1.17.0"}))
		})

		it("finds a changed requires-python through the content-hash", func() {
			edit(t, dir, "pyproject.toml", `requires-python = ">=3.11"`, `requires-python = ">=3.12"`)
			_, err := resolveApp(t, dir)
			Expect(err).To(MatchError(ContainSubstring("poetry.lock is out of date")))
		})

		it("tells apart versions locked under one name by their recorded markers", func() {
			edit(t, dir, "poetry.lock", "groups = [\"dev\"]\n", "groups = [\"dev\"]\nmarkers = {dev = \"python_version >= \\\"3.12\\\"\"}\n")
			edit(t, dir, "poetry.lock", "[extras]", `[[package]]
name = "six"
version = "1.16.0"
description = ""
optional = false
python-versions = "*"
groups = ["dev"]
markers = "python_version < \"3.12\""
files = [
    {file = "six-1.16.0-py3-none-any.whl", hash = "sha256:`+sixtyFour('a')+`"},
]

[extras]`)
			set, err := resolveApp(t, dir, "dev")
			Expect(err).NotTo(HaveOccurred())
			Expect(set.Hashed().Requirements()).To(ContainSubstring("six==1.16.0 ; python_version < \"3.12\" \\\n"))
			Expect(set.Hashed().Requirements()).To(ContainSubstring("six==1.17.0 ; python_version >= \"3.12\" \\\n"))

			set, err = resolveApp(t, dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(names(set)).To(Equal([]string{"colorama==0.4.6", "flask==3.1.1"}))
		})

		it("names a [project] dependency the lock lacks", func() {
			edit(t, dir, "pyproject.toml", `"flask (>=3)",`, `"flask (>=3)", "requests[socks]>=2",`)
			_, err := resolveApp(t, dir)
			Expect(err).To(MatchError(ContainSubstring("pyproject.toml declares requests (group main)")))
		})
	})
}

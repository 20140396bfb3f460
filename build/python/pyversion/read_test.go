package pyversion_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python/pyversion"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

const pyproject = `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "shop"
version = "1.0"
requires-python = ">=3.9,<3.13"
dependencies = ["flask==3.0.0"]
`

const pipfile = `[[source]]
url = "https://example.invalid/simple"
name = "pypi"

[packages]
flask = "*"

[requires]
python_version = "3.11"
`

const uvLock = `version = 1
revision = 2
requires-python = ">=3.12"

[[package]]
name = "flask"
version = "3.0.0"
`

func testRead(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		appDir string
	)

	it.Before(func() {
		appDir = t.TempDir()
	})

	type read struct {
		file, key, raw, asks string
		line                 int
	}

	it("reads each source, the highest priority first", func() {
		for _, c := range []struct {
			name     string
			files    map[string]string
			override string
			want     read
		}{
			{"the override beats every file", map[string]string{".python-version": "3.11\n", "pyproject.toml": pyproject},
				"3.13", read{file: "BP_PYTHON_VERSION", raw: "3.13", asks: "3.13"}},
			{"an override may be a specifier set", nil,
				" >=3.12 ", read{file: "BP_PYTHON_VERSION", raw: " >=3.12 ", asks: ">=3.12"}},
			{".python-version", map[string]string{".python-version": "3.13\n"},
				"", read{file: ".python-version", line: 1, raw: "3.13", asks: "3.13"}},
			{".python-version skips comments and blank lines and takes the first version line",
				map[string]string{".python-version": "# pyenv local\n\n   3.12.4  \n3.11\n"},
				"", read{file: ".python-version", line: 3, raw: "3.12.4", asks: "3.12.4"}},
			{".python-version with a byte order mark, CRLF and a trailing comment",
				map[string]string{".python-version": "\ufeff\r\n3.13 # production\r\n"},
				"", read{file: ".python-version", line: 2, raw: "3.13", asks: "3.13"}},
			{".python-version in uv's cpython@ form", map[string]string{".python-version": "cpython@3.12\n"},
				"", read{file: ".python-version", line: 1, raw: "cpython@3.12", asks: "3.12"}},
			{".python-version holding a range, as uv allows", map[string]string{".python-version": ">=3.12\n"},
				"", read{file: ".python-version", line: 1, raw: ">=3.12", asks: ">=3.12"}},
			{".python-version with several versions on a line, as pyenv reads it",
				map[string]string{".python-version": "3.12.1 3.11.6\n"},
				"", read{file: ".python-version", line: 1, raw: "3.12.1", asks: "3.12.1"}},
			{".python-version holding a range with spaces and a comment",
				map[string]string{".python-version": ">= 3.12, < 3.14  # uv\n"},
				"", read{file: ".python-version", line: 1, raw: ">= 3.12, < 3.14", asks: ">=3.12,<3.14"}},
			{".python-version with only a major", map[string]string{".python-version": "3"},
				"", read{file: ".python-version", line: 1, raw: "3", asks: "3"}},
			{".python-version beats runtime.txt and the rest",
				map[string]string{".python-version": "3.12\n", "runtime.txt": "python-3.11.9\n", "pyproject.toml": pyproject, "Pipfile": pipfile, "uv.lock": uvLock},
				"", read{file: ".python-version", line: 1, raw: "3.12", asks: "3.12"}},
			{"runtime.txt", map[string]string{"runtime.txt": "python-3.12.7\n"},
				"", read{file: "runtime.txt", line: 1, raw: "python-3.12.7", asks: "3.12.7"}},
			{"runtime.txt with a minor only, after a blank line", map[string]string{"runtime.txt": "\npython-3.12  \n"},
				"", read{file: "runtime.txt", line: 2, raw: "python-3.12", asks: "3.12"}},
			{"runtime.txt beats pyproject.toml", map[string]string{"runtime.txt": "python-3.11.9", "pyproject.toml": pyproject},
				"", read{file: "runtime.txt", line: 1, raw: "python-3.11.9", asks: "3.11.9"}},
			{"requires-python in pyproject.toml", map[string]string{"pyproject.toml": pyproject, "Pipfile": pipfile, "uv.lock": uvLock},
				"", read{file: "pyproject.toml", key: "requires-python", line: 8, raw: ">=3.9,<3.13", asks: ">=3.9,<3.13"}},
			{"requires-python as a dotted key", map[string]string{"pyproject.toml": "project.name = \"x\"\nproject.requires-python = \"~=3.11\"\n"},
				"", read{file: "pyproject.toml", key: "requires-python", line: 2, raw: "~=3.11", asks: "~=3.11"}},
			{"requires-python after the same key in another table",
				map[string]string{"pyproject.toml": "[tool.hatch]\nrequires-python = \"x\"\n\n[ project ]\nname = \"x\"\n  \"requires-python\" = \"==3.13.*\"\n"},
				"", read{file: "pyproject.toml", key: "requires-python", line: 6, raw: "==3.13.*", asks: "==3.13.*"}},
			{"pyproject.toml without requires-python leaves it to Pipfile",
				map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.11\"\n", "Pipfile": pipfile, "uv.lock": uvLock},
				"", read{file: "Pipfile", key: "python_version", line: 9, raw: "3.11", asks: "3.11"}},
			{"Pipfile prefers python_full_version",
				map[string]string{"Pipfile": "[requires]\npython_version = \"3.11\"\npython_full_version = \"3.11.2\"\n"},
				"", read{file: "Pipfile", key: "python_full_version", line: 3, raw: "3.11.2", asks: "3.11.2"}},
			{"uv.lock", map[string]string{"uv.lock": uvLock, "pyproject.toml": "[project]\nname = \"x\"\n"},
				"", read{file: "uv.lock", key: "requires-python", line: 3, raw: ">=3.12", asks: ">=3.12"}},
			{"a malformed lower-priority file is not read",
				map[string]string{".python-version": "3.13\n", "pyproject.toml": "[project\nrequires-python = 3\n", "runtime.txt": "pypy"},
				"", read{file: ".python-version", line: 1, raw: "3.13", asks: "3.13"}},
		} {
			dir := filepath.Join(appDir, filepath.Base(t.Name())+"-"+c.name)
			Expect(os.MkdirAll(dir, 0755)).To(Succeed())
			writeFiles(t, dir, c.files)

			decl, ok, err := pyversion.Read(dir, c.override)
			Expect(err).NotTo(HaveOccurred(), c.name)
			Expect(ok).To(BeTrue(), c.name)
			Expect(read{file: decl.File, key: decl.Key, line: decl.Line, raw: decl.Raw, asks: decl.Asks()}).To(Equal(c.want), c.name)
		}
	})

	it("reports no declaration when nothing declares a Python", func() {
		writeFiles(t, appDir, map[string]string{"requirements.txt": "flask\n", "pyproject.toml": "[project]\nname = \"x\"\n", "Pipfile": "[packages]\nflask = \"*\"\n", "uv.lock": "version = 1\n"})
		_, ok, err := pyversion.Read(appDir, "  ")
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeFalse())
	})

	it("reads every declaration, for callers that check them all", func() {
		writeFiles(t, appDir, map[string]string{".python-version": "3.13\n", "pyproject.toml": pyproject, "uv.lock": uvLock})
		all, err := pyversion.ReadAll(appDir, "3.13")
		Expect(err).NotTo(HaveOccurred())
		var files []string
		for _, decl := range all {
			files = append(files, decl.File)
		}
		Expect(files).To(Equal([]string{"BP_PYTHON_VERSION", ".python-version", "pyproject.toml", "uv.lock"}))

		writeFiles(t, appDir, map[string]string{"runtime.txt": "3.13"})
		_, err = pyversion.ReadAll(appDir, "3.13")
		Expect(err).To(MatchError(ContainSubstring("runtime.txt line 1")))
	})

	it("says which file, which line and what to write when a declaration is malformed", func() {
		for _, c := range []struct {
			name     string
			files    map[string]string
			override string
			title    string
			file     string
			cause    string
			fix      string
		}{
			{"an override that is no version", nil, "python3",
				"Unreadable BP_PYTHON_VERSION", "", `BP_PYTHON_VERSION is "python3": this names another Python implementation`, "--env BP_PYTHON_VERSION=3.13"},
			{"a free-threaded override", nil, "3.13t",
				"Unreadable BP_PYTHON_VERSION", "", "free-threaded Python, and the stack's python3 is not free-threaded; write 3.13", "unset it"},
			{"a free-threaded .python-version", map[string]string{".python-version": "# main\n3.13t\n"}, "",
				"Unreadable .python-version", ".python-version", `.python-version line 2 says "3.13t": this asks for a free-threaded Python`, "Write the Python version on line 2 of .python-version, for example 3.13."},
			{"PyPy in .python-version", map[string]string{".python-version": "pypy3.10\n"}, "",
				"Unreadable .python-version", ".python-version", `line 1 says "pypy3.10": this names another Python implementation or distribution; onbuild has CPython from the Debian stack only`, "Delete .python-version"},
			{"system in .python-version", map[string]string{".python-version": "system\n"}, "",
				"Unreadable .python-version", ".python-version", `"system" means whatever Python the machine has`, "for example 3.13"},
			{"a pre-release in .python-version", map[string]string{".python-version": "3.14.0rc1\n"}, "",
				"Unreadable .python-version", ".python-version", "this is a pre-release", "for example 3.13"},
			{"a pyenv virtualenv in .python-version", map[string]string{".python-version": "3.12.1/envs/shop\n"}, "",
				"Unreadable .python-version", ".python-version", "not a Python version such as 3.13", "for example 3.13"},
			{"a bad range in .python-version", map[string]string{".python-version": ">=3.12.*\n"}, "",
				"Unreadable .python-version", ".python-version", "only == and != take a .* wildcard", "for example 3.13"},
			{"a .python-version naming no version", map[string]string{".python-version": "cpython@\n"}, "",
				"Unreadable .python-version", ".python-version", `line 1 says "cpython@": there is no version`, "for example 3.13"},
			{"a .python-version of comments", map[string]string{".python-version": "# 3.12\n\n"}, "",
				"Empty .python-version", ".python-version", "no version line", "Delete .python-version"},
			{"runtime.txt without python-", map[string]string{"runtime.txt": "\n3.12.1\n"}, "",
				"Unreadable runtime.txt", "runtime.txt", `runtime.txt line 2 says "3.12.1"`, "Write python-3.13 on line 2 of runtime.txt."},
			{"PyPy in runtime.txt", map[string]string{"runtime.txt": "pypy3.10-7.3.12"}, "",
				"Unreadable runtime.txt", "runtime.txt", "onbuild has no other Python", ".python-version file holding 3.13"},
			{"an empty runtime.txt", map[string]string{"runtime.txt": "\n \n"}, "",
				"Empty runtime.txt", "runtime.txt", "runtime.txt is empty", "Delete runtime.txt"},
			{"requires-python without an operator", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\nrequires-python = \"3.12\"\n"}, "",
				"Unreadable requires-python", "pyproject.toml", `requires-python in pyproject.toml line 3 is "3.12", which is not a PEP 440 specifier set: "3.12" has no operator; write >=3.12 or ==3.12.*`, `requires-python = ">=3.11"`},
			{"requires-python in Poetry's syntax", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"^3.11\"\n"}, "",
				"Unreadable requires-python", "pyproject.toml", "^ is Poetry's syntax, not PEP 440; write >=3.11,<4", `requires-python = ">=3.11"`},
			{"an empty requires-python", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"\"\n"}, "",
				"Unreadable requires-python", "pyproject.toml", "the specifier set is empty", `requires-python = ">=3.11"`},
			{"a requires-python that is a number", map[string]string{"pyproject.toml": "[project]\nrequires-python = 3.12\n"}, "",
				"Python version is not a string", "pyproject.toml", "requires-python in pyproject.toml line 2 is 3.12, not a quoted string", `Quote the value: requires-python = "3.12".`},
			{"a pyproject.toml that is not TOML", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\nrequires-python = >=3.12\n"}, "",
				"Invalid pyproject.toml", "pyproject.toml", "pyproject.toml is not valid TOML: line 3", "Fix the TOML syntax on line 3 of pyproject.toml."},
			{"a Pipfile wildcard", map[string]string{"Pipfile": "[requires]\npython_version = \"*\"\n"}, "",
				"Unreadable Pipfile Python version", "Pipfile", `python_version in Pipfile line 2 is "*"`, `Write python_version = "3.13" under [requires] in Pipfile.`},
			{"a Pipfile number", map[string]string{"Pipfile": "[requires]\npython_version = 3.11\n"}, "",
				"Python version is not a string", "Pipfile", "python_version in Pipfile line 2 is 3.11", `python_version = "3.11"`},
			{"a uv.lock pre-release", map[string]string{"uv.lock": "version = 1\nrequires-python = \">=3.14.0rc1\"\n"}, "",
				"Unreadable requires-python", "uv.lock", "requires-python in uv.lock line 2", "run uv lock"},
		} {
			dir := filepath.Join(appDir, filepath.Base(t.Name())+"-"+c.name)
			Expect(os.MkdirAll(dir, 0755)).To(Succeed())
			writeFiles(t, dir, c.files)

			_, _, err := pyversion.Read(dir, c.override)
			var p problem.Problem
			Expect(err).To(BeAssignableToTypeOf(problem.Problem{}), c.name)
			p = err.(problem.Problem)
			Expect(p.Title).To(Equal(c.title), c.name)
			Expect(p.File).To(Equal(c.file), c.name)
			Expect(p.Cause).To(ContainSubstring(c.cause), c.name)
			Expect(p.Fixes).To(ContainElement(ContainSubstring(c.fix)), c.name)
		}
	})

	it("fails plainly when a file cannot be read", func() {
		Expect(os.Mkdir(filepath.Join(appDir, ".python-version"), 0755)).To(Succeed())
		_, _, err := pyversion.Read(appDir, "")
		Expect(err).To(MatchError(ContainSubstring("unable to read .python-version")))
		Expect(err).NotTo(BeAssignableToTypeOf(problem.Problem{}))
	})
}

package pyversion_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python/pyversion"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testCheck(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		appDir   string
		trixie   pyversion.Stack
		bookworm pyversion.Stack
	)

	it.Before(func() {
		appDir = t.TempDir()
		flavours := map[string]string{"trixie": "3.13", "bookworm": "3.11"}
		trixie = pyversion.Stack{Version: "3.13.5", Flavour: "trixie", Flavours: flavours}
		bookworm = pyversion.Stack{Version: "3.11.2", Flavour: "bookworm", Flavours: flavours}
	})

	declare := func(name string, files map[string]string, override string) pyversion.Declaration {
		dir := filepath.Join(appDir, name)
		Expect(os.MkdirAll(dir, 0755)).To(Succeed())
		writeFiles(t, dir, files)
		decl, ok, err := pyversion.Read(dir, override)
		Expect(err).NotTo(HaveOccurred(), name)
		Expect(ok).To(BeTrue(), name)
		return decl
	}

	it("says which file asked for what and which Python is used", func() {
		for _, c := range []struct {
			name     string
			files    map[string]string
			override string
			stack    *pyversion.Stack
			message  string
		}{
			{"python-version", map[string]string{".python-version": "3.13\n"}, "", &trixie,
				".python-version asks for 3.13; using Python 3.13.5 from the trixie stack"},
			{"override", nil, "3", &trixie,
				"BP_PYTHON_VERSION asks for 3; using Python 3.13.5 from the trixie stack"},
			{"runtime", map[string]string{"runtime.txt": "python-3.13"}, "", &trixie,
				"runtime.txt asks for 3.13; using Python 3.13.5 from the trixie stack"},
			{"pyproject", map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.9, !=3.12.*\"\n"}, "", &trixie,
				"requires-python in pyproject.toml asks for >=3.9,!=3.12.*; using Python 3.13.5 from the trixie stack"},
			{"pipfile", map[string]string{"Pipfile": pipfile}, "", &bookworm,
				"python_version in Pipfile asks for 3.11; using Python 3.11.2 from the bookworm stack"},
			{"uvlock", map[string]string{"uv.lock": "requires-python = \"~=3.11\"\n"}, "", &bookworm,
				"requires-python in uv.lock asks for ~=3.11; using Python 3.11.2 from the bookworm stack"},
			{"exact", map[string]string{".python-version": "3.13.5\n"}, "", &trixie,
				".python-version asks for 3.13.5; using Python 3.13.5 from the trixie stack"},
		} {
			result, err := pyversion.Check(declare(c.name, c.files, c.override), *c.stack)
			Expect(err).NotTo(HaveOccurred(), c.name)
			Expect(result.Message).To(Equal(c.message), c.name)
			Expect(result.Note).To(BeEmpty(), c.name)
		}
	})

	it("accepts another patch of the same minor, noting that patches come with the stack", func() {
		for i, c := range []struct {
			files    map[string]string
			override string
		}{
			{map[string]string{".python-version": "3.13.1\n"}, ""},
			{map[string]string{".python-version": "3.13.9\n"}, ""},
			{map[string]string{"runtime.txt": "python-3.13.1\n"}, ""},
			{map[string]string{"Pipfile": "[requires]\npython_full_version = \"3.13.1\"\n"}, ""},
			{nil, "3.13.1"},
		} {
			decl := declare(fmt.Sprintf("patch-%d", i), c.files, c.override)
			result, err := pyversion.Check(decl, trixie)
			Expect(err).NotTo(HaveOccurred(), decl.File)
			Expect(result.Message).To(HaveSuffix("; using Python 3.13.5 from the trixie stack"), decl.File)
			Expect(result.Note).To(ContainSubstring("names Python %s and the stack has 3.13.5: patch releases come with the stack", decl.Asks()), decl.File)
			Expect(result.Note).To(ContainSubstring("pack rebase"))
			Expect(result.Note).To(ContainSubstring("write 3.13"))
		}
	})

	it("names a range from .python-version without a key", func() {
		_, err := pyversion.Check(declare("range", map[string]string{".python-version": ">=3.14\n"}, ""), trixie)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.(problem.Problem).Title).To(Equal("This builder's Python 3.13.5 is outside >=3.14"))
	})

	it("holds a requires-python range to exactly, as pip does", func() {
		_, err := pyversion.Check(declare("pinned", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"==3.13.1\"\n"}, ""), trixie)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.(problem.Problem).Title).To(Equal("This builder's Python 3.13.5 is outside requires-python ==3.13.1"))
	})

	it("refuses another minor, naming the file, the line, the builder's Python, the flavour that has it and the change", func() {
		for _, c := range []struct {
			name     string
			files    map[string]string
			override string
			stack    *pyversion.Stack
			title    string
			file     string
			cause    string
			fixes    []string
		}{
			{"bookworm minor on trixie", map[string]string{".python-version": "# pinned\n3.11\n"}, "", &trixie,
				"Python 3.11 is not on this builder", ".python-version",
				".python-version line 2 asks for Python 3.11, but this builder has Python 3.13.5 (the trixie stack). onbuild uses the stack's Debian Python and does not download another one.",
				[]string{
					"Build with the bookworm flavour (onbuild/builder:bookworm), which has Python 3.11: pack build --builder onbuild/builder:bookworm",
					"Change .python-version line 2 to 3.13, if the app runs on Python 3.13.",
				}},
			{"a minor no flavour has", map[string]string{".python-version": "3.12\n"}, "", &trixie,
				"Python 3.12 is not on this builder", ".python-version",
				".python-version line 1 asks for Python 3.12, but this builder has Python 3.13.5 (the trixie stack).",
				[]string{"Change .python-version line 1 to 3.13, if the app runs on Python 3.13."}},
			{"trixie minor on bookworm", map[string]string{"runtime.txt": "python-3.13.5\n"}, "", &bookworm,
				"Python 3.13.5 is not on this builder", "runtime.txt",
				"runtime.txt line 1 asks for Python 3.13.5, but this builder has Python 3.11.2 (the bookworm stack).",
				[]string{
					"Build with the trixie flavour (onbuild/builder:trixie), which has Python 3.13: pack build --builder onbuild/builder:trixie",
					"Change runtime.txt line 1 to python-3.11, if the app runs on Python 3.11.",
				}},
			{"an override", nil, "3.11", &trixie,
				"Python 3.11 is not on this builder", "",
				"BP_PYTHON_VERSION asks for Python 3.11, but this builder has Python 3.13.5 (the trixie stack).",
				[]string{
					"Build with the bookworm flavour (onbuild/builder:bookworm), which has Python 3.11: pack build --builder onbuild/builder:bookworm",
					"Set BP_PYTHON_VERSION=3.13, or unset it, if the app runs on Python 3.13.",
				}},
			{"requires-python with an upper bound", map[string]string{"pyproject.toml": pyproject}, "", &trixie,
				"This builder's Python 3.13.5 is outside requires-python >=3.9,<3.13", "pyproject.toml",
				"requires-python in pyproject.toml line 8 asks for Python >=3.9,<3.13, but this builder has Python 3.13.5 (the trixie stack).",
				[]string{
					"Build with the bookworm flavour (onbuild/builder:bookworm), which has Python 3.11: pack build --builder onbuild/builder:bookworm",
					`Change requires-python in pyproject.toml line 8 to allow 3.13 (for example ">=3.9"), if the app runs on Python 3.13.`,
				}},
			{"requires-python above every flavour", map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.14,<4\"\n"}, "", &trixie,
				"This builder's Python 3.13.5 is outside requires-python >=3.14,<4", "pyproject.toml",
				"requires-python in pyproject.toml line 2 asks for Python >=3.14,<4",
				[]string{`Change requires-python in pyproject.toml line 2 to allow 3.13 (for example ">=3.13,<4"), if the app runs on Python 3.13.`}},
			{"requires-python excluding the stack's minor", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"!=3.13.*\"\n"}, "", &trixie,
				"This builder's Python 3.13.5 is outside requires-python !=3.13.*", "pyproject.toml",
				"line 2 asks for Python !=3.13.*",
				[]string{
					"Build with the bookworm flavour (onbuild/builder:bookworm), which has Python 3.11: pack build --builder onbuild/builder:bookworm",
					`Change requires-python in pyproject.toml line 2 to allow 3.13 (for example ">=3.13"), if the app runs on Python 3.13.`,
				}},
			{"Pipfile", map[string]string{"Pipfile": pipfile}, "", &trixie,
				"Python 3.11 is not on this builder", "Pipfile",
				"python_version in Pipfile line 9 asks for Python 3.11",
				[]string{
					"Build with the bookworm flavour (onbuild/builder:bookworm), which has Python 3.11: pack build --builder onbuild/builder:bookworm",
					`Change python_version in Pipfile line 9 to "3.13" and run pipenv lock, if the app runs on Python 3.13.`,
				}},
			{"uv.lock", map[string]string{"uv.lock": uvLock}, "", &bookworm,
				"This builder's Python 3.11.2 is outside requires-python >=3.12", "uv.lock",
				"requires-python in uv.lock line 3 asks for Python >=3.12, but this builder has Python 3.11.2 (the bookworm stack).",
				[]string{
					"Build with the trixie flavour (onbuild/builder:trixie), which has Python 3.13: pack build --builder onbuild/builder:trixie",
					`Change requires-python in pyproject.toml to allow 3.11 (for example ">=3.11") and run uv lock, if the app runs on Python 3.11: uv.lock repeats it.`,
				}},
		} {
			_, err := pyversion.Check(declare(c.name, c.files, c.override), *c.stack)
			Expect(err).To(BeAssignableToTypeOf(problem.Problem{}), c.name)
			p := err.(problem.Problem)
			Expect(p.Title).To(Equal(c.title), c.name)
			Expect(p.File).To(Equal(c.file), c.name)
			Expect(p.Cause).To(ContainSubstring(c.cause), c.name)
			Expect(p.Fixes).To(Equal(c.fixes), c.name)
		}
	})

	it("lists every other flavour that fits, by name", func() {
		stack := pyversion.Stack{Version: "3.13.5", Flavour: "trixie", Flavours: map[string]string{"trixie": "3.13", "bookworm": "3.11", "bullseye": "3.9", "broken": "x"}}
		_, err := pyversion.Check(declare("wide", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"<3.12\"\n"}, ""), stack)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.(problem.Problem).Fixes).To(HaveLen(3))
		Expect(err.(problem.Problem).Fixes[0]).To(HavePrefix("Build with the bookworm flavour"))
		Expect(err.(problem.Problem).Fixes[1]).To(HavePrefix("Build with the bullseye flavour (onbuild/builder:bullseye), which has Python 3.9"))
	})

	it("fails plainly when the stack's version cannot be read", func() {
		_, err := pyversion.Check(declare("any", nil, "3.13"), pyversion.Stack{Version: "3.13.5+deb13", Flavour: "trixie"})
		Expect(err).To(MatchError(ContainSubstring("unable to read the stack's Python version")))
		Expect(err).NotTo(BeAssignableToTypeOf(problem.Problem{}))
	})

	it("has a message for an app that declares nothing", func() {
		Expect(pyversion.UndeclaredMessage(trixie)).To(Equal(
			"No Python version declared (BP_PYTHON_VERSION, .python-version, runtime.txt, requires-python, Pipfile, uv.lock); using Python 3.13.5 from the trixie stack"))
		Expect(pyversion.UndeclaredMessage(pyversion.Stack{Version: "3.13.5"})).To(HaveSuffix("using Python 3.13.5 from the stack"))
	})
}

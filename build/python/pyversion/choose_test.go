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

func testChoose(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		appDir   string
		trixie   pyversion.Stack
		bookworm pyversion.Stack
		offered  = []string{"3.14.6", "3.10.16", "3.12.3", "3.11.11", "3.13.1"}
		n        int
	)

	it.Before(func() {
		appDir = t.TempDir()
		flavours := map[string]string{"trixie": "3.13", "bookworm": "3.11"}
		trixie = pyversion.Stack{Version: "3.13.5", Flavour: "trixie", Flavours: flavours}
		bookworm = pyversion.Stack{Version: "3.11.2", Flavour: "bookworm", Flavours: flavours}
	})

	choose := func(files map[string]string, override string, stack pyversion.Stack) (pyversion.Choice, error) {
		n++
		dir := filepath.Join(appDir, fmt.Sprint(n))
		Expect(os.MkdirAll(dir, 0755)).To(Succeed())
		writeFiles(t, dir, files)
		decl, found, err := pyversion.Read(dir, override)
		Expect(err).NotTo(HaveOccurred())
		return pyversion.Choose(decl, found, stack, offered)
	}

	it("keeps the stack's Python whenever the declaration allows it", func() {
		for _, c := range []struct {
			files    map[string]string
			override string
			stack    pyversion.Stack
		}{
			{nil, "", trixie},
			{map[string]string{".python-version": "3.13\n"}, "", trixie},
			{map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.10\"\n"}, "", trixie},
			{map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.10,<3.13\"\n"}, "", bookworm},
			{map[string]string{"runtime.txt": "python-3.11.9\n"}, "", bookworm},
		} {
			choice, err := choose(c.files, c.override, c.stack)
			Expect(err).NotTo(HaveOccurred())
			Expect(choice.Downloaded).To(BeFalse(), fmt.Sprint(c.files))
			Expect(choice.Version).To(Equal(c.stack.Version))
		}
	})

	it("downloads the newest release the declaration allows when the stack's does not fit, and says why in one line", func() {
		for _, c := range []struct {
			files    map[string]string
			override string
			stack    pyversion.Stack
			version  string
			message  string
		}{
			{map[string]string{"runtime.txt": "python-3.10\n"}, "", trixie, "3.10.16",
				"runtime.txt asks for 3.10; using Python 3.10.16 (python-build-standalone): the trixie stack has 3.13.5"},
			{map[string]string{".python-version": "3.12\n"}, "", bookworm, "3.12.3",
				".python-version asks for 3.12; using Python 3.12.3 (python-build-standalone): the bookworm stack has 3.11.2"},
			{map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.14\"\n"}, "", trixie, "3.14.6",
				"requires-python in pyproject.toml asks for >=3.14; using Python 3.14.6 (python-build-standalone): the trixie stack has 3.13.5"},
			{map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.10,<3.13\"\n"}, "", trixie, "3.12.3",
				"requires-python in pyproject.toml asks for >=3.10,<3.13; using Python 3.12.3 (python-build-standalone): the trixie stack has 3.13.5"},
			{map[string]string{"Pipfile": "[requires]\npython_version = \"3.13\"\n"}, "", bookworm, "3.13.1",
				"python_version in Pipfile asks for 3.13; using Python 3.13.1 (python-build-standalone): the bookworm stack has 3.11.2"},
			{map[string]string{".python-version": "3.13\n"}, "3.12.3", trixie, "3.12.3",
				"BP_PYTHON_VERSION asks for 3.12.3; using Python 3.12.3 (python-build-standalone): the trixie stack has 3.13.5"},
		} {
			choice, err := choose(c.files, c.override, c.stack)
			Expect(err).NotTo(HaveOccurred())
			Expect(choice).To(Equal(pyversion.Choice{Version: c.version, Downloaded: true, Message: c.message}))
		}
	})

	it("takes the builder's patch of a minor for another patch named outright, with a note", func() {
		choice, err := choose(map[string]string{".python-version": "3.12.8\n"}, "", trixie)
		Expect(err).NotTo(HaveOccurred())
		Expect(choice.Version).To(Equal("3.12.3"))
		Expect(choice.Downloaded).To(BeTrue())
		Expect(choice.Note).To(Equal(".python-version line 1 names Python 3.12.8; this builder's 3.12 release is 3.12.3. Write 3.12 to say any 3.12.x is fine."))
	})

	it("lists every Python the builder has for a minor it does not offer", func() {
		for _, asked := range []string{"3.9", "3.15"} {
			_, err := choose(map[string]string{".python-version": "# pinned\n" + asked + "\n"}, "", trixie)
			Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
			p := err.(problem.Problem)
			Expect(p.Title).To(Equal("Python " + asked + " is not on this builder"))
			Expect(p.File).To(Equal(".python-version"))
			Expect(p.Cause).To(ContainSubstring(".python-version line 2 asks for Python " + asked + ". This builder has Python 3.10.16, 3.11.11, 3.12.3, 3.13.1, 3.13.5 (the stack's), 3.14.6"))
		}
		_, err := choose(map[string]string{".python-version": "3.9\n"}, "", trixie)
		Expect(err.(problem.Problem).Cause).To(HaveSuffix("the nearest to what is asked: 3.10.16."))
		Expect(err.(problem.Problem).Fixes).To(Equal([]string{"Change .python-version line 1 to 3.10, if the app runs on Python 3.10."}))
	})

	it("names the file, the line and the nearest versions of a range nothing satisfies", func() {
		_, err := choose(map[string]string{"pyproject.toml": "[project]\nname = \"x\"\nrequires-python = \">=3.15,<4\"\n"}, "", trixie)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		p := err.(problem.Problem)
		Expect(p.Title).To(Equal("No Python on this builder satisfies requires-python >=3.15,<4"))
		Expect(p.File).To(Equal("pyproject.toml"))
		Expect(p.Cause).To(ContainSubstring("requires-python in pyproject.toml line 3 asks for Python >=3.15,<4."))
		Expect(p.Cause).To(HaveSuffix("the nearest to what is asked: 3.14.6."))
		Expect(p.Fixes[0]).To(Equal(`Change requires-python in pyproject.toml line 3 to allow 3.14 (for example ">=3.14,<4"), if the app runs on Python 3.14.`))
	})

	it("offers the stack's Python alone when the buildpack pins no download", func() {
		choice, err := choose(map[string]string{".python-version": "3.13\n"}, "", trixie)
		Expect(err).NotTo(HaveOccurred())
		Expect(choice.Downloaded).To(BeFalse())
		decl, _, _ := pyversion.Read(appDir, "3.12")
		_, err = pyversion.Choose(decl, true, trixie, nil)
		Expect(err).To(MatchError(ContainSubstring("This builder has Python 3.13.5 (the stack's)")))
	})

	it("fails plainly on a pin that is not a release", func() {
		decl, _, _ := pyversion.Read(appDir, "3.12")
		_, err := pyversion.Choose(decl, true, trixie, []string{"3.12"})
		Expect(err).To(MatchError(ContainSubstring(`buildpack.toml pins Python "3.12"`)))
		Expect(err).NotTo(BeAssignableToTypeOf(problem.Problem{}))
	})
}

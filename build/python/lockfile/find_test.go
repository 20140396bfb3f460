package lockfile

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testFind(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("finds nothing in an app without a lock file", func() {
		dir := t.TempDir()
		writeFile(t, dir, "pyproject.toml", "[project]\nname = \"app\"\n")
		_, found, err := Find(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(BeFalse())
	})

	it("finds each kind with its manifest", func() {
		for _, c := range []struct {
			fixture, file, manifest string
			tool                    Tool
		}{
			{"uv", "uv.lock", "pyproject.toml", UV},
			{"poetry", "poetry.lock", "pyproject.toml", Poetry},
			{"pipenv", "Pipfile.lock", "Pipfile", Pipenv},
		} {
			l, found, err := Find(copyApp(t, c.fixture))
			Expect(err).NotTo(HaveOccurred())
			Expect(found).To(BeTrue())
			Expect(l.Tool).To(Equal(c.tool))
			Expect(l.File).To(Equal(c.file))
			Expect(l.Manifest).To(Equal(c.manifest))
		}
	})

	it("refuses two lock files, naming both and how to choose", func() {
		dir := copyApp(t, "poetry")
		writeFile(t, dir, "Pipfile.lock", "{}")
		_, _, err := Find(dir)
		var p problem.Problem
		Expect(err).To(BeAssignableToTypeOf(p))
		Expect(err.Error()).To(ContainSubstring("poetry.lock and Pipfile.lock"))
		Expect(err.Error()).To(ContainSubstring("Keep poetry.lock (poetry) and delete Pipfile.lock."))
		Expect(err.Error()).To(ContainSubstring("Keep Pipfile.lock (pipenv) and delete poetry.lock."))
	})

	it("refuses a lock file whose manifest is missing", func() {
		dir := t.TempDir()
		writeFile(t, dir, "Pipfile.lock", "{}")
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("Pipfile.lock without Pipfile")))
		Expect(err.Error()).To(ContainSubstring("Commit Pipfile alongside Pipfile.lock"))

		dir = t.TempDir()
		writeFile(t, dir, "uv.lock", "version = 1\n")
		_, _, err = Find(dir)
		Expect(err).To(MatchError(ContainSubstring("uv.lock without pyproject.toml")))
	})

	it("rejects an unknown group, listing the lock's groups", func() {
		l, _, err := Find(copyApp(t, "uv"))
		Expect(err).NotTo(HaveOccurred())
		_, err = l.Resolve([]string{"docs"})
		Expect(err).To(MatchError(ContainSubstring(`BP_PYTHON_GROUPS asks for the group or extra "docs", but uv.lock does not lock it: it has dev, server.`)))
	})

	it("lists each lock's groups", func() {
		for fixture, want := range map[string][]string{
			"uv":      {"dev", "server"},
			"poetry":  {"dev", "main", "server"},
			"poetry2": {"dev", "main", "server"},
			"pipenv":  {"default", "dev", "develop"},
		} {
			l, _, err := Find(copyApp(t, fixture))
			Expect(err).NotTo(HaveOccurred())
			Expect(l.Groups()).To(Equal(want), fixture)
		}
	})

	it("splits BP_PYTHON_GROUPS", func() {
		Expect(ParseGroups(" dev, server ,,")).To(Equal([]string{"dev", "server"}))
		Expect(ParseGroups("")).To(BeEmpty())
	})
}

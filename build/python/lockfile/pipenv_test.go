package lockfile

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testPipenv(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		dir    string
	)

	it.Before(func() {
		dir = copyApp(t, "pipenv")
	})

	it("installs the default category of a lock pipenv 2022 wrote, its hash matching", func() {
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(names(set)).To(Equal([]string{
			"blinker==1.9.0", "click==8.1.8", "colorama==0.4.6", "flask==3.1.1", "helper==",
			"itsdangerous==2.2.0", "jinja2==3.1.6", "markupsafe==2.1.5", "werkzeug==3.1.3",
		}))
		Expect(set.Root).To(Equal(Root{Kind: RootNone}))
		Expect(pkg(set, "colorama").Marker).To(Equal(`sys_platform == "win32"`))
		Expect(pkg(set, "helper").Source).To(Equal(Source{Kind: SourcePath, Path: "libs/helper", Editable: true}))
	})

	it("adds develop when selected as dev or develop", func() {
		for _, group := range []string{"dev", "develop"} {
			set, err := resolveApp(t, dir, group)
			Expect(err).NotTo(HaveOccurred())
			Expect(names(set)).To(ContainElement("six==1.17.0"))
		}
	})

	it("names a declared package the lock lacks", func() {
		edit(t, dir, "Pipfile", `flask = "*"`, "flask = \"*\"\nrequests = \"*\"")
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("Pipfile.lock is out of date: Pipfile declares requests in [packages], but the lock does not cover it.")))
		Expect(err.Error()).To(ContainSubstring("Run `pipenv lock` and commit Pipfile.lock."))
	})

	it("finds a changed Pipfile through _meta.hash", func() {
		edit(t, dir, "Pipfile", `six = "*"`, `six = ">=1.16"`)
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("Pipfile changed after it was written (its _meta.hash no longer matches)")))
	})

	it("reads git and hg packages at their locked ref", func() {
		edit(t, dir, "Pipfile.lock", `"editable": true,
            "path": "./libs/helper"`, `"git": "https://git.example.invalid/helper.git", "ref": "0123456789abcdef0123456789abcdef01234567"`)
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg(set, "helper").Source).To(Equal(Source{Kind: SourceGit, URL: "https://git.example.invalid/helper.git", Commit: "0123456789abcdef0123456789abcdef01234567"}))

		edit(t, dir, "Pipfile.lock", `"git": "https://git.example.invalid/helper.git"`, `"hg": "https://hg.example.invalid/helper"`)
		set, err = resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		git, hg := set.NeedsVCS()
		Expect([]bool{git, hg}).To(Equal([]bool{false, true}))
	})

	it("refuses a pipfile-spec it does not know", func() {
		edit(t, dir, "Pipfile.lock", `"pipfile-spec": 6`, `"pipfile-spec": 7`)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("Pipfile.lock has pipfile-spec 7")))
	})

	it("refuses a package without hashes or pin", func() {
		edit(t, dir, "Pipfile.lock", `"sha256:a7689d5f4508823234a0f917e918beb1274a682d32a89e4e95cc8ca2c00a98c2"`, "")
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("Pipfile.lock locks click 8.1.8 without any hash")))

		dir = copyApp(t, "pipenv")
		edit(t, dir, "Pipfile.lock", `"version": "==2.1.5"`, `"version": ">=2"`)
		_, err = resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring(`markupsafe has version ">=2" in Pipfile.lock; a lock pins "==<version>"`)))
	})

	it("refuses a marker pip cannot parse", func() {
		edit(t, dir, "Pipfile.lock", `"markers": "sys_platform == 'win32'"`, `"markers": "sys_platform = 'win32'"`)
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("Unusable entry for colorama in Pipfile.lock")))
	})

	it("refuses malformed JSON", func() {
		edit(t, dir, "Pipfile.lock", `"default": {`, `"default": {,`)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("Pipfile.lock is not valid JSON")))
	})
}

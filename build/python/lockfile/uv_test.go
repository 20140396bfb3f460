package lockfile

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func names(s Set) []string {
	var out []string
	for _, p := range s.Packages {
		out = append(out, p.Name+"=="+p.Version)
	}
	return out
}

func pkg(s Set, name string) Package {
	for _, p := range s.Packages {
		if p.Name == name {
			return p
		}
	}
	return Package{}
}

func resolveApp(t *testing.T, dir string, groups ...string) (Set, error) {
	t.Helper()
	l, found, err := Find(dir)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(found).To(BeTrue())
	return l.Resolve(groups)
}

func testUV(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		dir    string
	)

	it.Before(func() {
		dir = copyApp(t, "uv")
	})

	it("installs the project's dependencies, without extras and dev groups", func() {
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(names(set)).To(Equal([]string{
			"blinker==1.9.0", "click==8.1.8", "colorama==0.4.6", "flask==3.1.1", "itsdangerous==2.2.0",
			"jinja2==3.1.6", "lib==0.3.0", "markupsafe==2.1.5", "tinyhelper==1.0.0", "werkzeug==3.1.3",
		}))
		Expect(set.Root).To(Equal(Root{Name: "app", Kind: RootEditable}))
		Expect(pkg(set, "flask").Hashes).To(Equal([]string{"sha256:0754a9a9aed89e1ca439ef367a4a135612e693db525584024cdd327252f749c2"}))
		Expect(pkg(set, "flask").Marker).To(BeEmpty())
	})

	it("carries markers: or across paths, so colorama stays off Linux", func() {
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg(set, "colorama").Marker).To(Equal(`platform_system == "Windows" or sys_platform == "win32"`))
	})

	it("ands markers along a path", func() {
		edit(t, dir, "uv.lock", `{ name = "click" },`, `{ name = "click", marker = "python_full_version >= '3.12'" },`)
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg(set, "click").Marker).To(Equal(`python_full_version >= "3.12"`))
		Expect(pkg(set, "colorama").Marker).To(Equal(`(platform_system == "Windows" and python_full_version >= "3.12") or sys_platform == "win32"`))
	})

	it("adds an extra and a dev group when selected", func() {
		set, err := resolveApp(t, dir, "server")
		Expect(err).NotTo(HaveOccurred())
		Expect(names(set)).To(ContainElements("gunicorn==23.0.0", "packaging==25.0"))
		Expect(names(set)).NotTo(ContainElement("six==1.17.0"))

		set, err = resolveApp(t, dir, "dev")
		Expect(err).NotTo(HaveOccurred())
		Expect(names(set)).To(ContainElement("six==1.17.0"))
		Expect(names(set)).NotTo(ContainElement("gunicorn==23.0.0"))
	})

	it("locks a git dependency at its commit, and a workspace member as an editable path", func() {
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg(set, "tinyhelper").Source).To(Equal(Source{Kind: SourceGit, URL: "https://git.example.invalid/tinyhelper.git", Commit: "0123456789abcdef0123456789abcdef01234567"}))
		Expect(pkg(set, "lib").Source).To(Equal(Source{Kind: SourcePath, Path: "libs/lib", Editable: true}))
		git, hg := set.NeedsVCS()
		Expect(git).To(BeTrue())
		Expect(hg).To(BeFalse())
	})

	it("knows a virtual root", func() {
		edit(t, dir, "uv.lock", `source = { editable = "." }`, `source = { virtual = "." }`)
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Root).To(Equal(Root{Name: "app", Kind: RootVirtual}))
		Expect(names(set)).To(ContainElement("flask==3.1.1"))
	})

	it("keeps the key when only a dev group changes", func() {
		before, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		edit(t, dir, "uv.lock", "sha256:ddbf26f06091742e99b80607d6a7176279c7929b0de96b27981a49228d55b3a9", "sha256:"+sixtyFour('e'))
		after, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(after.Key()).To(Equal(before.Key()))

		edit(t, dir, "uv.lock", "sha256:0754a9a9aed89e1ca439ef367a4a135612e693db525584024cdd327252f749c2", "sha256:"+sixtyFour('f'))
		changed, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(changed.Key()).NotTo(Equal(before.Key()))
	})

	it("calls a declared dependency the lock lacks out of date", func() {
		edit(t, dir, "pyproject.toml", `"flask>=3",`, `"flask>=3", "requests>=2",`)
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("uv.lock is out of date: pyproject.toml declares requests in [project] dependencies, but the lock does not cover it.")))
		Expect(err.Error()).To(ContainSubstring("Run `uv lock` and commit uv.lock."))
	})

	it("calls a lock without the project out of date", func() {
		edit(t, dir, "pyproject.toml", `name = "app"`, `name = "renamed"`)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("uv.lock is out of date: it has no entry for the project renamed declared in pyproject.toml.")))
	})

	it("checks dependency groups only when selected", func() {
		edit(t, dir, "pyproject.toml", `dev = ["six"]`, `dev = ["six", "pytest"]`)
		_, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		_, err = resolveApp(t, dir, "dev")
		Expect(err).To(MatchError(ContainSubstring("declares pytest in [dependency-groups] dev")))
	})

	it("refuses a lock version it does not know", func() {
		edit(t, dir, "uv.lock", "version = 1\n", "version = 2\n")
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("uv.lock has version = 2; onbuild reads uv.lock version 1")))
	})

	it("refuses a registry package without hashes", func() {
		edit(t, dir, "uv.lock", `    { url = "http://127.0.0.1:38417/files/jinja2-3.1.6-py3-none-any.whl", hash = "sha256:b10392c7000c67f1218b5ec7d19049e9a22cf470bff6ea5421036e3f7b7f9f11", size = 135810 },`, "")
		_, err := resolveApp(t, dir)
		Expect(err).To(MatchError(ContainSubstring("Unusable entry for jinja2 in uv.lock")))
		Expect(err.Error()).To(ContainSubstring("uv.lock locks jinja2 3.1.6 without any hash"))
		Expect(err.Error()).To(ContainSubstring("uv lock --refresh-package jinja2"))
	})

	it("refuses a marker pip cannot parse", func() {
		edit(t, dir, "uv.lock", `marker = "platform_system == 'Windows'"`, `marker = "os.name == 'nt'"`)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("Unusable entry for click in uv.lock")))
		Expect(err.Error()).To(ContainSubstring(`unknown variable "os.name"`))
	})

	it("refuses malformed TOML", func() {
		edit(t, dir, "uv.lock", `name = "flask"`, `name = "flask`)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("uv.lock is not valid TOML")))
		Expect(err.Error()).To(ContainSubstring("Regenerate uv.lock with `uv lock`"))
	})

	it("refuses a git source without a commit", func() {
		edit(t, dir, "uv.lock", "#0123456789abcdef0123456789abcdef01234567", "")
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("The git source of tinyhelper (https://git.example.invalid/tinyhelper.git) has no locked commit.")))
	})

	it("refuses a path outside the app", func() {
		edit(t, dir, "uv.lock", `source = { editable = "libs/lib" }`, `source = { editable = "../lib" }`)
		_, _, err := Find(dir)
		Expect(err).To(MatchError(ContainSubstring("Path dependency outside the app")))
	})

	it("installs every member of a workspace whose root is not a project", func() {
		edit(t, dir, "pyproject.toml", "[project]\nname = \"app\"", "[project-not]\nname = \"app\"")
		edit(t, dir, "uv.lock", `source = { editable = "." }`, `source = { editable = "app" }`)
		set, err := resolveApp(t, dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Root).To(Equal(Root{Kind: RootVirtual}))
		Expect(pkg(set, "app").Source).To(Equal(Source{Kind: SourcePath, Path: "app", Editable: true}))
		Expect(names(set)).To(ContainElement("flask==3.1.1"))
	})
}

func sixtyFour(c byte) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

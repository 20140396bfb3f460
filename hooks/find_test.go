package hooks_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testFind(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
	)

	it.Before(func() {
		app = t.TempDir()
	})

	it("finds nothing in an app without hooks", func() {
		set, err := hooks.Find(app, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Empty()).To(BeTrue())
	})

	it("finds the three hooks in .cnb/action_hooks, without a note", func() {
		for _, kind := range hooks.Kinds {
			fake.WriteFile(t, app, ".cnb/action_hooks/"+kind, "#!/bin/sh\n", 0755)
		}
		set, err := hooks.Find(app, "")
		Expect(err).NotTo(HaveOccurred())
		for _, kind := range hooks.Kinds {
			Expect(set.Get(kind)).To(Equal(&hooks.Hook{
				Kind: kind, Path: filepath.Join(app, ".cnb/action_hooks", kind), Name: ".cnb/action_hooks/" + kind,
			}))
		}
	})

	for _, dir := range []string{".whiskey/action_hooks", ".docker/action_hooks"} {
		dir := dir
		it("finds hooks in "+dir+" with a deprecation note", func() {
			fake.WriteFile(t, app, dir+"/build", "", 0755)
			fake.WriteFile(t, app, dir+"/deploy", "", 0755)
			set, err := hooks.Find(app, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(set.PreBuild).To(BeNil())
			Expect(set.Build.Name).To(Equal(dir + "/build"))
			Expect(set.Deploy.Name).To(Equal(dir + "/deploy"))
			Expect(set.Build.Note).To(Equal(dir + " is deprecated: move its hooks to .cnb/action_hooks"))
		})
	}

	it("runs Heroku's bin/pre_compile and bin/post_compile as pre-build and build hooks", func() {
		fake.WriteFile(t, app, "bin/pre_compile", "", 0755)
		fake.WriteFile(t, app, "bin/post_compile", "", 0755)
		fake.WriteFile(t, app, "bin/deploy", "", 0755) // not a hook name in bin/

		set, err := hooks.Find(app, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(set.PreBuild.Name).To(Equal("bin/pre_compile"))
		Expect(set.PreBuild.Kind).To(Equal(hooks.PreBuild))
		Expect(set.Build.Name).To(Equal("bin/post_compile"))
		Expect(set.Deploy).To(BeNil())
		Expect(set.Build.Note).To(ContainSubstring("Heroku compatibility"))
	})

	it("ignores directories named like hooks and a bin file", func() {
		Expect(os.MkdirAll(filepath.Join(app, ".cnb/action_hooks/build"), 0755)).To(Succeed())
		fake.WriteFile(t, app, "bin", "not a directory", 0644)

		set, err := hooks.Find(app, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Empty()).To(BeTrue())
	})

	it("follows a symlinked hook", func() {
		fake.WriteFile(t, app, "scripts/build.sh", "#!/bin/sh\n", 0755)
		Expect(os.MkdirAll(filepath.Join(app, ".cnb/action_hooks"), 0755)).To(Succeed())
		Expect(os.Symlink("../../scripts/build.sh", filepath.Join(app, ".cnb/action_hooks/build"))).To(Succeed())

		set, err := hooks.Find(app, "")
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Build.Name).To(Equal(".cnb/action_hooks/build"))
	})

	it("refuses hooks in two locations, naming both", func() {
		fake.WriteFile(t, app, ".cnb/action_hooks/build", "", 0755)
		fake.WriteFile(t, app, ".whiskey/action_hooks/pre-build", "", 0755)
		fake.WriteFile(t, app, ".whiskey/action_hooks/deploy", "", 0755)

		_, err := hooks.Find(app, "")
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.Error()).To(HavePrefix("[Error: Action hooks in two locations]\n"))
		Expect(err.Error()).To(ContainSubstring("  .cnb/action_hooks/build\n  .whiskey/action_hooks/pre-build, .whiskey/action_hooks/deploy\n"))
		Expect(err.Error()).To(ContainSubstring("1. Move every hook to .cnb/action_hooks/"))
		Expect(err.Error()).To(ContainSubstring("2. Or choose one directory with pack build --env BP_ACTION_HOOKS_DIR=<dir>."))
	})

	it("refuses Heroku hooks next to .docker hooks", func() {
		fake.WriteFile(t, app, ".docker/action_hooks/build", "", 0755)
		fake.WriteFile(t, app, "bin/post_compile", "", 0755)

		_, err := hooks.Find(app, "")
		Expect(err).To(MatchError(ContainSubstring(".docker/action_hooks/build\n  bin/post_compile")))
	})

	context("with BP_ACTION_HOOKS_DIR", func() {
		it("searches only that directory, relative to the app", func() {
			fake.WriteFile(t, app, "ci/hooks/pre-build", "", 0755)
			fake.WriteFile(t, app, "ci/hooks/deploy", "", 0755)
			fake.WriteFile(t, app, ".cnb/action_hooks/build", "", 0755)
			fake.WriteFile(t, app, ".whiskey/action_hooks/build", "", 0755)

			set, err := hooks.Find(app, "ci/hooks")
			Expect(err).NotTo(HaveOccurred())
			Expect(set.PreBuild).To(Equal(&hooks.Hook{Kind: hooks.PreBuild, Path: filepath.Join(app, "ci/hooks/pre-build"), Name: "ci/hooks/pre-build"}))
			Expect(set.Build).To(BeNil())
			Expect(set.Deploy.Name).To(Equal("ci/hooks/deploy"))
		})

		it("takes an absolute directory", func() {
			dir := t.TempDir()
			fake.WriteFile(t, dir, "build", "", 0755)

			set, err := hooks.Find(app, dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(set.Build.Path).To(Equal(filepath.Join(dir, "build")))
		})

		it("says so when the directory does not exist", func() {
			_, err := hooks.Find(app, "ci/hooks")
			Expect(err).To(MatchError(HavePrefix("[Error: Action hooks directory not found]\nBP_ACTION_HOOKS_DIR is set to \"ci/hooks\"")))
		})
	})
}

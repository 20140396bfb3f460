package detect_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testHooks(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
		write  func(name string)
		plan   func(name string, hooks ...interface{}) []libcnb.BuildPlan
	)

	it.Before(func() {
		app = t.TempDir()
		write = func(name string) {
			path := filepath.Join(app, name)
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte("#!/bin/sh\n"), 0755)).To(Succeed())
		}
		plan = func(name string, hooks ...interface{}) []libcnb.BuildPlan {
			require := libcnb.BuildPlanRequire{Name: name}
			if len(hooks) > 0 {
				require.Metadata = map[string]interface{}{"hooks": hooks}
			}
			return []libcnb.BuildPlan{{
				Provides: []libcnb.BuildPlanProvide{{Name: name}},
				Requires: []libcnb.BuildPlanRequire{require},
			}}
		}
	})

	it("passes neither without hooks", func() {
		for _, p := range []string{detect.PreBuildHookPlan, detect.BuildHookPlan} {
			result, err := detect.HookPlan(app, "", p)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Pass).To(BeFalse())
		}
	})

	it("passes pre-build-hook for a pre-build hook only", func() {
		write(".cnb/action_hooks/pre-build")
		result, err := detect.HookPlan(app, "", detect.PreBuildHookPlan)
		Expect(err).NotTo(HaveOccurred())
		Expect(result).To(Equal(libcnb.DetectResult{Pass: true, Plans: plan("pre-build-hook", ".cnb/action_hooks/pre-build")}))

		result, err = detect.HookPlan(app, "", detect.BuildHookPlan)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})

	it("passes pre-build-hook for Heroku's bin/pre_compile", func() {
		write("bin/pre_compile")
		result, err := detect.HookPlan(app, "", detect.PreBuildHookPlan)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
	})

	it("passes pre-build-hook for .whiskey/user_vars, which it reads, but not for a .gitkeep there", func() {
		write(".whiskey/user_vars/.gitkeep")
		result, err := detect.HookPlan(app, "", detect.PreBuildHookPlan)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())

		write(".whiskey/user_vars/NAME")
		result, err = detect.HookPlan(app, "", detect.PreBuildHookPlan)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
	})

	for _, hook := range []string{".whiskey/action_hooks/build", ".docker/action_hooks/deploy", "bin/post_compile"} {
		hook := hook
		it("passes build-hook for "+hook, func() {
			write(hook)
			result, err := detect.HookPlan(app, "", detect.BuildHookPlan)
			Expect(err).NotTo(HaveOccurred())
			Expect(result).To(Equal(libcnb.DetectResult{Pass: true, Plans: plan("build-hook", hook)}))

			result, err = detect.HookPlan(app, "", detect.PreBuildHookPlan)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Pass).To(BeFalse())
		})
	}

	it("passes both on hooks in two locations, so the build can explain", func() {
		write(".cnb/action_hooks/build")
		write(".whiskey/action_hooks/build")
		for _, p := range []string{detect.PreBuildHookPlan, detect.BuildHookPlan} {
			result, err := detect.HookPlan(app, "", p)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Pass).To(BeTrue())
		}
	})

	it("looks only in BP_ACTION_HOOKS_DIR when it is set", func() {
		write(".cnb/action_hooks/pre-build")
		write("ci/build")
		result, err := detect.HookPlan(app, "ci", detect.PreBuildHookPlan)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())

		result, err = detect.HookPlan(app, "ci", detect.BuildHookPlan)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())
	})

	it("reads BP_ACTION_HOOKS_DIR from the environment", func() {
		write("ci/pre-build")
		t.Setenv("BP_ACTION_HOOKS_DIR", "ci")
		result, err := detect.PreBuildHook(libcnb.DetectContext{ApplicationPath: app, Buildpack: libcnb.Buildpack{Metadata: fake.Metadata(t, "pre-build-hook")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeTrue())

		result, err = detect.BuildHook(libcnb.DetectContext{ApplicationPath: app, Buildpack: libcnb.Buildpack{Metadata: fake.Metadata(t, "build-hook")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})
}

package hooks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/hooks/deploy"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testBuild(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		ctx    libcnb.BuildContext
		output *bytes.Buffer
		b      hooks.HookBuild
	)

	it.Before(func() {
		ctx.ApplicationPath = t.TempDir()
		ctx.Layers = libcnb.Layers{Path: t.TempDir()}
		ctx.Buildpack.Path = t.TempDir()
		ctx.Buildpack.Info = libcnb.BuildpackInfo{ID: "onbuild/build-hook", Name: "onbuild build hook", Version: "0.1.0"}
		ctx.Buildpack.Metadata = fake.Metadata(t, "build-hook")
		fake.WriteFile(t, ctx.Buildpack.Path, "bin/deploy-hook", "the exec.d program", 0755)
		output = &bytes.Buffer{}
		b = hooks.HookBuild{Logger: log.NewPaketoLogger(output), Environ: []string{"PATH=/usr/bin:/bin"}}
	})

	context("PreBuild", func() {
		it("contributes nothing for an app with only a build hook", func() {
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/build", "#!/bin/sh\nexit 1\n", 0755)
			result, err := b.PreBuild(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers).To(BeEmpty())
		})

		it("exports .whiskey/user_vars and the pre-build hook's variables, the hook seeing the user vars", func() {
			fake.WriteFile(t, ctx.ApplicationPath, ".whiskey/user_vars/LEGACY", "old\n", 0644)
			fake.WriteFile(t, ctx.ApplicationPath, ".whiskey/user_vars/SHARED", "from user_vars", 0644)
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/pre-build",
				"#!/bin/sh\necho \"legacy=$LEGACY\"\necho \"$LEGACY-new\" > $CNB_HOOK_ENV_DIR/FROM_HOOK\necho hook > $CNB_HOOK_ENV_DIR/SHARED\n", 0755)

			result, err := b.PreBuild(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers).To(HaveLen(1))
			Expect(result.Layers[0].Name).To(Equal("hook-env"))
			Expect(result.Layers[0].LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Launch: true}))
			Expect(result.Layers[0].SharedEnvironment).To(Equal(libcnb.Environment{
				"LEGACY.override": "old", "SHARED.override": "hook", "FROM_HOOK.override": "old-new",
			}))
			Expect(output.String()).To(ContainSubstring("Reading .whiskey/user_vars: LEGACY, SHARED\n"))
			Expect(output.String()).To(ContainSubstring("Note: .whiskey/user_vars is deprecated"))
			Expect(output.String()).To(ContainSubstring("    legacy=old\n"))
			Expect(output.String()).To(ContainSubstring("Exported to later build steps and the app (in the image): FROM_HOOK, LEGACY, SHARED\n"))
		})

		it("keeps build-only exports out of the image, and warns about credentials that go into it", func() {
			fake.WriteFile(t, ctx.ApplicationPath, ".whiskey/user_vars/INDEX_TOKEN", "from user_vars", 0644)
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/pre-build", "#!/bin/sh\n"+
				"echo s3cret > $CNB_HOOK_BUILD_ENV_DIR/INDEX_TOKEN\n"+
				"echo https://me:pw@index.corp/simple > $CNB_HOOK_ENV_DIR/INDEX_URL\n"+
				"echo hunter2 > $CNB_HOOK_ENV_DIR/DB_PASSWORD\n"+
				"echo info > $CNB_HOOK_ENV_DIR/LOG_LEVEL\n", 0755)

			result, err := b.PreBuild(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers).To(HaveLen(2))
			Expect(result.Layers[0].Name).To(Equal("hook-env"))
			Expect(result.Layers[0].SharedEnvironment).To(Equal(libcnb.Environment{
				"INDEX_URL.override": "https://me:pw@index.corp/simple", "DB_PASSWORD.override": "hunter2", "LOG_LEVEL.override": "info",
			}))
			Expect(result.Layers[1].Name).To(Equal("hook-build-env"))
			Expect(result.Layers[1].LayerTypes).To(Equal(libcnb.LayerTypes{Build: true}))
			Expect(result.Layers[1].BuildEnvironment).To(Equal(libcnb.Environment{"INDEX_TOKEN.override": "s3cret"}))
			Expect(result.Layers[1].SharedEnvironment).To(BeEmpty())
			Expect(result.Layers[1].LaunchEnvironment).To(BeEmpty())

			log := output.String()
			Expect(log).To(ContainSubstring("Exported to later build steps and the app (in the image): DB_PASSWORD, INDEX_URL, LOG_LEVEL\n"))
			Expect(log).To(ContainSubstring("Exported to later build steps only (not in the image): INDEX_TOKEN\n"))
			Expect(log).To(ContainSubstring("Warning: DB_PASSWORD looks like a credential (its name), and it goes into the image"))
			Expect(log).To(ContainSubstring("Warning: INDEX_URL holds a URL with a user name or password, and it goes into the image"))
			Expect(log).To(ContainSubstring("write it to $CNB_HOOK_BUILD_ENV_DIR instead"))
			Expect(log).NotTo(ContainSubstring("Warning: LOG_LEVEL"))
			for _, secret := range []string{"s3cret", "hunter2", "me:pw"} {
				Expect(log).NotTo(ContainSubstring(secret))
			}
		})

		it("fails on hooks in two locations before running anything", func() {
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/pre-build", "#!/bin/sh\ntouch ran\n", 0755)
			fake.WriteFile(t, ctx.ApplicationPath, ".docker/action_hooks/build", "#!/bin/sh\n", 0755)
			_, err := b.PreBuild(ctx)
			Expect(err).To(MatchError(HavePrefix("[Error: Action hooks in two locations]")))
			Expect(filepath.Join(ctx.ApplicationPath, "ran")).NotTo(BeAnExistingFile())
		})

		it("takes the hooks from BP_ACTION_HOOKS_DIR", func() {
			b.Environ = append(b.Environ, "BP_ACTION_HOOKS_DIR=hooks")
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/pre-build", "#!/bin/sh\nexit 1\n", 0755)
			fake.WriteFile(t, ctx.ApplicationPath, "hooks/pre-build", "#!/bin/sh\necho from the override\n", 0755)
			_, err := b.PreBuild(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(output.String()).To(ContainSubstring("Running pre-build hook hooks/pre-build\n    from the override\n"))
		})

		it("stops a hook that runs past BP_HOOK_TIMEOUT", func() {
			b.Environ = append(b.Environ, "BP_HOOK_TIMEOUT=300ms")
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/pre-build", "#!/bin/sh\necho waiting for input\nread answer\nsleep 1000\n", 0755)
			_, err := b.PreBuild(ctx)
			Expect(err).To(MatchError(HavePrefix("[Error: pre-build hook timed out]")))
			Expect(err).To(MatchError(ContainSubstring("ran longer than BP_HOOK_TIMEOUT=300ms")))
		})

		it("refuses a BP_HOOK_TIMEOUT that is not a duration before running anything", func() {
			b.Environ = append(b.Environ, "BP_HOOK_TIMEOUT=ten minutes")
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/pre-build", "#!/bin/sh\ntouch ran\n", 0755)
			_, err := b.PreBuild(ctx)
			Expect(err).To(MatchError(HavePrefix("[Error: Invalid BP_HOOK_TIMEOUT]")))
			Expect(filepath.Join(ctx.ApplicationPath, "ran")).NotTo(BeAnExistingFile())
		})

		it("returns the hook's failure", func() {
			fake.WriteFile(t, ctx.ApplicationPath, "bin/pre_compile", "#!/bin/sh\necho broken\nexit 7\n", 0755)
			_, err := b.PreBuild(ctx)
			Expect(err).To(MatchError(ContainSubstring("bin/pre_compile exited with code 7")))
			Expect(output.String()).To(ContainSubstring("Note: Heroku compatibility"))
		})
	})

	context("Build", func() {
		it("runs the build hook with the build environment and exports its variables", func() {
			b.Environ = append(b.Environ, "VIRTUAL_ENV=/layers/venv")
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/build", "#!/bin/sh\necho $VIRTUAL_ENV > $CNB_HOOK_ENV_DIR/SEEN\n", 0755)

			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers).To(HaveLen(1))
			Expect(result.Layers[0].SharedEnvironment).To(Equal(libcnb.Environment{"SEEN.override": "/layers/venv"}))
		})

		it("installs the deploy hook as an exec.d program in a launch layer", func() {
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/deploy", "echo deploying\n", 0644)

			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Layers).To(HaveLen(1))
			layer := result.Layers[0]
			Expect(layer.Name).To(Equal("deploy-hook"))
			Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))

			helper := filepath.Join(layer.Path, "exec.d", "deploy-hook")
			Expect(os.ReadFile(helper)).To(Equal([]byte("the exec.d program")))
			info, err := os.Stat(helper)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Mode().Perm()).To(Equal(os.FileMode(0755)))

			var config deploy.Config
			_, err = toml.DecodeFile(filepath.Join(layer.Path, "deploy-hook.toml"), &config)
			Expect(err).NotTo(HaveOccurred())
			Expect(config).To(Equal(deploy.Config{
				Name: ".cnb/action_hooks/deploy", Path: filepath.Join(ctx.ApplicationPath, ".cnb/action_hooks/deploy"), AppDir: ctx.ApplicationPath,
				Timeout: "10m",
			}))

			log := output.String()
			Expect(log).To(ContainSubstring("Deploy hook .cnb/action_hooks/deploy: runs at every container start, before the app\n"))
			Expect(log).To(ContainSubstring("Warning: .cnb/action_hooks/deploy is not executable; at start it runs with sh."))
			Expect(log).To(ContainSubstring("It is a script for sh, which the run image must have"))
			Expect(log).To(ContainSubstring("the tiny run image (Go apps) has no shell and no interpreter, so there the deploy hook must be a static binary."))
		})

		it("refuses a BP_DEPLOY_HOOK_TIMEOUT that is not a duration at build time", func() {
			b.Environ = append(b.Environ, "BP_DEPLOY_HOOK_TIMEOUT=soon")
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/deploy", "#!/bin/sh\n", 0755)
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(HavePrefix("[Error: Invalid BP_DEPLOY_HOOK_TIMEOUT]")))
		})

		it("fails when a hook detection saw is gone, naming the symlink's removed target", func() {
			Expect(os.MkdirAll(filepath.Join(ctx.ApplicationPath, ".cnb/action_hooks"), 0755)).To(Succeed())
			Expect(os.Symlink("../../scripts/build.sh", filepath.Join(ctx.ApplicationPath, ".cnb/action_hooks/build"))).To(Succeed())
			ctx.Plan = libcnb.BuildpackPlan{Entries: []libcnb.BuildpackPlanEntry{
				{Name: "build-hook", Metadata: map[string]interface{}{"hooks": []interface{}{".cnb/action_hooks/build"}}},
			}}
			_, err := b.Build(ctx)
			Expect(err).To(MatchError(HavePrefix("[Error: Hook disappeared during the build]\n" +
				".cnb/action_hooks/build is a symlink to ../../scripts/build.sh, which an earlier build step removed before onbuild/build-hook could run it")))

			fake.WriteFile(t, ctx.ApplicationPath, "scripts/build.sh", "#!/bin/sh\necho ran\n", 0755)
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(output.String()).To(ContainSubstring("    ran\n"))
		})

		it("carries a deploy hook from outside the app in the layer", func() {
			dir := t.TempDir()
			fake.WriteFile(t, dir, "deploy", "#!/bin/sh\n", 0755)
			b.Environ = append(b.Environ, "BP_ACTION_HOOKS_DIR="+dir)

			result, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			var config deploy.Config
			_, err = toml.DecodeFile(filepath.Join(result.Layers[0].Path, "deploy-hook.toml"), &config)
			Expect(err).NotTo(HaveOccurred())
			Expect(config.Path).To(Equal(filepath.Join(result.Layers[0].Path, "hook", "deploy")))
			Expect(os.ReadFile(config.Path)).To(Equal([]byte("#!/bin/sh\n")))
		})

		it("warns at build time about a deploy hook that needs /usr/bin/env", func() {
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/deploy", "#!/usr/bin/env python3\nprint('hi')\n", 0755)
			_, err := b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(output.String()).To(ContainSubstring("Warning: .cnb/action_hooks/deploy starts with #!/usr/bin/env python3, but the python run image has no coreutils, so no /usr/bin/env. Fix: start it with #!/bin/sh or #!/usr/bin/python3"))
		})

		it("says nothing about interpreters for a binary deploy hook", func() {
			binary, err := os.ReadFile("/bin/true")
			Expect(err).NotTo(HaveOccurred())
			fake.WriteFile(t, ctx.ApplicationPath, ".cnb/action_hooks/deploy", string(binary), 0755)
			_, err = b.Build(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(output.String()).NotTo(ContainSubstring("tiny"))
		})
	})
}

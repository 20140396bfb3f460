package hooks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks"
)

func testDeploy(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		app      string
		stderr   *bytes.Buffer
		exports  *bytes.Buffer
		deployer hooks.Deployer
		config   func(content string, mode os.FileMode) string
	)

	it.Before(func() {
		app = t.TempDir()
		stderr = &bytes.Buffer{}
		exports = &bytes.Buffer{}
		deployer = hooks.Deployer{Executor: effect.CommandExecutor{}, Env: []string{"PATH=/usr/bin:/bin", "PORT=8080"}, Stderr: stderr}
		config = func(content string, mode os.FileMode) string {
			path := writeFile(t, app, ".cnb/action_hooks/deploy", content, mode)
			file, err := os.Create(filepath.Join(t.TempDir(), "deploy-hook.toml"))
			Expect(err).NotTo(HaveOccurred())
			defer file.Close()
			Expect(toml.NewEncoder(file).Encode(hooks.DeployConfig{Name: ".cnb/action_hooks/deploy", Path: path, AppDir: app})).To(Succeed())
			return file.Name()
		}
	})

	it("runs the hook in the app directory with the launch environment, output on stderr", func() {
		code := deployer.Run(config("#!/bin/sh\necho \"in $(pwd) port $PORT\"\necho err >&2\ntouch started\n", 0755), exports)
		Expect(code).To(Equal(0))
		Expect(stderr.String()).To(Equal("Running deploy hook .cnb/action_hooks/deploy\nin " + app + " port 8080\nerr\n"))
		Expect(filepath.Join(app, "started")).To(BeARegularFile())
		Expect(exports.String()).To(BeEmpty())
	})

	it("writes the variables the hook exported as exec.d TOML", func() {
		code := deployer.Run(config("echo \"quoted \\\"value\\\"\" > $CNB_HOOK_ENV_DIR/DEPLOYED\necho 1 > $CNB_HOOK_ENV_DIR/N\n", 0644), exports)
		Expect(code).To(Equal(0))
		var vars map[string]string
		_, err := toml.Decode(exports.String(), &vars)
		Expect(err).NotTo(HaveOccurred())
		Expect(vars).To(Equal(map[string]string{"DEPLOYED": `quoted "value"`, "N": "1"}))
	})

	it("exits with the hook's code and says the app was not started", func() {
		code := deployer.Run(config("#!/bin/sh\necho 'database unreachable'\nexit 4\n", 0755), exports)
		Expect(code).To(Equal(4))
		Expect(stderr.String()).To(Equal("Running deploy hook .cnb/action_hooks/deploy\ndatabase unreachable\n" +
			"[Error: deploy hook failed]\n.cnb/action_hooks/deploy exited with code 4, so the app was not started. Its output is above.\n"))
		Expect(exports.String()).To(BeEmpty())
	})

	it("names a missing interpreter, as on the tiny run image", func() {
		code := deployer.Run(config("#!/bin/bash\necho hi\n", 0755), exports)
		deployer.Env = []string{"PATH=/nonexistent"}
		Expect(code).To(Equal(0))

		stderr.Reset()
		code = deployer.Run(config("echo hi\n", 0755), exports)
		Expect(code).To(Equal(127))
		Expect(stderr.String()).To(HavePrefix("[Error: Hook interpreter not found]\n.cnb/action_hooks/deploy needs sh (it has no #! line, so it is a shell script), but the run image has no sh.\n"))
		Expect(stderr.String()).To(ContainSubstring("make the deploy hook a static binary"))
	})

	it("fails clearly without its configuration", func() {
		code := deployer.Run(filepath.Join(app, "missing.toml"), exports)
		Expect(code).To(Equal(1))
		Expect(stderr.String()).To(HavePrefix("onbuild deploy hook: unable to read " + filepath.Join(app, "missing.toml")))
	})
}

package deploy_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/onbuild-buildpacks/onbuild/hooks/deploy"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testDeploy(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		app      string
		stderr   *bytes.Buffer
		exports  *bytes.Buffer
		deployer deploy.Deployer
		config   func(content string, mode os.FileMode) string
	)

	it.Before(func() {
		app = t.TempDir()
		stderr = &bytes.Buffer{}
		exports = &bytes.Buffer{}
		deployer = deploy.Deployer{Env: []string{"PATH=/usr/bin:/bin", "PORT=8080"}, Stderr: stderr}
		config = func(content string, mode os.FileMode) string {
			path := fake.WriteFile(t, app, ".cnb/action_hooks/deploy", content, mode)
			file, err := os.Create(filepath.Join(t.TempDir(), "deploy-hook.toml"))
			Expect(err).NotTo(HaveOccurred())
			defer file.Close()
			Expect(toml.NewEncoder(file).Encode(deploy.Config{Name: ".cnb/action_hooks/deploy", Path: path, AppDir: app})).To(Succeed())
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

	it("runs on a read-only file system: exports from the next writable place, or none", func() {
		deployer.ExportDirs = []string{filepath.Join(app, "no-such-dir"), t.TempDir()}
		code := deployer.Run(config("#!/bin/sh\necho 1 > $CNB_HOOK_ENV_DIR/READY\n", 0755), exports)
		Expect(code).To(Equal(0), stderr.String())
		Expect(exports.String()).To(Equal("READY = \"1\"\n"))

		stderr.Reset()
		exports.Reset()
		deployer.ExportDirs = []string{filepath.Join(app, "no-such-dir")}
		code = deployer.Run(config("#!/bin/sh\necho \"dir=[$CNB_HOOK_ENV_DIR]\"\n", 0755), exports)
		Expect(code).To(Equal(0), stderr.String())
		Expect(stderr.String()).To(ContainSubstring("Note: no writable temporary directory (read-only file system?), so CNB_HOOK_ENV_DIR is unset"))
		Expect(stderr.String()).To(ContainSubstring("dir=[]\n"))
		Expect(exports.String()).To(BeEmpty())
	})

	it("stops a deploy hook past its timeout, the container's setting winning over the build's", func() {
		path := config("#!/bin/sh\necho migrating\nsleep 1000\n", 0755)
		var c deploy.Config
		_, err := toml.DecodeFile(path, &c)
		Expect(err).NotTo(HaveOccurred())
		c.Timeout = "1h"
		file, err := os.Create(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(toml.NewEncoder(file).Encode(c)).To(Succeed())
		Expect(file.Close()).To(Succeed())
		deployer.Env = append(deployer.Env, "BP_DEPLOY_HOOK_TIMEOUT=300ms")

		start := time.Now()
		code := deployer.Run(path, exports)
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
		Expect(code).To(Equal(124))
		Expect(stderr.String()).To(ContainSubstring("migrating\n[Error: deploy hook timed out]\n.cnb/action_hooks/deploy ran longer than BP_DEPLOY_HOOK_TIMEOUT=300ms"))
	})

	it("suggests interpreters the python run image has, which has no /usr/bin/env", func() {
		deployer.Env = []string{"PATH=" + t.TempDir()}
		code := deployer.Run(config("#!/usr/bin/env no-such-python\n", 0755), exports)
		Expect(code).To(Equal(127))
		Expect(stderr.String()).To(ContainSubstring("#!/usr/bin/python3"))
		Expect(stderr.String()).NotTo(ContainSubstring("#!/usr/bin/env python3"))
	})

	it("fails clearly without its configuration", func() {
		code := deployer.Run(filepath.Join(app, "missing.toml"), exports)
		Expect(code).To(Equal(1))
		Expect(stderr.String()).To(HavePrefix("onbuild deploy hook: unable to read " + filepath.Join(app, "missing.toml")))
	})
}

package hooks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testRun(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
		output *bytes.Buffer
		runner hooks.HookRunner
		hook   func(content string, mode os.FileMode) hooks.Hook
	)

	it.Before(func() {
		app = t.TempDir()
		output = &bytes.Buffer{}
		runner = hooks.HookRunner{
			AppDir:   app,
			Env:      []string{"PATH=/usr/bin:/bin", "FROM_PACK_ENV=yes"},
			Executor: effect.CommandExecutor{},
			Logger:   log.NewPaketoLogger(output),
		}
		hook = func(content string, mode os.FileMode) hooks.Hook {
			path := writeFile(t, app, ".cnb/action_hooks/pre-build", content, mode)
			return hooks.Hook{Kind: hooks.PreBuild, Path: path, Name: ".cnb/action_hooks/pre-build"}
		}
	})

	it("runs in the app directory with the build environment, its output under a header", func() {
		exported, err := runner.Run(hook("#!/bin/sh\necho \"in $(pwd) with $FROM_PACK_ENV\"\necho made > made.txt\necho oops >&2\n", 0755))
		Expect(err).NotTo(HaveOccurred())
		Expect(exported).To(BeEmpty())
		Expect(output.String()).To(MatchRegexp(
			`^  Running pre-build hook \.cnb/action_hooks/pre-build\n    in ` + regexp.QuoteMeta(app) + ` with yes\n    oops\n    Completed in \d`))
		Expect(filepath.Join(app, "made.txt")).To(BeARegularFile())
	})

	it("warns about a hook that is not executable, then runs it with its interpreter", func() {
		_, err := runner.Run(hook("#!/bin/sh\necho \"ran by $0\"\n", 0644))
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring(
			"Warning: .cnb/action_hooks/pre-build is not executable; running it with /bin/sh. Fix: git update-index --chmod=+x .cnb/action_hooks/pre-build\n"))
		Expect(output.String()).To(ContainSubstring("ran by " + filepath.Join(app, ".cnb/action_hooks/pre-build")))
	})

	it("runs a hook without #! and without the executable bit with sh", func() {
		_, err := runner.Run(hook("echo plain shell\n", 0600))
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("running it with sh."))
		Expect(output.String()).To(ContainSubstring("    plain shell\n"))
	})

	it("logs the compatibility note of the hook's location", func() {
		h := hook("#!/bin/sh\n", 0755)
		h.Note = "bin is Heroku's"
		_, err := runner.Run(h)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("    Note: bin is Heroku's\n"))
	})

	it("fails with the hook's name, exit code and last 20 lines", func() {
		_, err := runner.Run(hook("#!/bin/sh\nfor i in $(seq 1 30); do echo \"line $i\"; done\nexit 3\n", 0755))
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		message := err.Error()
		Expect(message).To(HavePrefix("[Error: pre-build hook failed]\n.cnb/action_hooks/pre-build exited with code 3. The last lines of its output:\n\nline 11\n"))
		Expect(message).To(ContainSubstring("line 30\n"))
		Expect(message).NotTo(ContainSubstring("line 10\n"))
		Expect(message).To(ContainSubstring("Fix it: Fix .cnb/action_hooks/pre-build and build again"))
		// The whole output was streamed before the error.
		Expect(output.String()).To(ContainSubstring("    line 1\n"))
		Expect(output.String()).NotTo(ContainSubstring("Completed"))
	})

	it("says when a failed hook printed nothing", func() {
		_, err := runner.Run(hook("#!/bin/sh\nexit 1\n", 0755))
		Expect(err).To(MatchError(ContainSubstring("exited with code 1. It printed nothing.")))
	})

	it("names a missing interpreter before running", func() {
		_, err := runner.Run(hook("#!/opt/node/bin/node\n", 0755))
		Expect(err).To(MatchError(ContainSubstring("[Error: Hook interpreter not found]")))
		Expect(err).To(MatchError(ContainSubstring("needs /opt/node/bin/node")))
	})

	it("explains that hooks cannot install system packages when apt is denied", func() {
		_, err := runner.Run(hook("#!/bin/sh\necho 'E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)'\n"+
			"echo 'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?'\nexit 100\n", 0755))
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		message := err.Error()
		Expect(message).To(HavePrefix("[Error: pre-build hook cannot install system packages]\n"))
		Expect(message).To(ContainSubstring(".cnb/action_hooks/pre-build exited with code 100"))
		Expect(message).To(ContainSubstring("build user (cnb, uid 1000), which cannot use apt-get, dpkg or sudo"))
		Expect(message).To(ContainSubstring("1. For a Python library, list it in requirements.txt"))
		Expect(message).To(ContainSubstring("are you root?"))
	})

	it("returns the variables the hook exported, one NAME file each", func() {
		exported, err := runner.Run(hook("#!/bin/sh\necho hello > \"$CNB_HOOK_ENV_DIR/GREETING\"\nprintf 'a b\\nc' > \"$CNB_HOOK_ENV_DIR/MULTI\"\ntouch \"$CNB_HOOK_ENV_DIR/bad-name\"\n", 0755))
		Expect(err).NotTo(HaveOccurred())
		Expect(exported).To(Equal(map[string]string{"GREETING": "hello", "MULTI": "a b\nc"}))
		Expect(output.String()).To(ContainSubstring(`Warning: "bad-name" is not a variable name (letters, digits and _), ignored (in CNB_HOOK_ENV_DIR)`))
	})

	it("reports a hook killed by a signal", func() {
		_, err := runner.Run(hook("#!/bin/sh\nkill -TERM $$\n", 0755))
		Expect(err).To(MatchError(ContainSubstring("was killed by signal terminated")))
	})
}

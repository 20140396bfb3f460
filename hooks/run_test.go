package hooks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
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
			AppDir: app,
			Env:    []string{"PATH=/usr/bin:/bin", "FROM_PACK_ENV=yes"},
			Logger: log.NewPaketoLogger(output),
		}
		hook = func(content string, mode os.FileMode) hooks.Hook {
			path := fake.WriteFile(t, app, ".cnb/action_hooks/pre-build", content, mode)
			return hooks.Hook{Kind: hooks.PreBuild, Path: path, Name: ".cnb/action_hooks/pre-build"}
		}
	})

	it("runs in the app directory with the build environment, its output under a header", func() {
		exported, err := runner.Run(hook("#!/bin/sh\necho \"in $(pwd) with $FROM_PACK_ENV\"\necho made > made.txt\necho oops >&2\n", 0755))
		Expect(err).NotTo(HaveOccurred())
		Expect(exported.Launch).To(BeEmpty())
		Expect(exported.Build).To(BeEmpty())
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
		Expect(exported.Launch).To(Equal(map[string]string{"GREETING": "hello", "MULTI": "a b\nc"}))
		Expect(output.String()).To(ContainSubstring(`Warning: "bad-name" is not a variable name (letters, digits and _), ignored (in CNB_HOOK_ENV_DIR)`))
	})

	it("does not wait for what the hook leaves running: it stops it and names it", func() {
		done := make(chan error, 1)
		go func() {
			_, err := runner.Run(hook("#!/bin/sh\nsleep 1000 &\necho $! > sleeper.pid\necho started\n", 0755))
			done <- err
		}()
		NewWithT(t).Eventually(done, 15*time.Second).Should(Receive(BeNil()))
		Expect(output.String()).To(ContainSubstring("    started\n"))
		Expect(output.String()).To(MatchRegexp(`Warning: \.cnb/action_hooks/pre-build left 1 process\(es\) running when it exited; onbuild stopped them:\n +\d+ sleep 1000\n`))
		pid, err := os.ReadFile(filepath.Join(app, "sleeper.pid"))
		Expect(err).NotTo(HaveOccurred())
		NewWithT(t).Eventually(func() bool { return alive(strings.TrimSpace(string(pid))) }, 5*time.Second).Should(BeFalse())
	})

	it("stops waiting for output a daemon outside the hook's group still holds", func() {
		start := time.Now()
		_, err := runner.Run(hook("#!/bin/sh\nsetsid sleep 60 &\necho $! > daemon.pid\necho started\n", 0755))
		Expect(err).NotTo(HaveOccurred())
		pid, readErr := os.ReadFile(filepath.Join(app, "daemon.pid"))
		Expect(readErr).NotTo(HaveOccurred())
		if n, convErr := strconv.Atoi(strings.TrimSpace(string(pid))); convErr == nil {
			defer syscall.Kill(n, syscall.SIGKILL)
		}
		Expect(time.Since(start)).To(BeNumerically("<", 15*time.Second))
		Expect(output.String()).To(ContainSubstring("Warning: a process .cnb/action_hooks/pre-build started outside its process group (a daemon) still holds its output; onbuild no longer waits for it."))
	})

	it("stops the hook and its children when it runs past its timeout", func() {
		runner.Timeout = 300 * time.Millisecond
		start := time.Now()
		_, err := runner.Run(hook("#!/bin/sh\n(sleep 1000; echo child) &\necho $! > child.pid\necho slow\nsleep 1000\n", 0755))
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
		Expect(err).To(MatchError(HavePrefix("[Error: pre-build hook timed out]\n.cnb/action_hooks/pre-build ran longer than BP_HOOK_TIMEOUT=300ms")))
		Expect(err).To(MatchError(ContainSubstring("slow")))
		pid, readErr := os.ReadFile(filepath.Join(app, "child.pid"))
		Expect(readErr).NotTo(HaveOccurred())
		NewWithT(t).Eventually(func() bool { return alive(strings.TrimSpace(string(pid))) }, 5*time.Second).Should(BeFalse())
	})

	it("returns build-only exports apart, and refuses a name exported both ways", func() {
		exported, err := runner.Run(hook("#!/bin/sh\necho t0ken > \"$CNB_HOOK_BUILD_ENV_DIR/INDEX_TOKEN\"\necho 1 > \"$CNB_HOOK_ENV_DIR/READY\"\n", 0755))
		Expect(err).NotTo(HaveOccurred())
		Expect(exported).To(Equal(hooks.Exports{Launch: map[string]string{"READY": "1"}, Build: map[string]string{"INDEX_TOKEN": "t0ken"}}))

		_, err = runner.Run(hook("#!/bin/sh\necho a > \"$CNB_HOOK_BUILD_ENV_DIR/X\"\necho b > \"$CNB_HOOK_ENV_DIR/X\"\n", 0755))
		Expect(err).To(MatchError(HavePrefix("[Error: Variable exported twice]")))
	})

	it("reports a hook killed by a signal", func() {
		_, err := runner.Run(hook("#!/bin/sh\nkill -TERM $$\n", 0755))
		Expect(err).To(MatchError(ContainSubstring("was killed by signal terminated")))
	})
}

// alive reports a process that exists and is not a zombie.
func alive(pid string) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return false
	}
	state := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(state) > 0 && state[0] != "Z"
}

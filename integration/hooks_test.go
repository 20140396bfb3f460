package integration_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testHooks(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("runs pre-build before pip, build with the venv, deploy at every start, and exports their variables", func() {
		a := newApp(t, "hooks/python")
		out := a.mustBuild("--env", "HOOK_INPUT=from pack")

		preBuild := strings.Index(out, "Running pre-build hook .cnb/action_hooks/pre-build")
		pip := strings.Index(out, "Installing --requirement requirements.txt")
		buildHook := strings.Index(out, "Running build hook .cnb/action_hooks/build")
		Expect(preBuild).To(BeNumerically(">", 0), out)
		Expect(pip).To(BeNumerically(">", preBuild), out)
		Expect(buildHook).To(BeNumerically(">", pip), out)
		Expect(out).To(ContainSubstring("pre-build: writing hook-requirements.txt"))
		Expect(out).To(ContainSubstring("Reading .whiskey/user_vars: LEGACY_VAR"))
		Expect(out).To(ContainSubstring("Exported to later build steps and the app (in the image): LEGACY_VAR, PRE_BUILD_VAR"))
		Expect(out).To(ContainSubstring("Warning: .cnb/action_hooks/build is not executable; running it with /bin/sh."))
		Expect(out).To(ContainSubstring("build: wrote built.txt"))
		Expect(out).To(MatchRegexp(`build: wrote built.txt\n\s+Completed in \d`))
		Expect(out).To(ContainSubstring("Exported to later build steps and the app (in the image): BUILD_VAR"))
		Expect(out).To(ContainSubstring("Deploy hook .cnb/action_hooks/deploy: runs at every container start, before the app"))
		Expect(out).To(ContainSubstring("the tiny run image (Go apps) has no shell and no interpreter"))

		url := a.start()
		Expect(a.get(url + "/built")).To(Equal(strings.Join([]string{
			"flask 3.1.1",
			"gunicorn /layers/onbuild_python/venv/bin/gunicorn",
			"virtualenv /layers/onbuild_python/venv",
			"pre-build variable: from pre-build",
			"user_vars variable: from user_vars",
			"pack --env: from pack",
			"directory /workspace",
			"user 1000",
		}, "\n") + "\n"))
		Expect(a.get(url + "/env")).To(MatchJSON(`{
			"PRE_BUILD_VAR": "from pre-build",
			"BUILD_VAR": "from build",
			"LEGACY_VAR": "from user_vars",
			"DEPLOY_VAR": "ran in /workspace with PORT=8080"
		}`))
		logs, err := exec.Command("docker", "logs", a.containers[0]).CombinedOutput()
		Expect(err).NotTo(HaveOccurred())
		Expect(string(logs)).To(ContainSubstring("Running deploy hook .cnb/action_hooks/deploy\ndeploy: preparing /workspace\n"))

		out, code := runToExit(t, a.image, "FAIL_DEPLOY=1")
		Expect(code).NotTo(Equal(0), out)
		Expect(out).To(ContainSubstring("deploy: database unreachable\n[Error: deploy hook failed]\n" +
			".cnb/action_hooks/deploy exited with code 4, so the app was not started."))
		Expect(out).NotTo(ContainSubstring("Booting worker"))

		// Hooks run on every build, even when nothing changed.
		out = a.mustBuild("--env", "HOOK_INPUT=again")
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))
		Expect(out).To(ContainSubstring("Running pre-build hook .cnb/action_hooks/pre-build"))
		Expect(out).To(ContainSubstring("Running build hook .cnb/action_hooks/build"))
		Expect(a.get(a.start() + "/built")).To(ContainSubstring("pack --env: again\n"))
	})

	it("fails with the hook's name, exit code and last lines, and explains apt", func() {
		a := newApp(t, "hooks/failing")
		out, err := a.build()
		Expect(err).To(HaveOccurred(), out)
		out = dedent(out)
		Expect(out).To(ContainSubstring("[Error: pre-build hook failed]\n" +
			".cnb/action_hooks/pre-build exited with code 3. The last lines of its output:\n\npre-build output line 11\n"))
		problem := out[strings.Index(out, "[Error: pre-build hook failed]"):]
		Expect(problem).To(ContainSubstring("pre-build output line 30\n"))
		Expect(problem).NotTo(ContainSubstring("pre-build output line 10\n"))
		Expect(out).NotTo(ContainSubstring("Installing --requirement"))

		a.write(".cnb/action_hooks/pre-build", "#!/bin/sh\napt-get install -y curl\n")
		Expect(os.Chmod(filepath.Join(a.dir, ".cnb/action_hooks/pre-build"), 0644)).To(Succeed())
		out, err = a.build()
		Expect(err).To(HaveOccurred(), out)
		out = dedent(out)
		Expect(out).To(ContainSubstring("Warning: .cnb/action_hooks/pre-build is not executable; running it with /bin/sh."))
		Expect(out).To(ContainSubstring("[Error: pre-build hook cannot install system packages]\n" +
			".cnb/action_hooks/pre-build exited with code 100"))
		Expect(out).To(ContainSubstring("build user (cnb, uid 1000), which cannot use apt-get, dpkg or sudo"))
		Expect(out).To(ContainSubstring("1. For a Python library, list it in requirements.txt"))
	})

	it("runs a Go app's build hook that is a symlink, whose target the source removal keeps", func() {
		a := newApp(t, "go/web")
		Expect(os.MkdirAll(filepath.Join(a.dir, "scripts"), 0755)).To(Succeed())
		Expect(os.MkdirAll(filepath.Join(a.dir, ".cnb", "action_hooks"), 0755)).To(Succeed())
		a.write("scripts/build.sh", "#!/bin/sh\necho \"build hook via symlink in $(pwd)\"\n")
		Expect(os.Chmod(filepath.Join(a.dir, "scripts", "build.sh"), 0755)).To(Succeed())
		Expect(os.Symlink("../../scripts/build.sh", filepath.Join(a.dir, ".cnb", "action_hooks", "build"))).To(Succeed())

		out := a.mustBuild(append([]string{"--run-image", tinyRunImage}, caBinding(t)...)...)
		Expect(out).To(ContainSubstring("keeping .cnb/action_hooks/build, scripts/build.sh"))
		Expect(out).To(ContainSubstring("Running build hook .cnb/action_hooks/build"))
		Expect(out).To(ContainSubstring("build hook via symlink in /workspace"))
	})

	it("refuses hooks in two locations until BP_ACTION_HOOKS_DIR picks one or one is removed", func() {
		a := newApp(t, "hooks/two-locations")
		out, err := a.build()
		Expect(err).To(HaveOccurred(), out)
		out = dedent(out)
		Expect(out).To(ContainSubstring("[Error: Action hooks in two locations]\n" +
			"The app has hooks in more than one place, so onbuild cannot tell which to run:\n" +
			".cnb/action_hooks/build\n.whiskey/action_hooks/build\n"))
		Expect(out).To(ContainSubstring("2. Or choose one directory with pack build --env BP_ACTION_HOOKS_DIR=<dir>."))

		out = a.mustBuild("--env", "BP_ACTION_HOOKS_DIR=.whiskey/action_hooks")
		Expect(out).To(ContainSubstring("Running build hook .whiskey/action_hooks/build"))
		Expect(out).To(ContainSubstring("build hook from .whiskey"))
		Expect(out).NotTo(ContainSubstring("build hook from .cnb"))

		Expect(os.RemoveAll(filepath.Join(a.dir, ".cnb"))).To(Succeed())
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("Running build hook .whiskey/action_hooks/build"))
		Expect(out).To(ContainSubstring("Note: .whiskey/action_hooks is deprecated: move its hooks to .cnb/action_hooks"))
	})
}

// runToExit runs the image in the foreground and returns its output and
// exit code, for containers that are expected to stop on their own.
func runToExit(t *testing.T, image string, env ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	name := image + "-exit"
	args := []string{"run", "--name", name}
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", name).Run() })
	out, err := exec.CommandContext(ctx, "docker", append(args, image)...).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s did not stop within 60 s:\n%s", image, out)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("docker run %s: %v\n%s", image, err, out)
	}
	return string(out), 0
}

// dedent drops the indentation of every line: the buildpack log indents a
// Problem, and tests read its lines together.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimLeft(line, " ")
	}
	return strings.Join(lines, "\n")
}

package invoke_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testInvoke(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
		env    []string
		hook   func(content string, mode os.FileMode) invoke.Hook
	)

	it.Before(func() {
		app = t.TempDir()
		env = []string{"PATH=/usr/bin:/bin"}
		hook = func(content string, mode os.FileMode) invoke.Hook {
			path := fake.WriteFile(t, app, ".cnb/action_hooks/build", content, mode)
			return invoke.Hook{Kind: invoke.Build, Path: path, Name: ".cnb/action_hooks/build"}
		}
	})

	it("runs an executable script itself", func() {
		h := hook("#!/bin/sh\necho hi\n", 0755)
		invocation, err := invoke.Invoke(h, env, "build image")
		Expect(err).NotTo(HaveOccurred())
		Expect(invocation).To(Equal(invoke.Invocation{Command: h.Path, Interpreter: "/bin/sh", Executable: true}))
	})

	it("runs a script that is not executable through its #! interpreter, with its argument", func() {
		h := hook("#!/bin/sh -eu\necho hi\n", 0644)
		invocation, err := invoke.Invoke(h, env, "build image")
		Expect(err).NotTo(HaveOccurred())
		Expect(invocation).To(Equal(invoke.Invocation{Command: "/bin/sh", Args: []string{"-eu", h.Path}, Interpreter: "/bin/sh"}))
	})

	it("runs a script without #! with sh, executable or not", func() {
		h := hook("echo hi\n", 0755)
		invocation, err := invoke.Invoke(h, env, "build image")
		Expect(err).NotTo(HaveOccurred())
		Expect(invocation).To(Equal(invoke.Invocation{Command: "sh", Args: []string{h.Path}, Interpreter: "sh", Executable: true}))
	})

	it("runs a binary itself", func() {
		binary, err := os.ReadFile("/bin/true")
		Expect(err).NotTo(HaveOccurred())
		h := hook(string(binary), 0755)
		invocation, err := invoke.Invoke(h, env, "build image")
		Expect(err).NotTo(HaveOccurred())
		Expect(invocation).To(Equal(invoke.Invocation{Command: h.Path, Executable: true}))
	})

	it("asks for chmod +x on a binary that is not executable", func() {
		binary, err := os.ReadFile("/bin/true")
		Expect(err).NotTo(HaveOccurred())
		_, err = invoke.Invoke(hook(string(binary), 0644), env, "build image")
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.Error()).To(ContainSubstring("[Error: Hook binary is not executable]"))
		Expect(err.Error()).To(ContainSubstring("chmod +x .cnb/action_hooks/build"))
	})

	it("names a missing #! interpreter", func() {
		_, err := invoke.Invoke(hook("#!/usr/bin/ruby\nputs 1\n", 0644), env, "build image")
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.Error()).To(HavePrefix("[Error: Hook interpreter not found]\n" +
			".cnb/action_hooks/build needs /usr/bin/ruby (it starts with #!/usr/bin/ruby), but the build image has no /usr/bin/ruby.\n"))
		Expect(err.Error()).To(ContainSubstring("1. Rewrite .cnb/action_hooks/build for an interpreter the build image has (sh, python3)."))
	})

	it("names the program env would look for", func() {
		_, err := invoke.Invoke(hook("#!/usr/bin/env -S nosuchinterp --flag\n", 0755), env, "build image")
		Expect(err).To(MatchError(ContainSubstring("needs nosuchinterp (it starts with #!/usr/bin/env -S nosuchinterp --flag)")))
	})

	it("looks the interpreter up on the hook's PATH", func() {
		bin := t.TempDir()
		fake.WriteFile(t, bin, "myinterp", "#!/bin/sh\n", 0755)
		h := hook("#!/usr/bin/env myinterp\n", 0644)

		_, err := invoke.Invoke(h, env, "build image")
		Expect(err).To(MatchError(ContainSubstring("needs myinterp")))

		invocation, err := invoke.Invoke(h, []string{"PATH=/usr/bin:/bin:" + bin}, "build image")
		Expect(err).NotTo(HaveOccurred())
		Expect(invocation.Args).To(Equal([]string{"myinterp", h.Path}))
	})

	it("names sh when a script without #! runs where there is no shell", func() {
		h := invoke.Hook{Kind: invoke.Deploy, Path: fake.WriteFile(t, app, "deploy", "echo hi\n", 0755), Name: ".cnb/action_hooks/deploy"}
		_, err := invoke.Invoke(h, []string{"PATH=" + filepath.Join(app, "empty")}, "run image")
		Expect(err).To(MatchError(ContainSubstring(".cnb/action_hooks/deploy needs sh (it has no #! line, so it is a shell script), but the run image has no sh.")))
		Expect(err).To(MatchError(ContainSubstring("1. The tiny run image (Go apps) has no shell and no interpreter: make the deploy hook a static binary.")))
	})

	it("refuses an empty #! line", func() {
		_, err := invoke.Invoke(hook("#!\necho\n", 0755), env, "build image")
		Expect(err).To(MatchError(HavePrefix("[Error: Hook has an empty #! line]")))
	})
}

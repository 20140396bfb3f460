// Package invoke runs one hook file: it reads what the file is (a binary,
// or a script and its interpreter), runs it in its own process group with
// a timeout, stops what it leaves behind, and reads the variables it
// exported. Both the build (package hooks) and the deploy hook's
// container-start program use it, so it imports no build code.
package invoke

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// The hook kinds, named as their files in .cnb/action_hooks.
const (
	PreBuild = "pre-build"
	Build    = "build"
	Deploy   = "deploy"
)

// Hook is one hook file of the app.
type Hook struct {
	Kind string
	// Path is absolute.
	Path string
	// Name is how the developer knows the file: its path in the app.
	Name string
	// Note is the compatibility note of its location, "" for the native one.
	Note string
}

// EnvDirVariable names the directory a hook writes NAME files into to
// export variables (content = value) to later build steps and the app:
// these go into the image.
const EnvDirVariable = "CNB_HOOK_ENV_DIR"

// BuildEnvDirVariable names the directory for variables only later build
// steps see (a short-lived token for a private index): they go into a
// build-only layer, never into the image.
const BuildEnvDirVariable = "CNB_HOOK_BUILD_ENV_DIR"

// Invocation is how a hook file is started.
type Invocation struct {
	Command string
	Args    []string
	// Interpreter is the program that reads a script hook, "" for a binary.
	Interpreter string
	Executable  bool
}

// Script is what a hook file is, read from its mode and first line.
type Script struct {
	// Executable is false for a hook that lost its executable bit (a zip
	// download, a Windows checkout): it still runs, through its interpreter.
	Executable bool
	// Binary is true for a program (ELF), which needs no interpreter.
	Binary bool
	// Interpreter and Arg come from the #! line; a script without one is
	// a shell script, as shells treat it: Interpreter is sh.
	Interpreter, Arg string
	// Shebang is the #! line, "" when there is none.
	Shebang string
}

// Inspect reads what a hook is without running it.
func Inspect(hook Hook) (Script, error) {
	info, err := os.Stat(hook.Path)
	if err != nil {
		return Script{}, fmt.Errorf("unable to read %s\n%w", hook.Name, err)
	}
	head, err := readHead(hook.Path)
	if err != nil {
		return Script{}, fmt.Errorf("unable to read %s\n%w", hook.Name, err)
	}
	script := Script{Executable: info.Mode().Perm()&0111 != 0}
	if bytes.HasPrefix(head, []byte("\x7fELF")) {
		script.Binary = true
		if !script.Executable {
			return Script{}, problem.Problem{
				Title: "Hook binary is not executable",
				Cause: fmt.Sprintf("%s is a program but has no executable permission, so it cannot run.", hook.Name),
				Fixes: []string{fmt.Sprintf("chmod +x %s (with git: git update-index --chmod=+x %s), then build again.", hook.Name, hook.Name)},
			}
		}
		return script, nil
	}
	line, ok := shebang(head)
	if !ok {
		script.Interpreter = "sh"
		return script, nil
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return Script{}, problem.Problem{
			Title: "Hook has an empty #! line",
			Cause: fmt.Sprintf("%s starts with #! but names no interpreter.", hook.Name),
			Fixes: []string{"Start it with #!/bin/sh (or the interpreter it needs), or remove the #! line."},
		}
	}
	// Linux passes everything after the interpreter as one argument.
	script.Shebang = "#!" + line
	script.Interpreter, script.Arg = fields[0], strings.Join(fields[1:], " ")
	return script, nil
}

// Invoke decides how to run a hook: a binary or an executable script
// directly, a script that is not executable through its #! interpreter (sh
// when it has none). It checks first that the interpreter is on the PATH of
// env, so a missing one is named instead of surfacing as "no such file or
// directory". image says where the hook runs ("build image", "run image").
func Invoke(hook Hook, env []string, image string) (Invocation, error) {
	script, err := Inspect(hook)
	if err != nil {
		return Invocation{}, err
	}
	if script.Binary {
		return Invocation{Command: hook.Path, Executable: true}, nil
	}
	if err := checkInterpreter(hook, script, env, image); err != nil {
		return Invocation{}, err
	}
	if script.Shebang == "" {
		// exec would fail with "exec format error" even when it is
		// executable: run it with sh, as shells do.
		return Invocation{Command: "sh", Args: []string{hook.Path}, Interpreter: "sh", Executable: script.Executable}, nil
	}
	if script.Executable {
		return Invocation{Command: hook.Path, Interpreter: script.Interpreter, Executable: true}, nil
	}
	args := []string{hook.Path}
	if script.Arg != "" {
		args = []string{script.Arg, hook.Path}
	}
	return Invocation{Command: script.Interpreter, Args: args, Interpreter: script.Interpreter}, nil
}

func checkInterpreter(hook Hook, script Script, env []string, image string) error {
	why := "it has no #! line, so it is a shell script"
	if script.Shebang != "" {
		why = "it starts with " + script.Shebang
	}
	if _, ok := lookPath(script.Interpreter, env); !ok {
		return missingInterpreter(hook, why, script.Interpreter, image)
	}
	if filepath.Base(script.Interpreter) != "env" {
		return nil
	}
	// #!/usr/bin/env python3: the program env looks for is the interpreter
	// the developer means. Skip env's options and NAME=value assignments.
	for _, field := range strings.Fields(script.Arg) {
		if strings.HasPrefix(field, "-") || strings.Contains(field, "=") {
			continue
		}
		if _, ok := lookPath(field, env); !ok {
			return missingInterpreter(hook, why, field, image)
		}
		break
	}
	return nil
}

func missingInterpreter(hook Hook, why, interpreter, image string) error {
	fixes := []string{
		fmt.Sprintf("Rewrite %s for an interpreter the %s has (sh, python3).", hook.Name, image),
		fmt.Sprintf("Or make %s a static binary, which needs no interpreter.", hook.Name),
	}
	if hook.Kind == Deploy {
		fixes = []string{
			"The tiny run image (Go apps) has no shell and no interpreter: make the deploy hook a static binary.",
			"On the python run image, start it with #!/bin/sh or #!/usr/bin/python3: that image has no coreutils, so no /usr/bin/env.",
		}
	}
	return problem.Problem{
		Title: "Hook interpreter not found",
		Cause: fmt.Sprintf("%s needs %s (%s), but the %s has no %s.", hook.Name, interpreter, why, image, interpreter),
		Fixes: fixes,
	}
}

// readHead returns the start of a file, enough for a #! line (Linux reads
// at most 256 bytes of it).
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 256)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return head[:n], nil
}

// shebang returns the text after #! on the first line.
func shebang(head []byte) (string, bool) {
	if !bytes.HasPrefix(head, []byte("#!")) {
		return "", false
	}
	line, _, _ := bytes.Cut(head[2:], []byte("\n"))
	return strings.TrimSpace(string(bytes.TrimSuffix(line, []byte("\r")))), true
}

// lookPath finds a program on the PATH of env (not of this process: the
// hook runs with env), or checks a path that has a slash.
func lookPath(name string, env []string) (string, bool) {
	if strings.Contains(name, "/") {
		return name, isExecutable(name)
	}
	for _, dir := range filepath.SplitList(envvar.Value(env, "PATH")) {
		if dir == "" {
			dir = "."
		}
		path := filepath.Join(dir, name)
		if isExecutable(path) {
			return path, true
		}
	}
	return "", false
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0111 != 0
}

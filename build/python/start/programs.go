package start

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/buildpacks/libcnb/v2"
)

// commandSeparators split a shell line into its simple commands.
var commandSeparators = regexp.MustCompile(`&&|\|\||[;|&\n]`)

// assignment is a NAME=value word before a command.
var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// notPrograms are words that start a simple command but run no program
// from PATH: dash's builtins and keywords, and the prefixes that run the
// word after them.
var notPrograms = map[string]bool{
	"exec": true, "cd": true, "export": true, "echo": true, "printf": true, "test": true, "[": true,
	"true": true, "false": true, "set": true, "unset": true, "trap": true, "wait": true, "exit": true,
	"read": true, "ulimit": true, "umask": true, "shift": true, "return": true, ".": true, ":": true,
	"eval": true, "kill": true, "alias": true, "command": true, "type": true, "local": true,
	"if": true, "then": true, "else": true, "elif": true, "fi": true, "for": true, "do": true,
	"done": true, "while": true, "until": true, "case": true, "esac": true, "{": true, "}": true, "!": true,
}

// Programs returns the programs a shell command line runs, in order: the
// first word of each simple command after assignments and exec. Words the
// shell expands ($VAR, `...`) are left out: only the running app knows
// them.
func Programs(line string) []string {
	var programs []string
	for _, simple := range commandSeparators.Split(line, -1) {
		words := strings.Fields(strings.Trim(simple, " \t()"))
		for len(words) > 0 && (assignment.MatchString(words[0]) || words[0] == "exec" || words[0] == "env" || words[0] == "nohup") {
			words = words[1:]
		}
		if len(words) == 0 || notPrograms[words[0]] || strings.ContainsAny(words[0], "$`'\"<>") {
			continue
		}
		programs = append(programs, words[0])
	}
	return programs
}

// MissingPrograms names, for each process, the programs that are neither
// in the venv, nor in the app (a path), nor on pathList, the build's PATH,
// which stands in for the run image's: the run image is not here, and its
// programs are a subset of the build image's. Each warning names the
// process, the program and the fix.
func MissingPrograms(processes []libcnb.Process, source, appDir, venvDir, pathList string) []string {
	var warnings []string
	for _, process := range processes {
		line := strings.Join(process.Command, " ")
		if len(process.Command) == 3 && process.Command[0] == "sh" && process.Command[1] == "-c" {
			line = process.Command[2]
		}
		for _, program := range Programs(line) {
			if found(program, appDir, venvDir, pathList) {
				continue
			}
			warnings = append(warnings, fmt.Sprintf("Warning: %s process %q runs %s, which is neither in the virtualenv nor in the image:\n"+
				"  every start would fail with \"%s: not found\". Fix: declare the package that provides %s in\n"+
				"  requirements.txt (or pyproject.toml), e.g. %s, or fix the command.",
				source, process.Type, program, program, program, program))
		}
	}
	return warnings
}

func found(program, appDir, venvDir, pathList string) bool {
	executable := func(path string) bool {
		info, err := os.Stat(path)
		return err == nil && !info.IsDir()
	}
	if strings.Contains(program, "/") {
		if filepath.IsAbs(program) {
			return executable(program)
		}
		return executable(filepath.Join(appDir, program))
	}
	if executable(filepath.Join(venvDir, "bin", program)) {
		return true
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir != "" && executable(filepath.Join(dir, program)) {
			return true
		}
	}
	return false
}

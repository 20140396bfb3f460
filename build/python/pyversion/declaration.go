package pyversion

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Override is the variable whose value Read takes before any file.
const Override = "BP_PYTHON_VERSION"

// Declaration is one place an app says which Python it wants.
type Declaration struct {
	// File is the app file (".python-version", "pyproject.toml", ...), or
	// BP_PYTHON_VERSION for the override.
	File string
	// Line is 1-based; 0 for the override, or when it could not be found.
	Line int
	// Key is the TOML key the value came from (requires-python,
	// python_version, ...); empty for the files that hold only a version.
	Key string
	// Raw is the value as written.
	Raw string
	// Specifiers is what the declaration allows.
	Specifiers Specifiers
	// Version is set when the declaration names one version (3.13 or
	// 3.13.1) rather than a range, so that another patch of the same minor
	// can be accepted.
	Version Version
}

// Asks is what the declaration asks for, as a user would write it.
func (d Declaration) Asks() string {
	if d.Version != nil {
		return d.Version.String()
	}
	return d.Specifiers.String()
}

// Source names the declaration for a log line: "BP_PYTHON_VERSION",
// ".python-version", "requires-python in pyproject.toml".
func (d Declaration) Source() string {
	if d.Key != "" {
		return d.Key + " in " + d.File
	}
	return d.File
}

// Where is Source with the line, for errors that send the user to it.
func (d Declaration) Where() string {
	where := d.Source()
	if d.Line > 0 {
		where += fmt.Sprintf(" line %d", d.Line)
	}
	return where
}

type source func(appDir, override string) (Declaration, bool, error)

// sources is the priority order documented in the package comment.
var sources = []source{readOverride, readPythonVersion, readRuntimeTxt, readPyproject, readPipfile, readUVLock}

// Read returns the highest-priority declaration of the app in appDir, with
// override the value of BP_PYTHON_VERSION ("" when unset). It reports false
// when nothing declares a Python. A malformed declaration is a
// problem.Problem; lower-priority sources are not read past the first one
// found.
func Read(appDir, override string) (Declaration, bool, error) {
	for _, read := range sources {
		decl, ok, err := read(appDir, override)
		if err != nil || ok {
			return decl, ok, err
		}
	}
	return Declaration{}, false, nil
}

// ReadAll returns every declaration, highest priority first, for callers
// that want to check that the lower ones agree too.
func ReadAll(appDir, override string) ([]Declaration, error) {
	var all []Declaration
	for _, read := range sources {
		decl, ok, err := read(appDir, override)
		if err != nil {
			return nil, err
		}
		if ok {
			all = append(all, decl)
		}
	}
	return all, nil
}

func readOverride(_, override string) (Declaration, bool, error) {
	raw := strings.TrimSpace(override)
	if raw == "" {
		return Declaration{}, false, nil
	}
	decl := Declaration{File: Override, Raw: override}
	var err error
	decl.Specifiers, decl.Version, err = parseRequest(raw)
	if err != nil {
		return Declaration{}, false, problem.Problem{
			Title: "Unreadable BP_PYTHON_VERSION",
			Cause: fmt.Sprintf("BP_PYTHON_VERSION is %q: %s.", override, err),
			Fixes: []string{"Set BP_PYTHON_VERSION to a version such as 3.13 (pack build --env BP_PYTHON_VERSION=3.13), or unset it to use the Python the app's files declare."},
		}
	}
	return decl, true, nil
}

// readFile returns the file's content, or false when it does not exist.
func readFile(appDir, name string) (string, bool, error) {
	content, err := os.ReadFile(filepath.Join(appDir, name))
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("unable to read %s\n%w", name, err)
	}
	return strings.TrimPrefix(string(content), "\ufeff"), true, nil
}

func readPythonVersion(appDir, _ string) (Declaration, bool, error) {
	const name = ".python-version"
	content, ok, err := readFile(appDir, name)
	if !ok || err != nil {
		return Declaration{}, false, err
	}
	for i, line := range strings.Split(content, "\n") {
		text := strings.TrimSpace(line)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = firstWord(text)
		decl := Declaration{File: name, Line: i + 1, Raw: text}
		decl.Specifiers, decl.Version, err = parseRequest(strings.TrimPrefix(strings.TrimPrefix(text, "cpython-"), "cpython@"))
		if err != nil {
			return Declaration{}, false, problem.Problem{
				Title: "Unreadable .python-version",
				File:  name,
				Cause: fmt.Sprintf(".python-version line %d says %q: %s.", i+1, text, err),
				Fixes: []string{fmt.Sprintf("Write the Python version on line %d of .python-version, for example 3.13.", i+1), "Delete .python-version to use the stack's Python."},
			}
		}
		return decl, true, nil
	}
	return Declaration{}, false, problem.Problem{
		Title: "Empty .python-version",
		File:  name,
		Cause: ".python-version has no version line, only blank lines or comments.",
		Fixes: []string{"Write the Python version in .python-version, for example 3.13.", "Delete .python-version to use the stack's Python."},
	}
}

var runtimeTxt = regexp.MustCompile(`^python-(\d+\.\d+(\.\d+)?)$`)

func readRuntimeTxt(appDir, _ string) (Declaration, bool, error) {
	const name = "runtime.txt"
	content, ok, err := readFile(appDir, name)
	if !ok || err != nil {
		return Declaration{}, false, err
	}
	for i, line := range strings.Split(content, "\n") {
		text := strings.TrimSpace(line)
		if text == "" {
			continue
		}
		m := runtimeTxt.FindStringSubmatch(text)
		if m == nil {
			return Declaration{}, false, problem.Problem{
				Title: "Unreadable runtime.txt",
				File:  name,
				Cause: fmt.Sprintf("runtime.txt line %d says %q: runtime.txt names CPython as python-X.Y.Z (or python-X.Y), and onbuild has no other Python.", i+1, text),
				Fixes: []string{fmt.Sprintf("Write python-3.13 on line %d of runtime.txt.", i+1), "Replace runtime.txt with a .python-version file holding 3.13."},
			}
		}
		v, _ := ParseVersion(m[1])
		return Declaration{File: name, Line: i + 1, Raw: text, Specifiers: pin(v), Version: v}, true, nil
	}
	return Declaration{}, false, problem.Problem{
		Title: "Empty runtime.txt",
		File:  name,
		Cause: "runtime.txt is empty.",
		Fixes: []string{"Write python-3.13 in runtime.txt.", "Delete runtime.txt to use the stack's Python."},
	}
}

// firstWord is what pyenv reads from a line ("3.13 # prod" is 3.13); a
// specifier set as uv writes it may hold spaces, so it keeps the line up to
// a comment.
func firstWord(line string) string {
	if strings.ContainsAny(line[:1], "<>=!~^") {
		if at := strings.Index(line, "#"); at >= 0 {
			line = line[:at]
		}
		return strings.TrimSpace(line)
	}
	return strings.Fields(line)[0]
}

// pinForm is a version named outright, as pyenv, uv and pack users write it.
var pinForm = regexp.MustCompile(`^\d+(\.\d+){0,2}$`)

// parseRequest reads BP_PYTHON_VERSION or a .python-version line: a version
// (3.13, 3.13.1), or a specifier set (>=3.12) as uv allows.
func parseRequest(text string) (Specifiers, Version, error) {
	if text == "" {
		return nil, nil, fmt.Errorf("there is no version")
	}
	if strings.ContainsAny(text[:1], "<>=!~^") {
		set, err := ParseSpecifiers(text)
		return set, nil, err
	}
	if pinForm.MatchString(text) {
		v, err := ParseVersion(text)
		return pin(v), v, err
	}
	return nil, nil, unsupported(text)
}

var (
	freeThreaded = regexp.MustCompile(`^\d+(\.\d+){1,2}t$`)
	preRelease   = regexp.MustCompile(`\d(a|b|rc|\.?dev|-dev)\d*$`)
	named        = regexp.MustCompile(`^[a-z]`)
)

// unsupported explains the version forms of other tools onbuild cannot
// honour: the stack has one CPython, built by Debian.
func unsupported(text string) error {
	lower := strings.ToLower(text)
	switch {
	case lower == "system":
		return fmt.Errorf("\"system\" means whatever Python the machine has; onbuild always uses the stack's Python, so name its version instead")
	case freeThreaded.MatchString(lower):
		return fmt.Errorf("this asks for a free-threaded Python, and the stack's python3 is not free-threaded; write %s", strings.TrimSuffix(text, "t"))
	case preRelease.MatchString(lower):
		return fmt.Errorf("this is a pre-release; the stack has a final release of CPython")
	case named.MatchString(lower):
		return fmt.Errorf("this names another Python implementation or distribution; onbuild has CPython from the Debian stack only")
	}
	return fmt.Errorf("this is not a Python version such as 3.13 or 3.13.5")
}

// pin is what a version named outright allows: 3.13 means any 3.13.x,
// 3.13.1 means exactly that release.
func pin(v Version) Specifiers {
	if len(v) < 3 {
		return Specifiers{{Operator: "==", Version: v, Wildcard: true}}
	}
	return Specifiers{{Operator: "==", Version: v}}
}

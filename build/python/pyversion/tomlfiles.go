package pyversion

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func readPyproject(appDir, _ string) (Declaration, bool, error) {
	const name = "pyproject.toml"
	decl, ok, err := tomlString(appDir, name, "project", "requires-python")
	if !ok || err != nil {
		return decl, ok, err
	}
	decl.Specifiers, err = ParseSpecifiers(decl.Raw)
	if err != nil {
		return Declaration{}, false, problem.Problem{
			Title: "Unreadable requires-python",
			File:  name,
			Cause: fmt.Sprintf("%s is %q, which is not a PEP 440 specifier set: %s.", decl.Where(), decl.Raw, err),
			Fixes: []string{`Write requires-python as a specifier set, for example requires-python = ">=3.11".`},
		}
	}
	return decl, true, nil
}

// readPipfile prefers python_full_version, as pipenv does.
func readPipfile(appDir, _ string) (Declaration, bool, error) {
	const name = "Pipfile"
	decl, ok, err := tomlString(appDir, name, "requires", "python_full_version")
	if err == nil && !ok {
		decl, ok, err = tomlString(appDir, name, "requires", "python_version")
	}
	if !ok || err != nil {
		return decl, ok, err
	}
	raw := strings.TrimSpace(decl.Raw)
	if !pinForm.MatchString(raw) {
		return Declaration{}, false, problem.Problem{
			Title: "Unreadable Pipfile Python version",
			File:  name,
			Cause: fmt.Sprintf("%s is %q: %s.", decl.Where(), decl.Raw, unsupported(raw)),
			Fixes: []string{fmt.Sprintf(`Write %s = "3.13" under [requires] in Pipfile.`, decl.Key), "Remove it from Pipfile to use the stack's Python."},
		}
	}
	decl.Version, _ = ParseVersion(raw)
	decl.Specifiers = pin(decl.Version)
	return decl, true, nil
}

// readUVLock reads the requires-python uv copies from pyproject.toml; it
// matters for apps whose pyproject.toml lives elsewhere in a workspace.
func readUVLock(appDir, _ string) (Declaration, bool, error) {
	const name = "uv.lock"
	decl, ok, err := tomlString(appDir, name, "", "requires-python")
	if !ok || err != nil {
		return decl, ok, err
	}
	decl.Specifiers, err = ParseSpecifiers(decl.Raw)
	if err != nil {
		return Declaration{}, false, problem.Problem{
			Title: "Unreadable requires-python",
			File:  name,
			Cause: fmt.Sprintf("%s is %q, which is not a PEP 440 specifier set: %s.", decl.Where(), decl.Raw, err),
			Fixes: []string{`uv writes uv.lock from pyproject.toml: fix requires-python there, for example requires-python = ">=3.11", then run uv lock.`},
		}
	}
	return decl, true, nil
}

// tomlString returns the string at table.key ("" table: the top level) of the
// TOML file name, or false when the file or the key is absent.
func tomlString(appDir, name, table, key string) (Declaration, bool, error) {
	content, ok, err := readFile(appDir, name)
	if !ok || err != nil {
		return Declaration{}, false, err
	}
	var doc map[string]any
	if _, err := toml.Decode(content, &doc); err != nil {
		return Declaration{}, false, invalidTOML(name, err)
	}
	values := doc
	if table != "" {
		values, _ = doc[table].(map[string]any)
	}
	value, present := values[key]
	if !present {
		return Declaration{}, false, nil
	}
	decl := Declaration{File: name, Line: keyLine(content, table, key), Key: key}
	raw, isString := value.(string)
	if !isString {
		return Declaration{}, false, problem.Problem{
			Title: "Python version is not a string",
			File:  name,
			Cause: fmt.Sprintf("%s is %v, not a quoted string.", decl.Where(), value),
			Fixes: []string{fmt.Sprintf(`Quote the value: %s = "%v".`, key, value)},
		}
	}
	decl.Raw = raw
	return decl, true, nil
}

func invalidTOML(name string, err error) error {
	cause := fmt.Sprintf("%s is not valid TOML: %s.", name, err)
	fix := fmt.Sprintf("Fix the TOML syntax of %s.", name)
	var parseErr toml.ParseError
	if errors.As(err, &parseErr) {
		cause = fmt.Sprintf("%s is not valid TOML: line %d: %s.", name, parseErr.Position.Line, parseErr.Message)
		fix = fmt.Sprintf("Fix the TOML syntax on line %d of %s.", parseErr.Position.Line, name)
	}
	return problem.Problem{Title: "Invalid " + name, File: name, Cause: cause, Fixes: []string{fix}}
}

var (
	tableHeader = regexp.MustCompile(`^\[\s*["']?([^\]"']+)["']?\s*\]`)
	keyPrefix   = regexp.MustCompile(`^["']?([A-Za-z0-9_.-]+?)["']?\s*=`)
)

// keyLine finds the line of table.key for messages, since the TOML decoder
// does not report positions. Dotted keys (project.requires-python = ...) at
// the top level count too. It returns 0 when the line is not found.
func keyLine(content, table, key string) int {
	current := ""
	for i, line := range strings.Split(content, "\n") {
		text := strings.TrimSpace(line)
		if strings.HasPrefix(text, "[[") {
			current = text // an array of tables never holds the keys looked for
			continue
		}
		if m := tableHeader.FindStringSubmatch(text); m != nil {
			current = strings.TrimSpace(m[1])
			continue
		}
		m := keyPrefix.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		if (current == table && m[1] == key) || (current == "" && table != "" && m[1] == table+"."+key) {
			return i + 1
		}
	}
	return 0
}

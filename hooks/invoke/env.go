package invoke

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

var variableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ReadEnvDir reads a directory of NAME files (content = value) as
// variables. A missing directory has none. One trailing newline is dropped:
// `echo value > $CNB_HOOK_ENV_DIR/NAME` means "value". Names that cannot be
// variables are skipped with a warning; dot files (.gitkeep) silently.
func ReadEnvDir(dir string) (map[string]string, []string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("unable to read %s\n%w", dir, err)
	}
	vars := map[string]string{}
	var warnings []string
	for _, entry := range entries {
		name := entry.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if entry.IsDir() || !variableName.MatchString(name) {
			warnings = append(warnings, fmt.Sprintf("%q is not a variable name (letters, digits and _), ignored", name))
			continue
		}
		content, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, fmt.Errorf("unable to read %s\n%w", filepath.Join(dir, name), err)
		}
		value := strings.TrimSuffix(strings.TrimSuffix(string(content), "\n"), "\r")
		if err := checkValue(filepath.Join(dir, name), name, value); err != nil {
			return nil, nil, err
		}
		vars[name] = value
	}
	return vars, warnings, nil
}

// maxVariable is Linux's limit on one NAME=value string handed to a
// program (MAX_ARG_STRLEN, 32 pages). A longer one makes every later exec
// fail with "argument list too long", far from the file that caused it.
const maxVariable = 32 * 4096

// checkValue refuses what the environment cannot carry, naming the file:
// a NUL byte ends a C string, so the value would be cut there.
func checkValue(path, name, value string) error {
	if strings.IndexByte(value, 0) >= 0 {
		return problem.Problem{
			Title: "Exported variable holds a NUL byte",
			Cause: fmt.Sprintf("%s holds a NUL byte; an environment variable ends at the first one, so %s would be cut short.", path, name),
			Fixes: []string{fmt.Sprintf("Write text into %s; for binary data, write a file in the app and export its path.", name)},
		}
	}
	if len(name)+1+len(value) >= maxVariable {
		return problem.Problem{
			Title: "Exported variable too long",
			Cause: fmt.Sprintf("%s holds %d bytes; Linux passes at most %d to a program as one variable, so every later step would fail with \"argument list too long\".",
				path, len(value), maxVariable-len(name)-2),
			Fixes: []string{fmt.Sprintf("Write the content to a file in the app and export its path in %s instead.", name)},
		}
	}
	return nil
}

// Names returns the variable names, sorted, for logs: values may be secrets.
func Names(vars map[string]string) []string {
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

package python

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// ProjectDependencies returns what the app's own project file declares that
// changes an install, as a digest per file: for pyproject.toml the
// [build-system] table and [project] dependencies, so editing the app's
// version or description does not reinstall anything; for setup.py, whose
// dependencies are code, the whole file. The map is empty without a project.
func ProjectDependencies(appDir string) (map[string]string, error) {
	found := map[string]string{}
	if content, err := os.ReadFile(filepath.Join(appDir, "pyproject.toml")); err == nil {
		declared, err := pyprojectDeclarations(content)
		if err != nil {
			return nil, err
		}
		found["pyproject.toml"] = declared
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("unable to read pyproject.toml\n%w", err)
	}
	if sum, err := fileDigest(filepath.Join(appDir, "setup.py")); err == nil {
		found["setup.py"] = sum
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("unable to read setup.py\n%w", err)
	}
	return found, nil
}

type pyproject struct {
	BuildSystem map[string]interface{} `toml:"build-system"`
	Project     struct {
		Name                 string              `toml:"name"`
		Dependencies         []string            `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
		RequiresPython       string              `toml:"requires-python"`
		Dynamic              []string            `toml:"dynamic"`
	} `toml:"project"`
}

func pyprojectDeclarations(content []byte) (string, error) {
	var declared pyproject
	if _, err := toml.Decode(string(content), &declared); err != nil {
		return "", problem.Problem{
			Title: "Malformed pyproject.toml",
			Cause: fmt.Sprintf("pyproject.toml is not valid TOML: %v", err),
			Fixes: []string{"Fix the syntax error in pyproject.toml (check it with `python3 -c \"import tomllib; tomllib.load(open('pyproject.toml','rb'))\"`)."},
		}
	}
	// Dynamic dependencies live in code or other files: key on the whole
	// file then, rather than miss a change.
	for _, field := range declared.Project.Dynamic {
		if strings.Contains(field, "dependencies") {
			return digest(content), nil
		}
	}
	var lines []string
	lines = append(lines, "name="+declared.Project.Name, "requires-python="+declared.Project.RequiresPython)
	lines = append(lines, declared.Project.Dependencies...)
	extras := make([]string, 0, len(declared.Project.OptionalDependencies))
	for extra := range declared.Project.OptionalDependencies {
		extras = append(extras, extra)
	}
	sort.Strings(extras)
	for _, extra := range extras {
		lines = append(lines, "["+extra+"]")
		lines = append(lines, declared.Project.OptionalDependencies[extra]...)
	}
	buildSystem, err := toml.Marshal(declared.BuildSystem)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n") + "\n" + string(buildSystem)))
	return hex.EncodeToString(sum[:]), nil
}

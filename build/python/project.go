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

// ProjectDependencies returns what the app's own project files declare that
// changes an install, as a digest per file: for pyproject.toml the
// [build-system] table, [project] dependencies and Poetry's dependency
// tables, so editing the app's version or description does not reinstall
// anything; the files [tool.setuptools.dynamic] takes dependencies from;
// setup.cfg's [options] requirements; for setup.py, whose dependencies are
// code, the whole file. The map is empty without a project.
func ProjectDependencies(appDir string) (map[string]string, error) {
	found := map[string]string{}
	dir, err := os.OpenRoot(appDir)
	if err != nil {
		return nil, fmt.Errorf("unable to open %s\n%w", appDir, err)
	}
	defer dir.Close()
	if content, err := dir.ReadFile("pyproject.toml"); err == nil {
		declared, files, err := pyprojectDeclarations(content)
		if err != nil {
			return nil, err
		}
		found["pyproject.toml"] = declared
		for _, file := range files {
			sum, err := dynamicFileDigest(dir, "pyproject.toml", file)
			if err != nil {
				return nil, err
			}
			found[filepath.Clean(file)] = sum
		}
	} else if !os.IsNotExist(err) {
		return nil, projectReadProblem("pyproject.toml", err)
	}
	if content, err := dir.ReadFile("setup.py"); err == nil {
		found["setup.py"] = digest(content)
	} else if !os.IsNotExist(err) {
		return nil, projectReadProblem("setup.py", err)
	}
	// setup.cfg alone is no project pip can install: it only counts beside
	// setup.py or pyproject.toml.
	if len(found) == 0 {
		return found, nil
	}
	if content, err := dir.ReadFile("setup.cfg"); err == nil {
		declared, files := setupCfgDeclarations(string(content))
		found["setup.cfg"] = digest([]byte(declared))
		for _, file := range files {
			sum, err := dynamicFileDigest(dir, "setup.cfg", file)
			if err != nil {
				return nil, err
			}
			found[filepath.Clean(file)] = sum
		}
	} else if !os.IsNotExist(err) {
		return nil, projectReadProblem("setup.cfg", err)
	}
	return found, nil
}

// projectReadProblem explains a project file the app has but onbuild
// cannot read inside it, most often a symbolic link out of the app.
func projectReadProblem(name string, err error) problem.Problem {
	return problem.Problem{
		Title: "Project file unreadable",
		Cause: fmt.Sprintf("%s cannot be read inside the app: %v.", name, err),
		Fixes: []string{fmt.Sprintf("If %s is a symbolic link out of the app, replace it with the file itself.", name)},
	}
}

// dynamicFileDigest reads a file that project (pyproject.toml, setup.cfg)
// takes dependencies from, inside the app only: os.Root refuses a path or
// a symbolic link that leads out of it.
func dynamicFileDigest(dir *os.Root, project, file string) (string, error) {
	if !filepath.IsLocal(file) {
		return "", dynamicFileProblem(project, file, "it is outside the app")
	}
	content, err := dir.ReadFile(file)
	if os.IsNotExist(err) {
		return "", dynamicFileProblem(project, file, "there is no such file in the app")
	}
	if err != nil {
		return "", dynamicFileProblem(project, file, "it cannot be read inside the app (a symbolic link out of it?)")
	}
	return digest(content), nil
}

func dynamicFileProblem(project, file, why string) problem.Problem {
	return problem.Problem{
		Title: "Dependency file of " + project + " unreadable",
		Cause: fmt.Sprintf("%s takes dependencies from %s, but %s.", project, file, why),
		Fixes: []string{fmt.Sprintf("Add %s to the app, with a path relative to the app's root, or fix the file name in %s.", file, project)},
	}
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
	Tool struct {
		Poetry     poetryDependencies `toml:"poetry"`
		Setuptools struct {
			Dynamic map[string]interface{} `toml:"dynamic"`
		} `toml:"setuptools"`
	} `toml:"tool"`
}

// poetryDependencies are the tables of [tool.poetry] that Poetry (and pip,
// through poetry-core) installs from; name, version and the rest are not.
type poetryDependencies struct {
	Dependencies    map[string]interface{} `toml:"dependencies"`
	DevDependencies map[string]interface{} `toml:"dev-dependencies"`
	Group           map[string]interface{} `toml:"group"`
	Extras          map[string]interface{} `toml:"extras"`
	Source          []interface{}          `toml:"source"`
}

// pyprojectDeclarations is the digest of what pyproject.toml declares that
// changes an install, and the files [tool.setuptools.dynamic] takes
// dependencies from.
func pyprojectDeclarations(content []byte) (string, []string, error) {
	var declared pyproject
	if _, err := toml.Decode(string(content), &declared); err != nil {
		return "", nil, problem.Problem{
			Title: "Malformed pyproject.toml",
			Cause: fmt.Sprintf("pyproject.toml is not valid TOML: %v", err),
			Fixes: []string{"Fix the syntax error in pyproject.toml (check it with `python3 -c \"import tomllib; tomllib.load(open('pyproject.toml','rb'))\"`)."},
		}
	}
	// Dynamic dependencies live in code or other files: key on the whole
	// file then, rather than miss a change.
	for _, field := range declared.Project.Dynamic {
		if strings.Contains(field, "dependencies") {
			return digest(content), dynamicFiles(declared.Tool.Setuptools.Dynamic), nil
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
	// Marshalled, so the digest follows the values, not their layout: the
	// encoder writes map keys sorted.
	tables, err := toml.Marshal(map[string]interface{}{"build-system": declared.BuildSystem, "poetry": declared.Tool.Poetry})
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n") + "\n" + string(tables)))
	return hex.EncodeToString(sum[:]), nil, nil
}

// dynamicFiles lists the files of [tool.setuptools.dynamic]'s dependencies
// and optional-dependencies: {file = "a.in"} or {file = ["a.in", "b.in"]},
// the latter per extra.
func dynamicFiles(dynamic map[string]interface{}) []string {
	var files []string
	var collect func(value interface{}, depth int)
	collect = func(value interface{}, depth int) {
		table, ok := value.(map[string]interface{})
		if !ok {
			return
		}
		switch file := table["file"].(type) {
		case string:
			files = append(files, file)
		case []interface{}:
			for _, f := range file {
				if name, ok := f.(string); ok {
					files = append(files, name)
				}
			}
		}
		if depth > 0 {
			for _, extra := range sortedTableKeys(table) {
				collect(table[extra], depth-1)
			}
		}
	}
	collect(dynamic["dependencies"], 0)
	collect(dynamic["optional-dependencies"], 1)
	return files
}

func sortedTableKeys(table map[string]interface{}) []string {
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// setupCfgKeys are the [options] entries of setup.cfg that change what pip
// installs; [options.extras_require] counts whole.
var setupCfgKeys = map[string]bool{"install_requires": true, "setup_requires": true, "python_requires": true, "dependency_links": true}

// setupCfgDeclarations is what setup.cfg declares that changes an install,
// one "section key line" line each, continuation lines included, in file
// order: setuptools' INI dialect, without a parser for what does not
// matter here. files are those a "file:" value takes requirements from.
func setupCfgDeclarations(content string) (declared string, files []string) {
	var kept []string
	section, key := "", ""
	for _, raw := range strings.Split(content, "\n") {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";"):
			continue
		case strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]"):
			section, key = strings.TrimSpace(trimmed[1:len(trimmed)-1]), ""
			continue
		case line[0] == ' ' || line[0] == '\t':
			// A continuation of the key above.
		default:
			name, _, _ := strings.Cut(trimmed, "=")
			name, _, _ = strings.Cut(name, ":")
			key = strings.TrimSpace(name)
		}
		if section == "options.extras_require" || (section == "options" && setupCfgKeys[key]) {
			kept = append(kept, section+" "+key+" "+trimmed)
			value := trimmed
			if _, after, ok := strings.Cut(trimmed, "="); ok && !strings.HasPrefix(raw, " ") && !strings.HasPrefix(raw, "\t") {
				value = strings.TrimSpace(after)
			}
			if rest, ok := strings.CutPrefix(value, "file:"); ok {
				for _, file := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
					files = append(files, file)
				}
			}
		}
	}
	return strings.Join(kept, "\n"), files
}

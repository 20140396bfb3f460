package lockfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Tool is the program that wrote a lock file.
type Tool string

const (
	UV     Tool = "uv"
	Poetry Tool = "poetry"
	Pipenv Tool = "pipenv"
)

// GroupsSetting names the build setting that selects groups and extras on
// top of the production dependencies.
const GroupsSetting = "BP_PYTHON_GROUPS"

// Lock is a lock file found in an app, parsed and checked for its format
// version; Resolve picks the distributions to install from it.
type Lock struct {
	Tool Tool
	// File and Manifest are relative to the app directory.
	File     string
	Manifest string
	appDir   string
	// root is the upload around appDir that path sources may reach into
	// (a monorepo); "" keeps them inside appDir. member is the uv
	// workspace member to install, relative to appDir; "" is appDir's own
	// project.
	root, member string
	resolve      func(groups map[string]bool) (Set, error)
	// groups are the names BP_PYTHON_GROUPS may use with this lock.
	groups []string
}

// lockKind is what Find looks for: a lock file and the manifest it locks.
type lockKind struct {
	tool     Tool
	file     string
	manifest string
	load     func(l *Lock) error
}

var lockKinds = []lockKind{
	{UV, "uv.lock", "pyproject.toml", loadUV},
	{Poetry, "poetry.lock", "pyproject.toml", loadPoetry},
	{Pipenv, "Pipfile.lock", "Pipfile", loadPipenv},
}

// RefreshCommand is what rewrites the lock from its manifest.
func (t Tool) RefreshCommand() string {
	switch t {
	case UV:
		return "uv lock"
	case Poetry:
		return "poetry lock"
	default:
		return "pipenv lock"
	}
}

// Find reports the app's lock file; false without error when it has none.
func Find(appDir string) (Lock, bool, error) {
	return find(appDir, "")
}

func find(appDir, root string) (Lock, bool, error) {
	var found []lockKind
	for _, kind := range lockKinds {
		exists, err := fileExists(filepath.Join(appDir, kind.file))
		if err != nil {
			return Lock{}, false, err
		}
		if exists {
			found = append(found, kind)
		}
	}
	if len(found) == 0 {
		return Lock{}, false, nil
	}
	if len(found) > 1 {
		return Lock{}, false, twoLocksProblem(found)
	}
	kind := found[0]
	hasManifest, err := fileExists(filepath.Join(appDir, kind.manifest))
	if err != nil {
		return Lock{}, false, err
	}
	if !hasManifest {
		return Lock{}, false, problem.Problem{
			Title: fmt.Sprintf("%s without %s", kind.file, kind.manifest),
			File:  kind.file,
			Cause: fmt.Sprintf("The app has %s but no %s: the lock cannot be checked against the dependencies it was made from.", kind.file, kind.manifest),
			Fixes: []string{
				fmt.Sprintf("Commit %s alongside %s (check .gitignore and project.toml excludes).", kind.manifest, kind.file),
				fmt.Sprintf("Delete %s if the app installs its dependencies another way.", kind.file),
			},
		}
	}
	l := Lock{Tool: kind.tool, File: kind.file, Manifest: kind.manifest, appDir: appDir, root: root}
	if err := kind.load(&l); err != nil {
		return Lock{}, false, err
	}
	return l, true, nil
}

func fileExists(path string) (bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !info.IsDir(), nil
}

func twoLocksProblem(found []lockKind) problem.Problem {
	var names, fixes []string
	for _, kind := range found {
		names = append(names, kind.file)
	}
	for _, kind := range found {
		var others []string
		for _, other := range names {
			if other != kind.file {
				others = append(others, other)
			}
		}
		fixes = append(fixes, fmt.Sprintf("Keep %s (%s) and delete %s.", kind.file, kind.tool, strings.Join(others, " and ")))
	}
	return problem.Problem{
		Title: "More than one lock file",
		File:  names[0],
		Cause: fmt.Sprintf("The app has %s: onbuild installs exactly one lock and will not guess which one is current.", strings.Join(names, " and ")),
		Fixes: fixes,
	}
}

// Resolve returns the distributions pip installs for the production
// dependencies plus groups, the names from BP_PYTHON_GROUPS (dependency
// groups, Poetry groups, Pipfile categories or the project's extras).
func (l Lock) Resolve(groups []string) (Set, error) {
	selected := map[string]bool{}
	known := map[string]bool{}
	for _, g := range l.groups {
		known[g] = true
	}
	for _, g := range groups {
		g = NormalizeName(g)
		if g == "" {
			continue
		}
		if !known[g] {
			return Set{}, l.unknownGroupProblem(g)
		}
		selected[g] = true
	}
	return l.resolve(selected)
}

// Groups are the names BP_PYTHON_GROUPS may select in this lock, sorted.
func (l Lock) Groups() []string {
	return append([]string{}, l.groups...)
}

// ParseGroups splits the BP_PYTHON_GROUPS value.
func ParseGroups(value string) []string {
	var groups []string
	for _, g := range strings.Split(value, ",") {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	return groups
}

func (l Lock) unknownGroupProblem(group string) problem.Problem {
	available := "it declares none"
	if len(l.groups) > 0 {
		available = "it has " + strings.Join(l.groups, ", ")
	}
	return problem.Problem{
		Title: "Unknown dependency group",
		File:  l.File,
		Cause: fmt.Sprintf("%s asks for the group or extra %q, but %s does not lock it: %s.", GroupsSetting, group, l.File, available),
		Fixes: []string{
			fmt.Sprintf("Fix the name in %s (comma separated).", GroupsSetting),
			fmt.Sprintf("Declare the group in %s and run `%s`.", l.Manifest, l.Tool.RefreshCommand()),
		},
	}
}

// staleProblem is the one message for a manifest the lock no longer matches.
func (l Lock) staleProblem(why string) problem.Problem {
	return problem.Problem{
		Title: "The lock file is out of date",
		File:  l.File,
		Cause: fmt.Sprintf("%s is out of date: %s", l.File, why),
		Fixes: []string{fmt.Sprintf("Run `%s` and commit %s.", l.Tool.RefreshCommand(), l.File)},
	}
}

// formatProblem is a lock (or manifest) onbuild cannot read.
func (l Lock) formatProblem(file, cause string) problem.Problem {
	p := problem.Problem{
		Title: "Unreadable " + file,
		File:  file,
		Cause: cause,
		Fixes: []string{fmt.Sprintf("Fix %s by hand and run `%s`.", file, l.Tool.RefreshCommand())},
	}
	if file == l.File {
		p.Fixes = []string{fmt.Sprintf("Regenerate %s with `%s` and commit it.", file, l.Tool.RefreshCommand())}
	}
	return p
}

func (l Lock) read(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(l.appDir, name))
}

// Package detect decides what an app is and what it needs, as build-plan
// entries. Every function here is pure over the app directory so that
// detection is cheap, predictable and unit tested.
package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
)

// pythonMarkers are the files that make an app a Python app, in the order
// ARCHITECTURE.md lists them, then the lock tools' files: a lock without
// its manifest still reaches the build, which names the missing file.
var pythonMarkers = []string{"requirements.txt", "setup.py", "pyproject.toml", "Pipfile", "Pipfile.lock", "uv.lock", "poetry.lock"}

// Python passes when the app declares Python dependencies.
func Python(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	app, err := resolveApp(ctx)
	if err != nil {
		return badApp(err)
	}
	ctx.ApplicationPath = app.Dir
	found, err := PythonMarker(ctx.ApplicationPath)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	metadata := map[string]interface{}{}
	if found == "" {
		// A misspelt requirements file passes detection so that the build
		// can fail with the fix, instead of "no buildpack groups passed".
		found, err = NearMissRequirements(ctx.ApplicationPath)
		if err != nil {
			return libcnb.DetectResult{}, err
		}
		if found != "" {
			metadata[NearMissKey] = found
		}
	}
	if found == "" {
		if reason := NothingToBuild(app); reason != "" {
			return appProblem(reason), nil
		}
		// Only shown with `pack build -v`: lifecycle hides the output of a
		// buildpack that fails detection, and another group may still pass.
		fmt.Println("onbuild/python: no requirements.txt, setup.py, pyproject.toml, Pipfile or lock file in the app directory")
		return libcnb.DetectResult{Pass: false}, nil
	}
	// git and hg join the plan only for pip's VCS URLs and a lock's git
	// sources, so that no other app downloads them.
	git, hg, err := PythonNeedsVCS(ctx.ApplicationPath)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	if g, h, err := workspaceNeedsVCS(app); err == nil {
		git, hg = git || g, hg || h
	}
	// Debian packages that well-known projects need (detect/native.go).
	native, err := PythonNativeNeeds(ctx.ApplicationPath)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	requires := append([]libcnb.BuildPlanRequire{{Name: PythonVenv, Metadata: metadata}}, VCSRequires(git, hg)...)
	return libcnb.DetectResult{
		Pass: true,
		Plans: []libcnb.BuildPlan{{
			Provides: []libcnb.BuildPlanProvide{{Name: PythonVenv}},
			Requires: append(requires, NativeRequires(native)...),
		}},
	}, nil
}

// PythonMarker returns the first file that marks appDir as a Python app, or
// "" when there is none.
func PythonMarker(appDir string) (string, error) {
	for _, name := range pythonMarkers {
		info, err := os.Stat(filepath.Join(appDir, name))
		if err == nil && !info.IsDir() {
			return name, nil
		}
		if err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("unable to read %s\n%w", name, err)
		}
	}
	return "", nil
}

// nearMisses are misspellings of requirements.txt seen in real apps.
var nearMisses = map[string]bool{
	"requirement.txt":      true,
	"requirements.txt.txt": true,
	"requirements.text":    true,
	"requirments.txt":      true,
	"requirements":         true,
	"requirements.pip":     true,
	"requirements.in":      false, // pip-tools input: a real file, compiled elsewhere
}

// NearMissRequirements returns a file that was probably meant to be
// requirements.txt (Requirements.txt, requirement.txt, ...), or "".
func NearMissRequirements(appDir string) (string, error) {
	entries, err := os.ReadDir(appDir)
	if err != nil {
		return "", fmt.Errorf("unable to list the app directory\n%w", err)
	}
	for _, entry := range entries {
		name := entry.Name()
		if entry.IsDir() || name == "requirements.txt" {
			continue
		}
		lower := strings.ToLower(name)
		if lower == "requirements.txt" || nearMisses[lower] {
			return name, nil
		}
	}
	return "", nil
}

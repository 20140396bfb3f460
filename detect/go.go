package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// goVCSSettings are the go command's variables that decide whether it
// fetches modules straight from their repositories.
var goVCSSettings = []string{"GOPROXY", "GOPRIVATE", "GONOPROXY", "GOFLAGS"}

// Go passes when the app has go.mod or go.work.
func Go(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	reader, err := settings.ForDetect(ctx.Buildpack.Metadata, ctx.Platform.Environment)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	env := map[string]string{}
	for _, name := range goVCSSettings {
		env[name] = reader.String(name)
	}
	// A BP_APP_DIR the user must fix fails here: the Python group, tried
	// first, passes to explain it.
	app, err := appdir.Resolve(ctx.ApplicationPath, reader.String(appdir.Setting))
	if err != nil {
		return libcnb.DetectResult{Pass: false}, nil
	}
	return GoDetect(app.Dir, env, reader.String(hooks.DirSetting))
}

// GoDetect decides detection over the app directory and the build's
// environment (GOPROXY, GOPRIVATE and GOFLAGS decide whether git or hg is
// needed).
func GoDetect(appDir string, env map[string]string, hooksDir string) (libcnb.DetectResult, error) {
	found, err := GoMarker(appDir)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	if found == "" {
		// Shown with `pack build -v` only.
		fmt.Println("onbuild/go: no go.mod or go.work in the app directory")
		return libcnb.DetectResult{Pass: false}, nil
	}
	git, hg, err := GoNeedsVCS(appDir, env)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	metadata := map[string]interface{}{}
	if keep := hookFiles(appDir, hooksDir); len(keep) > 0 {
		metadata[KeepKey] = keep
	}
	return libcnb.DetectResult{
		Pass: true,
		Plans: []libcnb.BuildPlan{{
			Provides: []libcnb.BuildPlanProvide{{Name: GoPlan}},
			Requires: append([]libcnb.BuildPlanRequire{{Name: GoPlan, Metadata: metadata}}, VCSRequires(git, hg)...),
		}},
	}, nil
}

// GoMarker returns the first file that marks appDir as a Go app (goMarkers:
// go.mod, go.work), or "" when there is none.
func GoMarker(appDir string) (string, error) {
	for _, name := range goMarkers {
		info, err := os.Stat(filepath.Join(appDir, name))
		if err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("unable to read %s\n%w", name, err)
		}
		if err == nil && !info.IsDir() {
			return name, nil
		}
	}
	return "", nil
}

// hookFiles lists the app's hook files, relative to the app. The Go build
// removes the source from the app directory, and the build hook runs after
// it, from there: these must survive. Hooks in two locations are left to
// the hook buildpacks, which explain them.
func hookFiles(appDir, hooksDir string) []interface{} {
	set, err := hooks.Find(appDir, hooksDir)
	if err != nil {
		return nil
	}
	var files []string
	for _, kind := range hooks.Kinds {
		hook := set.Get(kind)
		if hook == nil {
			continue
		}
		files = appendInApp(files, appDir, hook.Path)
		// A hook may be a symlink to a script elsewhere in the app: keep
		// the script too, or the build hook finds a dangling link.
		if target, err := filepath.EvalSymlinks(hook.Path); err == nil {
			if root, err := filepath.EvalSymlinks(appDir); err == nil {
				if rel, err := filepath.Rel(root, target); err == nil {
					files = appendInApp(files, appDir, filepath.Join(appDir, rel))
				}
			}
		}
	}
	sort.Strings(files)
	files = dedupe(files)
	keep := make([]interface{}, len(files))
	for i, file := range files {
		keep[i] = file
	}
	return keep
}

// appendInApp appends path, relative to appDir, when it is inside it.
func appendInApp(files []string, appDir, path string) []string {
	rel, err := filepath.Rel(appDir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return files
	}
	return append(files, filepath.ToSlash(rel))
}

// dedupe drops repeats from a sorted list.
func dedupe(sorted []string) []string {
	var out []string
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

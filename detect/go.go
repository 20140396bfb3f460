package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/hooks"
)

// Go passes when the app has go.mod or go.work.
func Go(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	env := environment(os.Environ(), ctx.Platform.Environment)
	return GoDetect(ctx.ApplicationPath, env, env[hooks.DirConfig])
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
		rel, err := filepath.Rel(appDir, hook.Path)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			files = append(files, filepath.ToSlash(rel))
		}
	}
	sort.Strings(files)
	keep := make([]interface{}, len(files))
	for i, file := range files {
		keep[i] = file
	}
	return keep
}

// environment is the build's environment as a detect step sees it: the
// builder's defaults in the process, overridden by `pack build --env`
// values, which the platform passes as files.
func environment(environ []string, platform map[string]string) map[string]string {
	env := map[string]string{}
	for _, kv := range environ {
		if name, value, ok := strings.Cut(kv, "="); ok {
			env[name] = value
		}
	}
	for name, value := range platform {
		env[name] = value
	}
	return env
}

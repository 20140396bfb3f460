package detect

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// AppKey (on PythonVenv) says detection passed only so that the build can
// explain why there is no app to build: BP_APP_DIR leads out of the upload,
// or names a folder without an app, or the upload holds apps only in
// subfolders. Its value is the reason.
const AppKey = "app-problem"

// AppMarkers are the files that make a folder an app, Python's then Go's:
// what a folder without an app was searched for.
func AppMarkers() []string {
	return append(append([]string{}, pythonMarkers...), goMarkers...)
}

// resolveApp is the app folder of a detect step. BP_APP_DIR arrives both
// in the process environment (the lifecycle adds the platform's env files
// to it for buildpacks that do not clear their environment) and in
// ctx.Platform.Environment (libcnb reads the same files); the platform's
// copy wins, as in settings.ForDetect. Read here without a settings.Reader
// so that Python detection also runs over a bare folder.
func resolveApp(ctx libcnb.DetectContext) (appdir.App, error) {
	value := ctx.Platform.Environment[appdir.Setting]
	if value == "" {
		value = os.Getenv(appdir.Setting)
	}
	return appdir.Resolve(ctx.ApplicationPath, value)
}

// appProblem passes detection with the reason there is nothing to build,
// so that the Python build can print it: a failed detection only prints
// "No buildpack groups passed detection".
func appProblem(reason string) libcnb.DetectResult {
	return libcnb.DetectResult{
		Pass: true,
		Plans: []libcnb.BuildPlan{{
			Provides: []libcnb.BuildPlanProvide{{Name: PythonVenv}},
			Requires: []libcnb.BuildPlanRequire{{Name: PythonVenv, Metadata: map[string]interface{}{AppKey: reason}}},
		}},
	}
}

// badApp turns a BP_APP_DIR the user can fix into a plan that explains it
// at build; other errors stay errors.
func badApp(err error) (libcnb.DetectResult, error) {
	var p problem.Problem
	if errors.As(err, &p) {
		return appProblem(p.Error()), nil
	}
	return libcnb.DetectResult{}, err
}

// NothingToBuild explains an app folder without any app: what was looked
// for there, and which subfolders have one. It returns "" when the folder
// has an app, or when it is a plain upload without apps below it either
// (detection then fails as it always has).
func NothingToBuild(app appdir.App) string {
	if found, _ := PythonMarker(app.Dir); found != "" {
		return ""
	}
	if found, _ := GoMarker(app.Dir); found != "" {
		return ""
	}
	candidates := appdir.Candidates(app.Dir, AppMarkers())
	if !app.InRepo() && len(candidates) == 0 {
		return ""
	}
	where := "the uploaded source"
	if app.InRepo() {
		where = app.Rel + " (" + appdir.Setting + ")"
	}
	p := problem.Problem{
		Title: "No app in " + where,
		Cause: fmt.Sprintf("onbuild looked in %s for %v and found none of them.", where, AppMarkers()),
	}
	if len(candidates) > 0 {
		p.Cause += "\nThese folders below it have an app:\n  " + strings.Join(candidates, "\n  ")
		first, _, _ := strings.Cut(candidates[0], " ")
		if app.InRepo() {
			first = path.Join(app.Rel, first)
		}
		p.Fixes = []string{fmt.Sprintf("Name the app's folder, relative to the uploaded source: pack build --env %s=%s (or in project.toml's [[io.buildpacks.build.env]]).", appdir.Setting, first)}
	} else {
		p.Fixes = []string{fmt.Sprintf("Point %s at the folder holding requirements.txt, pyproject.toml or go.mod, relative to the uploaded source.", appdir.Setting)}
	}
	return p.Error()
}

// UVWorkspace returns the folder of the uv workspace appDir is a member
// of: the nearest folder above it, up to root, whose pyproject.toml
// declares [tool.uv.workspace] members matching appDir and that holds
// uv.lock. "" when there is none (or appDir has a lock of its own).
func UVWorkspace(root, appDir string) (string, error) {
	if exists(filepath.Join(appDir, "uv.lock")) {
		return "", nil
	}
	for dir := filepath.Dir(appDir); ; dir = filepath.Dir(dir) {
		rel, err := filepath.Rel(root, dir)
		if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
			return "", nil
		}
		member, _ := filepath.Rel(dir, appDir)
		ok, err := uvMember(dir, filepath.ToSlash(member))
		if err != nil || ok {
			if ok {
				return dir, nil
			}
			return "", err
		}
		if rel == "." {
			return "", nil
		}
	}
}

// uvMember reports whether dir is a uv workspace with a lock whose members
// (globs, minus exclude) match member.
func uvMember(dir, member string) (bool, error) {
	content, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
	if os.IsNotExist(err) || !exists(filepath.Join(dir, "uv.lock")) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("unable to read %s\n%w", filepath.Join(dir, "pyproject.toml"), err)
	}
	var project struct {
		Tool struct {
			UV struct {
				Workspace struct {
					Members []string `toml:"members"`
					Exclude []string `toml:"exclude"`
				} `toml:"workspace"`
			} `toml:"uv"`
		} `toml:"tool"`
	}
	if _, err := toml.Decode(string(content), &project); err != nil {
		return false, nil
	}
	matches := func(globs []string) bool {
		for _, glob := range globs {
			if ok, _ := path.Match(path.Clean(glob), member); ok {
				return true
			}
		}
		return false
	}
	ws := project.Tool.UV.Workspace
	return matches(ws.Members) && !matches(ws.Exclude), nil
}

func exists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir()
}

// workspaceNeedsVCS reports the git and hg sources of the uv workspace
// lock a member app is installed from.
func workspaceNeedsVCS(app appdir.App) (git, hg bool, err error) {
	dir, err := UVWorkspace(app.Root, app.Dir)
	if err != nil || dir == "" {
		return false, false, err
	}
	return lockNeedsVCS(dir)
}

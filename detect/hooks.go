package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// PreBuildHook passes when the app has a pre-build hook or .whiskey/user_vars
// (read by the same buildpack, before any dependency is installed).
func PreBuildHook(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	reader, err := settings.ForDetect(ctx.Buildpack.Metadata, ctx.Platform.Environment)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	app, err := appdir.Resolve(ctx.ApplicationPath, reader.String(appdir.Setting))
	if err != nil {
		// The Python group passes to explain it.
		return libcnb.DetectResult{Pass: false}, nil
	}
	return HookPlan(app.Dir, reader.String(hooks.DirSetting), PreBuildHookPlan)
}

// BuildHook passes when the app has a build or a deploy hook.
func BuildHook(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	reader, err := settings.ForDetect(ctx.Buildpack.Metadata, ctx.Platform.Environment)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	app, err := appdir.Resolve(ctx.ApplicationPath, reader.String(appdir.Setting))
	if err != nil {
		// The Python group passes to explain it.
		return libcnb.DetectResult{Pass: false}, nil
	}
	return HookPlan(app.Dir, reader.String(hooks.DirSetting), BuildHookPlan)
}

// HookPlan decides detection for one hook buildpack (plan is its plan
// entry) over the app directory and BP_ACTION_HOOKS_DIR. Hooks in two
// locations, or a missing BP_ACTION_HOOKS_DIR, pass: the build then stops
// with the Problem, which detection output could not show.
func HookPlan(appDir, hooksDir, plan string) (libcnb.DetectResult, error) {
	set, err := hooks.Find(appDir, hooksDir)
	found, wanted := err != nil, ""
	var seen []*hooks.Hook
	switch plan {
	case PreBuildHookPlan:
		found, wanted = found || set.PreBuild != nil || hasUserVars(appDir), "pre-build hook or .whiskey/user_vars"
		seen = []*hooks.Hook{set.PreBuild}
	case BuildHookPlan:
		found, wanted = found || set.Build != nil || set.Deploy != nil, "build or deploy hook"
		seen = []*hooks.Hook{set.Build, set.Deploy}
	}
	if !found {
		// Shown with `pack build -v` only.
		fmt.Printf("onbuild/%s: no %s in the app\n", plan, wanted)
		return libcnb.DetectResult{Pass: false}, nil
	}
	// The build checks that every hook seen here is still there: a hook
	// that an earlier build step removed must not be skipped silently.
	var names []interface{}
	for _, hook := range seen {
		if hook != nil {
			names = append(names, hook.Name)
		}
	}
	require := libcnb.BuildPlanRequire{Name: plan}
	if len(names) > 0 {
		require.Metadata = map[string]interface{}{HooksKey: names}
	}
	return libcnb.DetectResult{
		Pass: true,
		Plans: []libcnb.BuildPlan{{
			Provides: []libcnb.BuildPlanProvide{{Name: plan}},
			Requires: []libcnb.BuildPlanRequire{require},
		}},
	}, nil
}

// hasUserVars ignores dot files: a .gitkeep is not a variable.
func hasUserVars(appDir string) bool {
	entries, _ := os.ReadDir(filepath.Join(appDir, hooks.UserVarsDir))
	for _, entry := range entries {
		if !strings.HasPrefix(entry.Name(), ".") {
			return true
		}
	}
	return false
}

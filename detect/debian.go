package detect

import (
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// DebianPackages always passes, providing debian-packages; it requires the
// entry itself when the app has an Aptfile or the platform sets
// BP_DEBIAN_PACKAGES. Otherwise the optional buildpack stays in the group
// only when a language buildpack requires the entry.
func DebianPackages(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	reader, err := settings.ForDetect(ctx.Buildpack.Metadata, ctx.Platform.Environment)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	return DebianPackagesPlanFor(ctx.ApplicationPath, reader.String(DebianPackagesSetting)), nil
}

// DebianPackagesPlanFor decides detection over the app dir and the value
// of BP_DEBIAN_PACKAGES.
func DebianPackagesPlanFor(appDir, setting string) libcnb.DetectResult {
	plan := libcnb.BuildPlan{Provides: []libcnb.BuildPlanProvide{{Name: DebianPackagesPlan}}}
	_, err := os.Stat(filepath.Join(appDir, Aptfile))
	if err == nil || setting != "" {
		plan.Requires = []libcnb.BuildPlanRequire{{Name: DebianPackagesPlan}}
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{plan}}
}

// DebianRequire is the plan requirement a language buildpack adds for
// packages it knows the app needs, with the reason the build logs.
func DebianRequire(packages []string, why string) libcnb.BuildPlanRequire {
	return libcnb.BuildPlanRequire{Name: DebianPackagesPlan, Metadata: map[string]interface{}{
		DebianPackagesKey: packages, DebianWhyKey: why,
	}}
}

// NativeLibraries always passes, providing and requiring its own entry:
// after the language buildpack it reads the app's ELF files, which only
// the build has, so it cannot know before whether they link a library the
// run image lacks. With none, it reads no index and writes no layer.
func NativeLibraries(libcnb.DetectContext) (libcnb.DetectResult, error) {
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{
		Provides: []libcnb.BuildPlanProvide{{Name: NativeLibrariesPlan}},
		Requires: []libcnb.BuildPlanRequire{{Name: NativeLibrariesPlan}},
	}}}, nil
}

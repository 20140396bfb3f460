package detect

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
)

// goMarkers are the files that make an app a Go app (ARCHITECTURE.md,
// "Buildpacks and order groups").
var goMarkers = []string{"go.mod", "go.work"}

// RunImage is the detection of the onbuild/run-image extension: it passes
// for a Go app, whose static binary belongs on the tiny run image (no shell,
// no libc), so that its generate step can switch the run image. It passes
// with no plan: the extension neither provides nor requires anything, it
// only runs generate.
//
// Python's group comes first in the builder's order, so an app that Python
// claims (a Python marker, or a misspelt requirements file that Python
// passes on to report) stays on the python run image even with a go.mod.
func RunImage(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	app, err := resolveApp(ctx)
	if err != nil {
		// The Python group explains it; the default run image stays.
		return libcnb.DetectResult{Pass: false}, nil
	}
	tiny, err := NeedsTinyRunImage(app.Dir)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	if !tiny {
		// Only shown with `pack build -v`.
		fmt.Println("onbuild/run-image: not a Go app (no go.mod or go.work, or a Python app): the builder's default run image stays")
	}
	return libcnb.DetectResult{Pass: tiny}, nil
}

// NeedsTinyRunImage reports whether the app in appDir is a Go app that the
// Python group does not claim.
func NeedsTinyRunImage(appDir string) (bool, error) {
	goApp := false
	for _, name := range goMarkers {
		info, err := os.Stat(filepath.Join(appDir, name))
		if err != nil && !os.IsNotExist(err) {
			return false, fmt.Errorf("unable to read %s\n%w", name, err)
		}
		if err == nil && !info.IsDir() {
			goApp = true
		}
	}
	if !goApp {
		return false, nil
	}
	python, err := PythonMarker(appDir)
	if err != nil || python != "" {
		return false, err
	}
	nearMiss, err := NearMissRequirements(appDir)
	return nearMiss == "", err
}

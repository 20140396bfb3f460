// Package appdir is where an app lives inside the uploaded source: the
// whole upload for a single app, or the folder BP_APP_DIR names in a
// monorepo. Every buildpack resolves it the same way, so detection, hooks
// and the language builds agree on one folder. It is a leaf.
package appdir

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Setting names the app's folder, relative to the upload.
const Setting = "BP_APP_DIR"

// KeepSetting lists folders of the upload, outside the app, that the image
// keeps: a monorepo image holds the app, not the repo.
const KeepSetting = "BP_APP_KEEP"

// App is the app's folder inside the upload.
type App struct {
	// Root is the upload (the lifecycle's application directory).
	Root string
	// Dir is the app's folder: Root itself, or a folder below it.
	Dir string
	// Rel is Dir relative to Root, slash-separated: "." for the whole
	// upload.
	Rel string
}

// InRepo says whether the app is one folder of a larger upload.
func (a App) InRepo() bool {
	return a.Rel != "."
}

// Resolve checks value (BP_APP_DIR) and returns the app it names in root.
// An empty value is the whole upload. The folder must stay inside the
// upload once every symbolic link is followed: the build reads only what
// was uploaded.
func Resolve(root, value string) (App, error) {
	value = strings.TrimSpace(value)
	slashed := strings.TrimSuffix(filepath.ToSlash(value), "/")
	clean := path.Clean(slashed)
	if value == "" || clean == "." {
		return App{Root: root, Dir: root, Rel: "."}, nil
	}
	if path.IsAbs(slashed) || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return App{}, outside(value, "it is not a path relative to the uploaded source")
	}
	dir := filepath.Join(root, filepath.FromSlash(clean))
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		if _, lerr := os.Lstat(dir); lerr == nil {
			if _, err := Inside(root, dir); err != nil {
				return App{}, outside(value, "a symbolic link on the way leads out of the uploaded source")
			}
		}
		return App{}, problem.Problem{
			Title: "App folder not found",
			Cause: fmt.Sprintf("%s=%s names no folder of the uploaded source.", Setting, value),
			Fixes: []string{
				fmt.Sprintf("Set %s to the app's folder relative to the folder pack build uploads (--path, by default the current one).", Setting),
			},
		}
	}
	if _, err := Inside(root, dir); err != nil {
		return App{}, outside(value, "a symbolic link on the way leads out of the uploaded source")
	}
	return App{Root: root, Dir: dir, Rel: clean}, nil
}

func outside(value, why string) problem.Problem {
	return problem.Problem{
		Title: "App folder outside the upload",
		Cause: fmt.Sprintf("%s=%s: %s. The build only has the folder pack build uploads.", Setting, value, why),
		Fixes: []string{
			fmt.Sprintf("Set %s to a folder inside the repository, relative to its root: %s=services/api", Setting, Setting),
			"Or upload a folder that holds the app and everything it uses: pack build --path <repository root>.",
		},
	}
}

// Inside returns target relative to root (slash-separated) when it lies
// inside root once symbolic links are followed, or an error. A target
// that does not exist is judged by its path.
func Inside(root, target string) (string, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	base, real := root, target
	if resolved, err := filepath.EvalSymlinks(target); err == nil {
		base, real = realRoot, resolved
	} else if !os.IsNotExist(err) {
		return "", err
	}
	rel, err := filepath.Rel(base, real)
	if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
		return "", fmt.Errorf("%s is outside %s", target, root)
	}
	return filepath.ToSlash(rel), nil
}

// RelToRoot is p (absolute, inside Root) relative to the upload, for logs
// and keys: "libs/common".
func (a App) RelToRoot(p string) string {
	rel, err := filepath.Rel(a.Root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

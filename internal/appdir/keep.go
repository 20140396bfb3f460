package appdir

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// KeepPaths reads BP_APP_KEEP: colon-separated paths relative to the
// upload, each kept in the image whole.
func KeepPaths(value string) ([]string, error) {
	var paths []string
	for _, entry := range strings.Split(value, ":") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		clean := path.Clean(strings.TrimSuffix(filepath.ToSlash(entry), "/"))
		if path.IsAbs(clean) || !filepath.IsLocal(filepath.FromSlash(clean)) {
			return nil, problem.Problem{
				Title: "Bad " + KeepSetting,
				Cause: fmt.Sprintf("%s entry %q is not a path inside the uploaded source.", KeepSetting, entry),
				Fixes: []string{fmt.Sprintf("List folders relative to the repository root, separated by colons: %s=libs/common:data", KeepSetting)},
			}
		}
		paths = append(paths, clean)
	}
	return paths, nil
}

// Within reports whether rel (slash-separated, relative to the upload) is
// one of paths or lies inside one.
func Within(paths []string, rel string) bool {
	for _, p := range paths {
		if rel == p || strings.HasPrefix(rel, p+"/") || p == "." {
			return true
		}
	}
	return false
}

// RemoveSiblings empties the upload but for the app's folder and keep
// (paths relative to the upload): the image holds the app, not the repo.
// It returns what it removed, relative to the upload. A single app (the
// whole upload) removes nothing.
func RemoveSiblings(app App, keep []string) ([]string, error) {
	if !app.InRepo() {
		return nil, nil
	}
	kept := append([]string{app.Rel}, keep...)
	var removed []string
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := os.ReadDir(filepath.Join(app.Root, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("unable to list %s\n%w", path.Join(".", rel), err)
		}
		for _, entry := range entries {
			child := path.Join(rel, entry.Name())
			switch {
			case Within(kept, child):
			case entry.IsDir() && leadsTo(kept, child):
				if err := walk(child); err != nil {
					return err
				}
			default:
				if err := removeAll(filepath.Join(app.Root, filepath.FromSlash(child))); err != nil {
					return fmt.Errorf("unable to remove %s from the image\n%w", child, err)
				}
				removed = append(removed, child)
			}
		}
		return nil
	}
	return removed, walk("")
}

// leadsTo reports whether dir is a parent of one of paths.
func leadsTo(paths []string, dir string) bool {
	for _, p := range paths {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// removeAll also removes read-only folders, which module caches and some
// build tools leave behind.
func removeAll(p string) error {
	if err := os.RemoveAll(p); err == nil {
		return nil
	}
	_ = filepath.WalkDir(p, func(name string, entry fs.DirEntry, err error) error {
		if err == nil && entry.IsDir() {
			_ = os.Chmod(name, 0755)
		}
		return nil
	})
	return os.RemoveAll(p)
}

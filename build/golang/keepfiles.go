package golang

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// KeepPatterns splits BP_KEEP_FILES and checks each glob, so a typo fails
// the build instead of silently deleting what was meant to stay.
func KeepPatterns(value string) ([]string, error) {
	var patterns []string
	for _, pattern := range strings.Split(value, ":") {
		pattern = strings.Trim(strings.TrimSpace(filepath.ToSlash(pattern)), "/")
		pattern = strings.TrimPrefix(pattern, "./")
		if pattern == "" {
			continue
		}
		if _, err := path.Match(pattern, ""); err != nil || strings.HasPrefix(pattern, "../") {
			return nil, problem.Problem{
				Title: "Bad " + KeepFilesSetting,
				Cause: fmt.Sprintf("%s entry %q is not a glob relative to the app.", KeepFilesSetting, pattern),
				Fixes: []string{fmt.Sprintf("Use globs relative to the app, separated by colons: %s=static/*:templates:config.yaml", KeepFilesSetting)},
			}
		}
		patterns = append(patterns, pattern)
	}
	return patterns, nil
}

// RemoveSource empties appDir but for what patterns match: a match keeps
// the file, or the whole folder. The binaries are built, and the source
// has no business in the image. It returns how many entries it removed.
func RemoveSource(appDir string, patterns []string) (int, error) {
	return removeUnkept(appDir, "", patterns)
}

func removeUnkept(appDir, rel string, patterns []string) (int, error) {
	entries, err := os.ReadDir(filepath.Join(appDir, filepath.FromSlash(rel)))
	if err != nil {
		return 0, fmt.Errorf("unable to list %s\n%w", filepath.Join(appDir, rel), err)
	}
	removed := 0
	for _, entry := range entries {
		name := path.Join(rel, entry.Name())
		switch {
		case keeps(patterns, name):
		case entry.IsDir() && mayKeepBelow(patterns, name):
			n, err := removeUnkept(appDir, name, patterns)
			if err != nil {
				return removed, err
			}
			removed += n
		default:
			if err := removeWritable(filepath.Join(appDir, filepath.FromSlash(name))); err != nil {
				return removed, fmt.Errorf("unable to remove %s from the app\n%w", name, err)
			}
			removed++
		}
	}
	return removed, nil
}

func keeps(patterns []string, name string) bool {
	for _, pattern := range patterns {
		if ok, _ := path.Match(pattern, name); ok {
			return true
		}
	}
	return false
}

// mayKeepBelow reports whether a pattern can match something inside dir:
// its leading elements match dir's.
func mayKeepBelow(patterns []string, dir string) bool {
	dirElements := strings.Split(dir, "/")
	for _, pattern := range patterns {
		elements := strings.Split(pattern, "/")
		if len(elements) <= len(dirElements) {
			continue
		}
		matches := true
		for i, element := range dirElements {
			if ok, _ := path.Match(elements[i], element); !ok {
				matches = false
				break
			}
		}
		if matches {
			return true
		}
	}
	return false
}

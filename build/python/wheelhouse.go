package python

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// wheelhouseDirs are folders of wheels shipped with the app; the old
// whiskey images read .whiskey/wheelhouse.
var wheelhouseDirs = []string{"wheelhouse", ".whiskey/wheelhouse"}

// Wheelhouse returns the app's wheelhouse folders (relative to appDir) and a
// digest of every file in them, both part of the venv key: a new wheel must
// reinstall.
func Wheelhouse(appDir string) ([]string, map[string]string, error) {
	var dirs []string
	files := map[string]string{}
	for _, dir := range wheelhouseDirs {
		info, err := os.Stat(filepath.Join(appDir, dir))
		if os.IsNotExist(err) || (err == nil && !info.IsDir()) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("unable to read %s\n%w", dir, err)
		}
		dirs = append(dirs, dir)
		entries, err := os.ReadDir(filepath.Join(appDir, dir))
		if err != nil {
			return nil, nil, fmt.Errorf("unable to list %s\n%w", dir, err)
		}
		for _, entry := range entries {
			if entry.IsDir() {
				continue
			}
			rel := filepath.Join(dir, entry.Name())
			sum, err := fileDigest(filepath.Join(appDir, rel))
			if err != nil {
				return nil, nil, fmt.Errorf("unable to read %s\n%w", rel, err)
			}
			files[rel] = sum
		}
	}
	return dirs, files, nil
}

// WheelhouseStep returns the pip install arguments that put the wheelhouse's
// wheels for required projects in first, without the index, or "". pip does
// not prefer --find-links over the index for equal versions; installed
// first, these satisfy the requirements and nothing is downloaded for them.
func WheelhouseStep(wheels map[string]string, lines map[string][]string) string {
	required := map[string]bool{}
	for _, fileLines := range lines {
		for _, line := range fileLines {
			if name := requirementName(line); name != "" {
				required[name] = true
			}
		}
	}
	var picked []string
	for path := range wheels {
		base := filepath.Base(path)
		if !strings.HasSuffix(base, ".whl") {
			continue
		}
		if project, _, ok := strings.Cut(base, "-"); ok && required[normalizeName(project)] {
			picked = append(picked, path)
		}
	}
	if len(picked) == 0 {
		return ""
	}
	sort.Strings(picked)
	return "--no-index --no-deps " + strings.Join(picked, " ")
}

// requirementName is the normalized project name of a requirement line, or
// "" for options (-r, --index-url) and URLs.
func requirementName(line string) string {
	if strings.HasPrefix(line, "-") || strings.Contains(line, "://") {
		return ""
	}
	end := strings.IndexAny(line, "=<>!~;[ @")
	if end < 0 {
		end = len(line)
	}
	return normalizeName(strings.TrimSpace(line[:end]))
}

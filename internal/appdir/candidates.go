package appdir

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// candidateDepth bounds the search for apps: services/api and
// apps/team/web are common, deeper folders are rare and the walk runs in
// detection.
const candidateDepth = 3

// skipped are folders that hold tools' output or other people's code,
// never an app to deploy.
var skipped = map[string]bool{"node_modules": true, "vendor": true, "venv": true, "site-packages": true, "__pycache__": true, "testdata": true}

// Candidates lists the folders below dir (up to three levels, relative,
// slash-separated, sorted) holding one of markers: the apps a monorepo's
// BP_APP_DIR could name. A folder with an app is not searched further.
func Candidates(dir string, markers []string) []string {
	var found []string
	var walk func(rel string, depth int)
	walk = func(rel string, depth int) {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return
		}
		for _, entry := range entries {
			name := entry.Name()
			if !entry.IsDir() || strings.HasPrefix(name, ".") || skipped[name] {
				continue
			}
			child := name
			if rel != "" {
				child = rel + "/" + name
			}
			if marker := hasMarker(filepath.Join(dir, filepath.FromSlash(child)), markers); marker != "" {
				found = append(found, child+" ("+marker+")")
				continue
			}
			if depth < candidateDepth {
				walk(child, depth+1)
			}
		}
	}
	walk("", 1)
	sort.Strings(found)
	return found
}

func hasMarker(dir string, markers []string) string {
	for _, marker := range markers {
		if info, err := os.Stat(filepath.Join(dir, marker)); err == nil && !info.IsDir() {
			return marker
		}
	}
	return ""
}

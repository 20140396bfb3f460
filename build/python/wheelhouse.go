package python

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/build/python/lockfile"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
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
//
// Installed that way pip checks no hash, so once the requirements pin
// hashes (any --hash), a wheel goes in first only when a pin of its project
// and version names its sha256, a wrong one fails the build as pip would,
// and one without a pin is left to pip's own hash checks through
// --find-links.
func WheelhouseStep(wheels map[string]string, lines map[string][]string) (string, error) {
	required := map[string]bool{}
	pins := map[string][]hashPin{}
	hashed := false
	for _, file := range sortedLineFiles(lines) {
		for _, line := range lines[file] {
			if strings.Contains(line, "--hash") || strings.HasPrefix(line, "--require-hashes") {
				hashed = true
			}
			if name := requirementName(line); name != "" {
				required[name] = true
				if pin, ok := parseHashPin(file, line); ok {
					pins[name] = append(pins[name], pin)
				}
			}
		}
	}
	var picked []string
	for _, path := range sortedKeys(wheels) {
		base := filepath.Base(path)
		if !strings.HasSuffix(base, ".whl") {
			continue
		}
		project, rest, ok := strings.Cut(base, "-")
		if !ok || !required[lockfile.NormalizeName(project)] {
			continue
		}
		if hashed {
			version, _, _ := strings.Cut(rest, "-")
			use, err := checkWheelHash(path, wheels[path], version, pins[lockfile.NormalizeName(project)])
			if err != nil {
				return "", err
			}
			if !use {
				continue
			}
		}
		picked = append(picked, path)
	}
	if len(picked) == 0 {
		return "", nil
	}
	sort.Strings(picked)
	return "--no-index --no-deps " + strings.Join(picked, " "), nil
}

// hashPin is a requirement line that pins a version and its hashes.
type hashPin struct {
	file, requirement, version string
	sha256                     []string
}

// parseHashPin reads "name==version --hash=sha256:... --hash sha256:...".
func parseHashPin(file, line string) (hashPin, bool) {
	fields := strings.Fields(line)
	requirement := fields[0]
	_, version, ok := strings.Cut(requirement, "==")
	if !ok {
		return hashPin{}, false
	}
	version, _, _ = strings.Cut(version, ";")
	pin := hashPin{file: file, requirement: requirement, version: strings.TrimSpace(version)}
	for i, field := range fields {
		value, ok := strings.CutPrefix(field, "--hash=")
		if !ok && field == "--hash" && i+1 < len(fields) {
			value, ok = fields[i+1], true
		}
		if sum, isSHA256 := strings.CutPrefix(value, "sha256:"); ok && isSHA256 {
			pin.sha256 = append(pin.sha256, strings.ToLower(sum))
		}
	}
	return pin, len(pin.sha256) > 0
}

// checkWheelHash says whether a wheel may go in without pip's checks: a
// pin for its version names its sha256. A pin for its version that does
// not is the tampered or stale wheel pip would refuse.
func checkWheelHash(path, sum, version string, pins []hashPin) (bool, error) {
	for _, pin := range pins {
		if pin.version != version {
			continue
		}
		for _, allowed := range pin.sha256 {
			if allowed == sum {
				return true, nil
			}
		}
		return false, problem.Problem{
			Title: "Wheelhouse wheel does not match its hash",
			Cause: fmt.Sprintf("%s has sha256 %s, but %s pins %s to sha256:%s; pip refuses a wheel whose hash is not pinned.",
				path, sum, pin.file, pin.requirement, strings.Join(pin.sha256, ", sha256:")),
			Fixes: []string{
				fmt.Sprintf("Replace %s with the wheel the pin names, or", path),
				fmt.Sprintf("if the new wheel is the one you trust, update its --hash in %s (pip hash %s).", pin.file, path),
			},
		}
	}
	return false, nil
}

func sortedLineFiles(lines map[string][]string) []string {
	files := make([]string, 0, len(lines))
	for file := range lines {
		files = append(files, file)
	}
	sort.Strings(files)
	return files
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
	return lockfile.NormalizeName(strings.TrimSpace(line[:end]))
}

// Package requirements reads pip requirements files the way pip does: the
// -r/-c include graph. Detection (does the app need git?) and the build (the
// venv's cache key) share it, so both see the same files.
package requirements

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// IncludeKind says why an include line cannot be followed.
type IncludeKind int

const (
	// IncludeMissing: the included file is not in the app.
	IncludeMissing IncludeKind = iota
	// IncludeRemote: an absolute path or a URL, which would make the build
	// depend on something outside the app.
	IncludeRemote
	// IncludeOutside: a relative path that climbs out of the app.
	IncludeOutside
	// IncludeLink: a path inside the app that a symbolic link leads out of
	// it (pins -> /platform/bindings/...): its lines would go into the
	// venv key, and so into the image's metadata.
	IncludeLink
)

// IncludeError is a -r/-c line (or the root file itself, then File and
// Include are its name) that onbuild does not follow. Detection
// ignores it, so the app still reaches the build, which turns it into a
// Problem naming the file and the fix.
type IncludeError struct {
	Kind IncludeKind
	// File is the including file, relative to the app.
	File string
	// Include is the path as written; Resolved is it relative to the app.
	Include  string
	Resolved string
}

func (e IncludeError) Error() string {
	return fmt.Sprintf("%s includes %s, which onbuild cannot follow", e.File, e.Include)
}

// Walk calls visit with every requirements file reached from
// root (through -r and -c includes, recursively, each file once), its path
// relative to appDir and its bytes. An include that cannot be followed stops
// the walk with an IncludeError. Files are read through an os.Root of
// appDir, so no symbolic link takes the walk out of the app.
func Walk(appDir, root string, visit func(rel string, content []byte) error) error {
	dir, err := os.OpenRoot(appDir)
	if err != nil {
		return fmt.Errorf("unable to open %s\n%w", appDir, err)
	}
	defer dir.Close()
	real, err := filepath.EvalSymlinks(appDir)
	if err != nil {
		return fmt.Errorf("unable to resolve %s\n%w", appDir, err)
	}
	w := walker{dir: dir, appDir: appDir, real: real, seen: map[string]bool{}, visit: visit}
	return w.walk(root, "", root)
}

type walker struct {
	dir    *os.Root
	appDir string
	// real is appDir with its own symbolic links resolved: a link inside
	// the app must resolve below it.
	real  string
	seen  map[string]bool
	visit func(string, []byte) error
}

func (w walker) walk(rel, includedBy, written string) error {
	rel = filepath.Clean(rel)
	if w.seen[rel] {
		return nil
	}
	w.seen[rel] = true
	file := includedBy
	if file == "" {
		file = rel
	}
	if resolved, err := filepath.EvalSymlinks(filepath.Join(w.appDir, rel)); err == nil {
		if inside, err := filepath.Rel(w.real, resolved); err != nil || !filepath.IsLocal(inside) {
			return IncludeError{Kind: IncludeLink, File: file, Include: written, Resolved: rel}
		}
	}
	content, err := w.dir.ReadFile(rel)
	if err != nil {
		if os.IsNotExist(err) && includedBy != "" {
			return IncludeError{Kind: IncludeMissing, File: includedBy, Include: rel, Resolved: rel}
		}
		return fmt.Errorf("unable to read %s\n%w", rel, err)
	}
	if err := w.visit(rel, content); err != nil {
		return err
	}

	for _, include := range includes(content) {
		if filepath.IsAbs(include) || strings.Contains(include, "://") {
			return IncludeError{Kind: IncludeRemote, File: rel, Include: include}
		}
		next := filepath.Join(filepath.Dir(rel), include)
		// IsLocal, not a ".." prefix: ..extra.txt is a file of the app.
		if !filepath.IsLocal(next) {
			return IncludeError{Kind: IncludeOutside, File: rel, Include: include, Resolved: next}
		}
		if err := w.walk(next, rel, include); err != nil {
			return err
		}
	}
	return nil
}

// includes returns the file names of the -r/-c lines of a requirements file,
// in pip's spellings: "-r f", "-rf", "--requirement f", "--requirement=f".
// Split, not a bufio.Scanner: a scanner stops silently at a line over 64
// KiB, and every include after it would be missed.
func includes(content []byte) []string {
	var found []string
	for _, line := range strings.Split(string(content), "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		for _, flag := range []string{"--requirement", "--constraint", "-r", "-c"} {
			if !strings.HasPrefix(line, flag) {
				continue
			}
			rest := strings.TrimLeft(strings.TrimPrefix(line, flag), " =")
			if rest != "" {
				found = append(found, rest)
			}
			break
		}
	}
	return found
}

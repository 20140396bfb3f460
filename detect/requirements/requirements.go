// Package requirements reads pip requirements files the way pip does: the
// -r/-c include graph. Detection (does the app need git?) and the build (the
// venv's cache key) share it, so both see the same files.
package requirements

import (
	"bufio"
	"bytes"
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
)

// IncludeError is a -r/-c line that onbuild does not follow. Detection
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
// the walk with an IncludeError.
func Walk(appDir, root string, visit func(rel string, content []byte) error) error {
	return walk(appDir, root, "", map[string]bool{}, visit)
}

func walk(appDir, rel, includedBy string, seen map[string]bool, visit func(string, []byte) error) error {
	rel = filepath.Clean(rel)
	if seen[rel] {
		return nil
	}
	seen[rel] = true
	content, err := os.ReadFile(filepath.Join(appDir, rel))
	if err != nil {
		if os.IsNotExist(err) && includedBy != "" {
			return IncludeError{Kind: IncludeMissing, File: includedBy, Include: rel, Resolved: rel}
		}
		return fmt.Errorf("unable to read %s\n%w", rel, err)
	}
	if err := visit(rel, content); err != nil {
		return err
	}

	for _, include := range includes(content) {
		if filepath.IsAbs(include) || strings.Contains(include, "://") {
			return IncludeError{Kind: IncludeRemote, File: rel, Include: include}
		}
		next := filepath.Join(filepath.Dir(rel), include)
		if strings.HasPrefix(next, "..") {
			return IncludeError{Kind: IncludeOutside, File: rel, Include: include, Resolved: next}
		}
		if err := walk(appDir, next, rel, seen, visit); err != nil {
			return err
		}
	}
	return nil
}

// includes returns the file names of the -r/-c lines of a requirements file,
// in pip's spellings: "-r f", "-rf", "--requirement f", "--requirement=f".
func includes(content []byte) []string {
	var found []string
	scanner := bufio.NewScanner(bytes.NewReader(content))
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
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

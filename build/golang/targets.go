package golang

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Target is one main package to build and the binary it becomes.
type Target struct {
	// Package is relative to the app, as go build takes it: "." or
	// "./cmd/api".
	Package string
	// Binary is the file name, what go build itself would call it.
	Binary string
}

// Targets returns BP_GO_TARGETS when set, else the main package at the
// root, else every main package under cmd/, in path order.
func Targets(appDir, configured, modulePath string, cgo bool) ([]Target, error) {
	var packages []string
	var err error
	if strings.TrimSpace(configured) != "" {
		packages, err = configuredTargets(appDir, configured)
	} else {
		packages, err = discoverTargets(appDir, cgo)
	}
	if err != nil {
		return nil, err
	}

	targets := make([]Target, 0, len(packages))
	seen := map[string]string{}
	for _, pkg := range packages {
		binary := binaryName(pkg, modulePath)
		if other, ok := seen[binary]; ok {
			return nil, problem.Problem{
				Title: "Two Go targets make the same binary",
				Cause: fmt.Sprintf("%s and %s would both be built as %s.", other, pkg, binary),
				Fixes: []string{fmt.Sprintf("Rename one of the folders, or leave one out of %s.", TargetsSetting)},
			}
		}
		seen[binary] = pkg
		targets = append(targets, Target{Package: pkg, Binary: binary})
	}
	return targets, nil
}

// configuredTargets checks each BP_GO_TARGETS entry is a folder inside the
// app, so a typo fails here with its name rather than in go build.
func configuredTargets(appDir, configured string) ([]string, error) {
	var packages []string
	for _, entry := range strings.Split(configured, ":") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		clean := path.Clean(filepath.ToSlash(entry))
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, targetProblem(entry, "is not inside the app")
		}
		info, err := os.Stat(filepath.Join(appDir, filepath.FromSlash(clean)))
		if err != nil || !info.IsDir() {
			return nil, targetProblem(entry, "is not a folder of the app")
		}
		if clean != "." {
			clean = "./" + clean
		}
		packages = append(packages, clean)
	}
	if len(packages) == 0 {
		return nil, targetProblem(configured, "names no package")
	}
	return packages, nil
}

func targetProblem(entry, why string) problem.Problem {
	return problem.Problem{
		Title: "Bad " + TargetsSetting,
		Cause: fmt.Sprintf("%s entry %q %s.", TargetsSetting, entry, why),
		Fixes: []string{fmt.Sprintf("List main packages by their folder relative to the app, separated by colons: %s=./cmd/api:./cmd/worker", TargetsSetting)},
	}
}

func discoverTargets(appDir string, cgo bool) ([]string, error) {
	root, err := isMainPackage(appDir, cgo)
	if err != nil || root {
		return []string{"."}, err
	}
	var packages []string
	cmd := filepath.Join(appDir, "cmd")
	err = filepath.WalkDir(cmd, func(dir string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !entry.IsDir() {
			return nil
		}
		// The go command skips these in ./... patterns too.
		name := entry.Name()
		if dir != cmd && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		main, err := isMainPackage(dir, cgo)
		if err != nil {
			return err
		}
		if main {
			rel, _ := filepath.Rel(appDir, dir)
			packages = append(packages, "./"+filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("unable to look for main packages under cmd/\n%w", err)
	}
	if len(packages) == 0 {
		return nil, problem.Problem{
			Title: "No main package",
			Cause: "onbuild/go builds the main package at the root of the app, else those under cmd/, and found none: no .go file there says `package main`.",
			Fixes: []string{
				fmt.Sprintf("Name the packages to build: pack build --env %s=./path/to/main", TargetsSetting),
				"Move the main package to the root of the app or to cmd/<name>/.",
			},
		}
	}
	sort.Strings(packages)
	return packages, nil
}

// isMainPackage reads the package clause of the files go build would
// compile for linux on this build's architecture (the buildpack's own,
// since each architecture gets its own build), honouring build
// constraints, so a `//go:build ignore` generator does not make a library
// folder a main package.
func isMainPackage(dir string, cgo bool) (bool, error) {
	context := build.Default
	context.GOOS, context.GOARCH, context.CgoEnabled = "linux", runtime.GOARCH, cgo
	pkg, err := context.ImportDir(dir, build.ImportComment)
	var noGo *build.NoGoError
	var multiple *build.MultiplePackageError
	switch {
	case errors.As(err, &noGo):
		return false, nil
	case errors.As(err, &multiple):
		return false, problem.Problem{
			Title: "Two packages in one folder",
			Cause: fmt.Sprintf("%s mixes package %s (%s) and package %s (%s).", dir, multiple.Packages[0], multiple.Files[0], multiple.Packages[1], multiple.Files[1]),
			Fixes: []string{"Give every .go file of a folder the same package clause (tests may add _test)."},
		}
	case err != nil:
		return false, fmt.Errorf("unable to read the Go files of %s\n%w", dir, err)
	}
	return pkg.Name == "main", nil
}

// binaryName is go build's default name for a main package: the last
// element of its import path, skipping a major version suffix (/v2).
func binaryName(pkg, modulePath string) string {
	importPath := strings.Trim(path.Join(modulePath, pkg), "/.")
	if importPath == "" {
		// The root of a workspace without a module of its own.
		return "app"
	}
	elements := strings.Split(importPath, "/")
	last := elements[len(elements)-1]
	if len(elements) > 1 && majorVersion.MatchString(last) {
		last = elements[len(elements)-2]
	}
	return last
}

var majorVersion = regexp.MustCompile(`^v([2-9]|[1-9][0-9]+)$`)

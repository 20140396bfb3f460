package golang_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// FuzzReadProject reads any go.mod and go.work pair and checks that
// onbuild/go either refuses it with a Problem or reads a project it can
// pick a Go version for, without panicking on odd go or toolchain lines.
func FuzzReadProject(f *testing.F) {
	for _, seed := range []struct {
		gomod, gowork string
		work          bool
	}{
		{"module example.com/web\n\ngo 1.24\n", "", false},
		{"module m\ngo 1.23.4\ntoolchain go1.24.13\n", "", false},
		{"module m\ngo 1.24rc1\ntoolchain go1.24.3-custom\n", "", false},
		{"module m\ntoolchain default\n", "", false},
		{"go 1.24\n", "", false},
		{"module m\ngo 1.24\n", "go 1.23\nuse .\n", true},
		{"", "go 1.24\ntoolchain go1.24.13\nuse ./a\n", true},
		{"module \"m\"\n// comment\nrequire (\n\tx.y/z v1.0.0\n)\n", "use (\n", true},
		{"module m\ngo 1.\n", "", false},
		{"\x00\xff", "\xfe", true},
	} {
		f.Add(seed.gomod, seed.gowork, seed.work)
	}
	known := []string{"1.23.4", "1.24.13"}
	f.Fuzz(func(t *testing.T, gomod, gowork string, work bool) {
		dir := t.TempDir()
		if gomod != "" {
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0644); err != nil {
				t.Fatal(err)
			}
		}
		if work {
			if err := os.WriteFile(filepath.Join(dir, "go.work"), []byte(gowork), 0644); err != nil {
				t.Fatal(err)
			}
		}
		project, err := golang.ReadProject(dir)
		if err != nil {
			mustBeProblem(t, err)
			return
		}
		switch project.File {
		case "go.mod":
			if project.Module == "" {
				t.Fatalf("go.mod read without a module path: %+v", project)
			}
		case "go.work":
			if !work {
				t.Fatalf("go.work named but absent: %+v", project)
			}
		default:
			t.Fatalf("project read from %q", project.File)
		}
		request, err := golang.Requested(project, "")
		if err != nil {
			mustBeProblem(t, err)
			return
		}
		resolved, err := golang.Resolve(request, known)
		if err != nil {
			mustBeProblem(t, err)
			return
		}
		if !slices.Contains(known, resolved) {
			t.Fatalf("resolved %s, which is not a known version %v", resolved, known)
		}
	})
}

func mustBeProblem(t *testing.T, err error) {
	t.Helper()
	var p problem.Problem
	if !errors.As(err, &p) {
		t.Fatalf("not a Problem: %v", err)
	}
}

package start_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/build/python/start"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

var processType = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// FuzzReadProcfile checks, for any Procfile, that the reader either fails
// with a Problem (the user's mistake, explained) or returns processes with
// a valid type, a command, and at most one default; and that it never drops
// a line it could read.
func FuzzReadProcfile(f *testing.F) {
	for _, seed := range []string{
		"web: gunicorn app:app\n",
		"# comment\nworker: python w.py\r\nweb: x\n\n",
		"web: a\nweb: b\n",
		"just a command\n",
		"",
		"\n\n# only comments\n",
		"api:python api.py",
		"web: " + strings.Repeat("y", 70<<10) + "\nlast: z\n",
		"web:\t  \n",
		"\x00web: x\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Procfile"), []byte(content), 0644); err != nil {
			t.Fatal(err)
		}
		processes, err := start.ReadProcfile(dir)
		if err != nil {
			var p problem.Problem
			if !errors.As(err, &p) {
				t.Fatalf("not a Problem: %v", err)
			}
			return
		}
		defaults := 0
		for _, process := range processes {
			if !processType.MatchString(process.Type) {
				t.Fatalf("bad process type %q", process.Type)
			}
			if len(process.Command) != 3 || strings.TrimSpace(process.Command[2]) == "" {
				t.Fatalf("bad command %q", process.Command)
			}
			if process.Default {
				defaults++
			}
		}
		if defaults > 1 {
			t.Fatalf("%d default processes", defaults)
		}
		last := lastEntry(content)
		if last != "" && !hasType(processes, last) {
			t.Fatalf("the last entry %q was dropped", last)
		}
	})
}

// lastEntry is the type of the Procfile's last non-comment line.
func lastEntry(content string) string {
	lines := strings.Split(content, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, _, _ := strings.Cut(line, ":")
		return kind
	}
	return ""
}

func hasType(processes []libcnb.Process, kind string) bool {
	for _, process := range processes {
		if process.Type == kind {
			return true
		}
	}
	return false
}

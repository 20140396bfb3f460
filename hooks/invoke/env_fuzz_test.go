package invoke_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// FuzzReadEnvDir writes any name and content as a hook export and checks
// that ReadEnvDir either refuses it with a Problem, warns about the name,
// or returns a value the environment can carry and that differs from the
// file by at most one trailing newline.
func FuzzReadEnvDir(f *testing.F) {
	for _, seed := range []struct{ name, content string }{
		{"TOKEN", "value\n"},
		{"CRLF", "value\r\n"},
		{"TWO", "one\ntwo\n\n"},
		{"EMPTY", ""},
		{"not-a-name", "x"},
		{".hidden", "x"},
		{"NUL", "a\x00b"},
		{"LONG", strings.Repeat("z", 130<<10)},
	} {
		f.Add(seed.name, seed.content)
	}
	f.Fuzz(func(t *testing.T, name, content string) {
		if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." || len(name) > 200 {
			return // not a file name
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0644); err != nil {
			return // a name this file system refuses
		}
		vars, warnings, err := invoke.ReadEnvDir(dir)
		if err != nil {
			var p problem.Problem
			if !errors.As(err, &p) {
				t.Fatalf("not a Problem: %v", err)
			}
			return
		}
		value, ok := vars[name]
		if !ok {
			if len(warnings) == 0 && !strings.HasPrefix(name, ".") {
				t.Fatalf("%q dropped without a warning", name)
			}
			return
		}
		if strings.IndexByte(value, 0) >= 0 || len(name)+len(value)+1 >= 32*4096 {
			t.Fatalf("%s: a value the environment cannot carry was accepted", name)
		}
		if !strings.HasPrefix(content, value) || len(content)-len(value) > 2 {
			t.Fatalf("%s: value %q from content %q", name, value, content)
		}
		if env := hooks.Environ(nil, vars); len(env) != 1 || env[0] != name+"="+value {
			t.Fatalf("Environ gave %q", env)
		}
	})
}

package fake

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

// Metadata is the [metadata] table of buildpacks/<name>/buildpack.toml, so
// a unit test reads the settings and dependencies the real buildpack
// declares.
func Metadata(t *testing.T, name string) map[string]interface{} {
	t.Helper()
	var descriptor struct {
		Metadata map[string]interface{} `toml:"metadata"`
	}
	if _, err := toml.DecodeFile(filepath.Join(repoRoot(t), "buildpacks", name, "buildpack.toml"), &descriptor); err != nil {
		t.Fatal(err)
	}
	return descriptor.Metadata
}

// repoRoot is the folder holding go.mod, above the test's package.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// WriteFiles creates files (name → content) under dir.
func WriteFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0644); err != nil {
			t.Fatal(err)
		}
	}
}

// WriteFile writes one file with its mode (a hook's executable bit
// matters), creating its directories, and returns its path.
func WriteFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

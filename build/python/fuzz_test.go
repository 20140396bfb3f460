package python_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// FuzzProjectDependencies feeds the pyproject.toml and setup.cfg readers
// files they did not expect. Whatever the files say, the key is the same
// for the same files, and a bad file gives a Problem that names it, not a
// panic or a bare error; no dependency file outside the app is read. A
// longer run: docs/fuzzing.md.
func FuzzProjectDependencies(f *testing.F) {
	for _, seed := range [][2]string{
		{"[project]\nname = \"x\"\ndependencies = [\"flask==2.2.2\"]\n[project.optional-dependencies]\ndev = [\"pytest\"]\n", "[options]\ninstall_requires =\n    flask\n"},
		{"[project]\ndynamic = [\"dependencies\", \"optional-dependencies\"]\n[tool.setuptools.dynamic]\ndependencies = {file = [\"reqs.in\", \"../x\"]}\noptional-dependencies.dev = {file = \"link/secret.txt\"}\n", ""},
		{"[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = {version = \"2.2.2\", extras = [\"async\"]}\n[tool.poetry.group.dev.dependencies]\npytest = \"*\"\n", "[options]\ninstall_requires = file: reqs.in, link/secret.txt\n"},
		{"[build-system]\nrequires = [1, {a = 2}]\n[tool.setuptools]\ndynamic = 3\n", "[options.extras_require]\n  dev = x\n\tcontinued\n[options\n= =\n"},
		{"[project\n", "\x00"},
		{"tool = 1\nproject = []\n", "install_requires = file:\n"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pyproject, setupCfg string) {
		appDir, outside := t.TempDir(), t.TempDir()
		if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(appDir, "link")); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string]string{"pyproject.toml": pyproject, "setup.cfg": setupCfg, "reqs.in": "flask\n"} {
			if err := os.WriteFile(filepath.Join(appDir, name), []byte(content), 0644); err != nil {
				t.Fatal(err)
			}
		}

		first, err := python.ProjectDependencies(appDir)
		var named problem.Problem
		if err != nil && !errors.As(err, &named) {
			t.Fatalf("a bad project file gave an error that is no Problem: %v", err)
		}
		if err != nil && !strings.Contains(named.Error(), "pyproject.toml") && !strings.Contains(named.Error(), "setup.cfg") {
			t.Fatalf("the Problem does not name the project file at fault:\n%v", named)
		}
		// The key, and whether it failed with which title; the TOML
		// decoder's wording of a type mismatch depends on map order.
		second, err2 := python.ProjectDependencies(appDir)
		var named2 problem.Problem
		errors.As(err2, &named2)
		if fmt.Sprint(first) != fmt.Sprint(second) || (err == nil) != (err2 == nil) || named.Title != named2.Title {
			t.Fatalf("two reads of the same files differ: %v %v, then %v %v", first, err, second, err2)
		}
		for name := range first {
			if !filepath.IsLocal(name) {
				t.Fatalf("the key names %q, which is not a file inside the app", name)
			}
			if filepath.Dir(name) == "link" {
				t.Fatalf("the key holds %q, behind the symbolic link out of the app", name)
			}
		}
	})
}

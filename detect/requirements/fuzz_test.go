package requirements_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onbuild-buildpacks/onbuild/detect/requirements"
)

// FuzzWalk feeds Walk requirements files it did not expect. Whatever they
// say, the walk ends, reads only files of the app (never the secret behind
// the app's symbolic link out of it), and fails with an IncludeError or a
// read error rather than a panic. A longer run: docs/fuzzing.md.
func FuzzWalk(f *testing.F) {
	for _, seed := range [][2]string{
		{"flask==2.2.2\n-r a.txt\n", "six\n"},
		{"-c link/secret.txt\n", ""},
		{"-r sub/../a.txt\n--requirement=a.txt # twice\n", "-r requirements.txt\n"},
		{"-r ..extra.txt\n-r ../outside.txt\n", "-rsub/b.txt\n"},
		{"--constraint https://u:p@h/c.txt\n-r /etc/passwd\n", "-r\n-c \n--requirement\n"},
		{"# " + strings.Repeat("x", 70000) + "\n-r a.txt\n", "-r link\n"},
		{"-r sub\n-r .\n-r a.txt\\\n b.txt\n", "\r\n-r a.txt\r\n"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, root, included string) {
		appDir, outside := t.TempDir(), t.TempDir()
		const secret = "the-secret-behind-the-link"
		if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte(secret), 0644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(appDir, "link")); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string]string{"requirements.txt": root, "a.txt": included, "..extra.txt": included, "sub/b.txt": included} {
			path := filepath.Join(appDir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0644); err != nil {
				t.Fatal(err)
			}
		}

		seen := map[string]bool{}
		err := requirements.Walk(appDir, "requirements.txt", func(rel string, content []byte) error {
			if !filepath.IsLocal(rel) {
				t.Fatalf("visited %q, which is not a path inside the app", rel)
			}
			if seen[rel] {
				t.Fatalf("visited %q twice", rel)
			}
			seen[rel] = true
			if strings.Contains(string(content), secret) {
				t.Fatalf("read the file behind the symbolic link out of the app as %q", rel)
			}
			return nil
		})
		var include requirements.IncludeError
		if err != nil && !errors.As(err, &include) && !strings.HasPrefix(err.Error(), "unable to read ") {
			t.Fatalf("unexpected error: %v", err)
		}
	})
}

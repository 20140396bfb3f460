package golang_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

// dynamicBinary builds a Go program with cgo's resolver, so it links libc
// dynamically as CGO_ENABLED=1 builds do.
func dynamicBinary(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	fake.WriteFiles(t, src, map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"net\"\n\nfunc main() { _, _ = net.LookupHost(\"localhost\") }\n",
	})
	binary := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-o", binary, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	NewWithT(t).Expect(err).NotTo(HaveOccurred(), string(out))
	return binary
}

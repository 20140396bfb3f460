package python_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

// Its own suite, so that this file is all the Debian packages work adds to
// the package's tests.
func TestFindLibrary(t *testing.T) {
	spec.Run(t, "FindLibrary", testFindLibrary, spec.Report(report.Terminal{}))
}

func testFindLibrary(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		venv   string
		libs   string
	)

	it.Before(func() {
		venv = filepath.Join(t.TempDir(), "venv")
		out, err := exec.Command("python3", "-m", "venv", "--without-pip", venv).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		libs = t.TempDir()
		fake.WriteFiles(t, libs, map[string]string{"libonbuildtest.so.5.17": "not loaded", "libonbuildtest.so.5": "not loaded"})
	})

	run := func(code string) string {
		cmd := exec.Command(filepath.Join(venv, "bin", "python"), "-c", code)
		cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH=/nonexistent:"+libs)
		out, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		return strings.TrimSpace(string(out))
	}
	const find = "import ctypes.util; print(ctypes.util.find_library('onbuildtest'))"

	it("finds a library on LD_LIBRARY_PATH by its soname, as ldconfig would", func() {
		Expect(run(find)).To(Equal("None"))
		Expect(python.WriteFindLibrary(venv)).To(Succeed())
		Expect(run(find)).To(Equal("libonbuildtest.so.5"))
		// The loader's own folders count too, as ldconfig's cache would
		// (the run image has no cache: psycopg 3 asks for libc).
		Expect(run("import _onbuild_find_library as f; print(f._search('c'))")).To(Equal("libc.so.6"))
	})

	it("imports nothing at interpreter start", func() {
		Expect(python.WriteFindLibrary(venv)).To(Succeed())
		Expect(run("import sys; print('ctypes' in sys.modules)")).To(Equal("False"))
	})
}

package lockfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("lockfile", spec.Report(report.Terminal{}))
	suite("Find", testFind)
	suite("UV", testUV)
	suite("Poetry", testPoetry)
	suite("Pipenv", testPipenv)
	suite("Set", testSet)
	suite("Marker", testMarker)
	suite("PythonJSON", testPythonJSON)
	suite("RealLocks", testRealLocks)
	suite.Run(t)
}

// copyApp copies testdata/<name> into a fresh directory the test may edit.
func copyApp(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0644)
	})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	return dst
}

// edit replaces old with new in dir/file, failing if old is not there.
func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	path := filepath.Join(dir, file)
	data, err := os.ReadFile(path)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(string(data)).To(ContainSubstring(old))
	NewWithT(t).Expect(os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0644)).To(Succeed())
}

func writeFile(t *testing.T, dir, file, content string) {
	t.Helper()
	NewWithT(t).Expect(os.MkdirAll(filepath.Dir(filepath.Join(dir, file)), 0755)).To(Succeed())
	NewWithT(t).Expect(os.WriteFile(filepath.Join(dir, file), []byte(content), 0644)).To(Succeed())
}

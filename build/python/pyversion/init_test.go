package pyversion_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("pyversion", spec.Report(report.Terminal{}))
	suite("Specifiers", testSpecifiers)
	suite("Read", testRead)
	suite("Check", testCheck)
	suite("Choose", testChoose)
	suite.Run(t)
}

// writeFiles creates files (name → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		NewWithT(t).Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
		NewWithT(t).Expect(os.WriteFile(path, []byte(content), 0644)).To(Succeed())
	}
}

package golang_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/heroku/color"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("golang", spec.Report(report.Terminal{}))
	suite("GoMod", testGoMod)
	suite("Toolchain", testToolchain)
	suite("Resolve", testResolve)
	suite("Targets", testTargets)
	suite("GoFlags", testGoFlags)
	suite("GoCache", testGoCache)
	suite("Binaries", testBinaries)
	suite("KeepFiles", testKeepFiles)
	suite("GoBuild", testGoBuild)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
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

package python_test

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
	suite := spec.New("python", spec.Report(report.Terminal{}))
	suite("Requirements", testRequirements)
	suite("Start", testStart)
	suite("Venv", testVenv)
	suite("Lock", testLock)
	suite("Python", testPython)
	suite("Project", testProject)
	suite("SBOM", testSBOM)
	suite("VCSProblem", testVCSProblem)
	suite("PipProblems", testPipProblems)
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

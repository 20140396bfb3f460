package python_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("python", spec.Report(report.Terminal{}))
	suite("Requirements", testRequirements)
	suite("Start", testStart)
	suite("Launch", testLaunch)
	suite("Django", testDjango)
	suite("Venv", testVenv)
	suite("Lock", testLock)
	suite("Python", testPython)
	suite("Project", testProject)
	suite("SBOM", testSBOM)
	suite("VCSProblem", testVCSProblem)
	suite("PipProblems", testPipProblems)
	suite("Secrets", testSecrets)
	suite("Credentials", testCredentials)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
}

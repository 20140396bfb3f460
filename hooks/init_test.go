package hooks_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("hooks", spec.Report(report.Terminal{}))
	suite("Find", testFind)
	suite("Run", testRun)
	suite("Env", testEnv)
	suite("Build", testBuild)
	suite("AppDir", testAppDir)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
}

package debpkg_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("debpkg", spec.Report(report.Terminal{}))
	suite("Aptfile", testAptfile)
	suite("Build", testBuild)
	suite("Libraries", testLibraries)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
}

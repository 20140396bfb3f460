package vcs_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("vcs", spec.Report(report.Terminal{}))
	suite("VCS", testVCS)
	suite("DebianTool", testDebianTool)
	suite("VCSBuildpackTOML", testVCSBuildpackTOML)
	suite("ToolPackagesArch", testToolPackagesArch)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
}

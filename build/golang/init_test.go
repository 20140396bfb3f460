package golang_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("golang", spec.Report(report.Terminal{}))
	suite("GoMod", testGoMod)
	suite("Toolchain", testToolchain)
	suite("Resolve", testResolve)
	suite("Arch", testArch)
	suite("Targets", testTargets)
	suite("GoFlags", testGoFlags)
	suite("GoCache", testGoCache)
	suite("Binaries", testBinaries)
	suite("KeepFiles", testKeepFiles)
	suite("GoBuild", testGoBuild)
	suite("Credentials", testCredentials)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
}

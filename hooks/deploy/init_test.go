package deploy_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("deploy", spec.Report(report.Terminal{}))
	suite("Deploy", testDeploy)
	suite.Run(t)
}

func init() {
	// Assertions read output as a user would, without terminal colours.
	color.Disable(true)
}

package invoke_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("invoke", spec.Report(report.Terminal{}))
	suite("Invoke", testInvoke)
	suite.Run(t)
}

func init() {
	// Assertions read output as a user would, without terminal colours.
	color.Disable(true)
}

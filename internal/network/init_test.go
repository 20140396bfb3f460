package network_test

import (
	"testing"

	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("network", spec.Report(report.Terminal{}))
	suite("NetworkProblem", testNetworkProblem)
	suite("Redact", testRedact)
	suite.Run(t)
}

package credentials_test

import (
	"testing"

	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("credentials", spec.Report(report.Terminal{}))
	suite("Credentials", testCredentials)
	suite("Netrc", testNetrc)
	suite.Run(t)
}

package certificates_test

import (
	"testing"

	"github.com/heroku/color"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("certificates", spec.Report(report.Terminal{}))
	suite("CertificatesBuild", testCertificatesBuild)
	suite("ParseCertificates", testParseCertificates)
	suite("CertificatesHelper", testCertificatesHelper)
	suite.Run(t)
}

func init() {
	// Assertions read the log as a user would, without terminal colours.
	color.Disable(true)
}

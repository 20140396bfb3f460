package detect_test

import (
	"testing"

	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("detect", spec.Report(report.Terminal{}))
	suite("Python", testPython)
	suite("Native", testNative)
	suite("Hooks", testHooks)
	suite("Certificates", testCertificates)
	suite("Go", testGo)
	suite("VCS", testVCS)
	suite("RunImage", testRunImage)
	suite("Monorepo", testMonorepo)
	suite("MonorepoRunImage", testMonorepoRunImage)
	suite.Run(t)
}

package debian_test

import (
	"testing"

	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestUnit(t *testing.T) {
	suite := spec.New("debian", spec.Report(report.Terminal{}))
	suite("Archive", testArchive)
	suite("Resolver", testResolver)
	suite("Extract", testExtract)
	suite("ELF", testELF)
	suite.Run(t)
}

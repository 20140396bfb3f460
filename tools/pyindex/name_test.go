package pyindex_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

func TestName(t *testing.T) {
	spec.Run(t, "Name", testName, spec.Report(report.Terminal{}))
}

func testName(t *testing.T, when spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	when("normalizing project names (PEP 503)", func() {
		it("lowercases and folds runs of - _ . into one -", func() {
			Expect(pyindex.NormalizeName("Flask")).To(Equal("flask"))
			Expect(pyindex.NormalizeName("MarkupSafe")).To(Equal("markupsafe"))
			Expect(pyindex.NormalizeName("zope.interface")).To(Equal("zope-interface"))
			Expect(pyindex.NormalizeName("Foo__Bar-._baz")).To(Equal("foo-bar-baz"))
			Expect(pyindex.NormalizeName("typing_extensions")).To(Equal("typing-extensions"))
		})
	})

	when("naming wheel files", func() {
		it("uses the escaped lowercase name and the py3-none-any tag", func() {
			Expect(pyindex.WheelFilename("Flask", "2.2.2")).To(Equal("flask-2.2.2-py3-none-any.whl"))
			Expect(pyindex.WheelFilename("zope.interface", "5.5.2")).To(Equal("zope_interface-5.5.2-py3-none-any.whl"))
			Expect(pyindex.WheelFilename("typing-extensions", "4.4.0")).To(Equal("typing_extensions-4.4.0-py3-none-any.whl"))
		})

		it("keeps a dash in a version from splitting the file name", func() {
			Expect(pyindex.WheelFilename("foo", "1.0-1")).To(Equal("foo-1.0_1-py3-none-any.whl"))
		})
	})
}

package python_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/build/python"
)

func TestNativeBuildProblem(t *testing.T) {
	spec.Run(t, "NativeBuildProblem", testNativeBuildProblem, spec.Report(report.Terminal{}))
}

func testNativeBuildProblem(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("names the Debian package and the Aptfile line for a missing tool", func() {
		p, ok := python.NativeBuildProblem("Error: pg_config executable not found.\n\npg_config is required to build psycopg2 from source.")
		Expect(ok).To(BeTrue())
		Expect(p.Title).To(Equal("Debian package missing for a source build"))
		Expect(p.File).To(Equal("Aptfile"))
		Expect(p.Cause).To(ContainSubstring("pg_config is missing: Debian's libpq-dev provides it"))
		Expect(p.Fixes[0]).To(Equal("Add these lines to the Aptfile: libpq-dev."))
	})

	it("maps a missing header to its package, by file or folder", func() {
		p, ok := python.NativeBuildProblem("Modules/LDAPObject.c:9:10: fatal error: sasl/sasl.h: No such file or directory")
		Expect(ok).To(BeTrue())
		Expect(p.Cause).To(ContainSubstring("the C header sasl/sasl.h is missing: Debian's libsasl2-dev provides it"))
		p, ok = python.NativeBuildProblem("src/x.c:1:10: fatal error: openssl/evp.h: No such file or directory")
		Expect(ok).To(BeTrue())
		Expect(p.Fixes[0]).To(ContainSubstring("libssl-dev"))
		p, ok = python.NativeBuildProblem("x.c:1:10: fatal error: weird.h: No such file or directory")
		Expect(ok).To(BeTrue())
		Expect(p.Fixes[0]).To(ContainSubstring("apt-file search weird.h"))
	})

	it("leaves other failures alone", func() {
		_, ok := python.NativeBuildProblem("ERROR: No matching distribution found for nosuch")
		Expect(ok).To(BeFalse())
	})
}

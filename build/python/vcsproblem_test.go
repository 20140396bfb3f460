package python_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
)

func testVCSProblem(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("recognises pip's failed clone, naming the URL", func() {
		out := "  × git clone --filter=blob:none --quiet http://127.0.0.1:1/missing.git /tmp/pip-install-7g/missing_2b did not run successfully.\n  │ exit code: 128\n"
		found, ok := python.VCSProblem(out)
		Expect(ok).To(BeTrue())
		Expect(found.Error()).To(ContainSubstring("[Error: VCS requirement unreachable]\npip could not clone http://127.0.0.1:1/missing.git with git"))

		found, ok = python.VCSProblem("ERROR: Cannot find command 'hg' - do you have 'hg' installed and in your PATH?")
		Expect(ok).To(BeTrue())
		Expect(found.Title).To(Equal("hg is not available"))

		_, ok = python.VCSProblem("ERROR: No matching distribution found for flask")
		Expect(ok).To(BeFalse())
	})
}

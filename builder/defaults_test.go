package builder_test

import (
	"bytes"
	"os/exec"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"
)

func TestBuilderDefaults(t *testing.T) {
	spec.Run(t, "BuilderDefaults", testBuilderDefaults, spec.Report(report.Terminal{}))
}

func testBuilderDefaults(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	check := func(name, value, source, override string) (string, error) {
		var stderr bytes.Buffer
		cmd := exec.Command("bash", "-c", `set -euo pipefail; source defaults.sh; check_builder_default "$@"`, "test", name, value, source, override)
		cmd.Stderr = &stderr
		err := cmd.Run()
		return stderr.String(), err
	}

	it("refuses a GOPROXY list with user info, naming the variable and the fix, never the password", func() {
		out, err := check("GOPROXY", "direct|https://me:s3cret@proxy.corp/go,off", "go env GOPROXY", "GOPROXY")
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("builder.sh: GOPROXY from go env GOPROXY has a user name or password in it (direct|https://xxxxx@proxy.corp/go,off)"))
		Expect(out).To(ContainSubstring("Fix: run GOPROXY=<the same URL without user:password@> make builder"))
		Expect(out).NotTo(ContainSubstring("s3cret"))
		Expect(out).NotTo(ContainSubstring("me:"))
	})

	it("refuses a token in GOSUMDB's URL and in the Debian mirror", func() {
		out, err := check("GOSUMDB", "sum.example https://t0ken@sum.corp", "go env GOSUMDB", "GOSUMDB")
		Expect(err).To(HaveOccurred())
		Expect(out).NotTo(ContainSubstring("t0ken"))

		out, err = check("BP_DEBIAN_MIRROR", "http://me:pw@mirror.corp/debian", "the apt sources", "DEBIAN_MIRROR")
		Expect(err).To(HaveOccurred())
		Expect(out).To(ContainSubstring("Fix: run DEBIAN_MIRROR="))
	})

	it("logs what it bakes in", func() {
		out, err := check("GOPROXY", "https://proxy.corp/go,direct", "go env GOPROXY", "GOPROXY")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(Equal("builder.sh: builder default GOPROXY=https://proxy.corp/go,direct (from go env GOPROXY)\n"))
	})
}

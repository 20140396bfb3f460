package python_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testPipCerts(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	deprecated := func(env []string, pip string) string {
		return envvar.Value(python.IPIndexEnvironment(env, pip), "PIP_USE_DEPRECATED")
	}

	it("turns truststore off for an HTTPS index at an IP address, wherever pip reads it from", func() {
		for _, env := range [][]string{
			{"PIP_INDEX_URL=https://127.0.0.1:8443/simple/"},
			{"PIP_INDEX_URL=https://u:secret@10.0.0.5/simple/"},
			{"PIP_EXTRA_INDEX_URL=https://pypi.corp/simple/ https://[::1]:8443/simple/"},
			{"PIP_FIND_LINKS=https://192.168.1.2/wheels/"},
		} {
			Expect(deprecated(env, "25.1.1")).To(Equal("legacy-certs"), "%v", env)
		}
	})

	it("reads the pip.conf pip is given", func() {
		conf := filepath.Join(t.TempDir(), "pip.conf")
		Expect(os.WriteFile(conf, []byte("[global]\nindex-url = https://10.1.2.3/simple/\n"), 0644)).To(Succeed())
		Expect(deprecated([]string{"PIP_CONFIG_FILE=" + conf}, "24.2")).To(Equal("legacy-certs"))
	})

	it("keeps what the user deprecated, and adds legacy-certs once", func() {
		env := []string{"PIP_INDEX_URL=https://127.0.0.1/simple/", "PIP_USE_DEPRECATED=legacy-resolver"}
		Expect(deprecated(env, "25.1.1")).To(Equal("legacy-resolver legacy-certs"))
		env = []string{"PIP_INDEX_URL=https://127.0.0.1/simple/", "PIP_USE_DEPRECATED=legacy-certs"}
		Expect(deprecated(env, "25.1.1")).To(Equal("legacy-certs"))
	})

	it("leaves pip's default for host names, plain http, and pips without truststore", func() {
		Expect(deprecated([]string{"PIP_INDEX_URL=https://pypi.corp/simple/"}, "25.1.1")).To(BeEmpty())
		Expect(deprecated([]string{"PIP_INDEX_URL=http://127.0.0.1:8080/simple/"}, "25.1.1")).To(BeEmpty())
		Expect(deprecated([]string{"PIP_INDEX_URL=https://127.0.0.1/simple/"}, "23.0.1")).To(BeEmpty(), "bookworm's pip rejects legacy-certs")
		Expect(deprecated([]string{"PIP_INDEX_URL=https://127.0.0.1/simple/"}, "24.1")).To(BeEmpty())
		Expect(deprecated(nil, "25.1.1")).To(BeEmpty())
	})
}

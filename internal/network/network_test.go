package network_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/sclevine/spec"
)

func testNetworkProblem(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	const pipTLS = "WARNING: Retrying (Retry(total=0)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:992)'))': /simple/flask/\n" +
		"ERROR: No matching distribution found for flask==2.2.2"

	it("suggests a ca-certificates binding when a certificate is not trusted", func() {
		problem, ok := network.Diagnose("pip", "https://pypi.corp/simple/", pipTLS, nil)
		Expect(ok).To(BeTrue())
		Expect(problem.Title).To(Equal("TLS certificate not trusted"))
		Expect(problem.Cause).To(ContainSubstring("pip could not verify the TLS certificate of https://pypi.corp/simple/"))
		Expect(problem.Error()).To(ContainSubstring(`--volume "$PWD/ca:/platform/bindings/ca-certificates"`))
		Expect(problem.Error()).To(ContainSubstring("echo ca-certificates > ca/type"))
	})

	it("names the URL the client failed on, which may be a git requirement rather than the index", func() {
		problem, ok := network.Diagnose("pip", "https://pypi.corp/simple/",
			"  fatal: unable to access 'https://git.corp/team/lib.git/': SSL certificate problem: self-signed certificate in certificate chain", nil)
		Expect(ok).To(BeTrue())
		Expect(problem.Cause).To(HavePrefix("pip could not verify the TLS certificate of https://git.corp/team/lib.git/:"))

		problem, _ = network.Diagnose("pip", "https://pypi.corp/simple/",
			"Could not fetch URL https://pypi.corp/simple/flask/: There was a problem confirming the ssl certificate: [SSL: CERTIFICATE_VERIFY_FAILED] - skipping", nil)
		Expect(problem.Cause).To(HavePrefix("pip could not verify the TLS certificate of https://pypi.corp/simple/flask/:"))
	})

	it("says the binding lacks the CA when there is one", func() {
		problem, ok := network.Diagnose("go", "https://proxy.corp", "x509: certificate signed by unknown authority",
			[]string{"SSL_CERT_FILE=/layers/onbuild_ca-certificates/ca-certificates/ca-certificates.crt"})
		Expect(ok).To(BeTrue())
		Expect(problem.Cause).To(ContainSubstring("neither the stack's nor in the ca-certificates binding"))
		Expect(problem.Fixes[0]).To(ContainSubstring("Add the CA that signed the certificate of https://proxy.corp to the ca-certificates binding"))
	})

	it("names the proxy settings, without their password, when the proxy does not answer", func() {
		problem, ok := network.Diagnose("pip", "https://pypi.corp/simple/",
			"ProxyError('Cannot connect to proxy.', NewConnectionError('Connection refused'))",
			[]string{"HTTPS_PROXY=http://me:secret@proxy.corp:3128", "NO_PROXY=localhost"})
		Expect(ok).To(BeTrue())
		Expect(problem.Title).To(Equal("Proxy unreachable"))
		Expect(problem.Cause).To(ContainSubstring("HTTPS_PROXY=http://me:xxxxx@proxy.corp:3128, NO_PROXY=localhost"))
		Expect(problem.Error()).NotTo(ContainSubstring("secret"))
	})

	it("quotes only the last line that shows the failure", func() {
		problem, _ := network.Diagnose("pip", "https://pypi.corp/simple/", pipTLS, nil)
		Expect(problem.Cause).To(HaveSuffix("\n\nWARNING: Retrying (Retry(total=0)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:992)'))': /simple/flask/"))
	})

	it("says so when the certificate names another host, which no binding fixes", func() {
		problem, ok := network.Diagnose("pip", "https://10.0.0.5/simple/",
			"SSLCertVerificationError(1, \"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '10.0.0.5'. (_ssl.c:992)\")", nil)
		Expect(ok).To(BeTrue())
		Expect(problem.Title).To(Equal("TLS certificate for another host"))
		Expect(problem.Error()).NotTo(ContainSubstring("ca-certificates"))

		problem, ok = network.Diagnose("go", "https://proxy.corp", "tls: failed to verify certificate: x509: certificate is valid for a.corp, not proxy.corp", nil)
		Expect(ok).To(BeTrue())
		Expect(problem.Title).To(Equal("TLS certificate for another host"))
	})

	it("hides the password of the target and of every URL in the evidence", func() {
		problem, ok := network.Diagnose("pip", "https://user:hunter2@pypi.corp/simple/",
			"Could not fetch URL https://user:hunter2@pypi.corp/simple/flask/: There was a problem confirming the ssl certificate: [SSL: CERTIFICATE_VERIFY_FAILED] - skipping", nil)
		Expect(ok).To(BeTrue())
		Expect(problem.Error()).NotTo(ContainSubstring("hunter2"))
		Expect(problem.Cause).To(HavePrefix("pip could not verify the TLS certificate of https://user:xxxxx@pypi.corp/simple/flask/:"))

		problem, ok = network.Diagnose("pip", "https://user:hunter2@pypi.corp/simple/", "ProxyError('Cannot connect to proxy.')", nil)
		Expect(ok).To(BeTrue())
		Expect(problem.Error()).NotTo(ContainSubstring("hunter2"))
		Expect(problem.Cause).To(ContainSubstring("pip could not reach https://user:xxxxx@pypi.corp/simple/ through the proxy"))
	})

	it("redacts the user info of URLs inside text, and a token given as the user name", func() {
		Expect(network.RedactText("Looking in indexes: https://u:p%40ss@pypi.corp/simple, http://tok3n@h:8080/x\n" +
			"shop @ git+https://me:s3cret@git.corp/shop.git\nssh://git@git.corp/x.git and https://pypi.corp/simple")).To(Equal(
			"Looking in indexes: https://u:xxxxx@pypi.corp/simple, http://xxxxx@h:8080/x\n" +
				"shop @ git+https://me:xxxxx@git.corp/shop.git\nssh://git@git.corp/x.git and https://pypi.corp/simple"))
		Expect(network.Redact("https://tok3n@pypi.corp/simple")).To(Equal("https://xxxxx@pypi.corp/simple"))
		Expect(network.Redact("https://u:p@pypi.corp/simple")).To(Equal("https://u:xxxxx@pypi.corp/simple"))
	})

	it("leaves other failures alone", func() {
		_, ok := network.Diagnose("pip", "https://pypi.corp/simple/", "ERROR: No matching distribution found for nosuchpkg", nil)
		Expect(ok).To(BeFalse())
	})
}

package integration_test

import (
	"net/url"
	"os/exec"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
	"github.com/onbuild-buildpacks/onbuild/tools/testca"
)

// pyindexHost is a name only the test proxy resolves (.test is reserved):
// a build that reaches it went through the proxy.
const pyindexHost = "pyindex.test"

func testCertificates(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ca       *testca.CA
		tlsIndex *pyindex.Server
	)

	it.Before(func() {
		var err error
		ca, err = testca.New("onbuild test CA")
		Expect(err).NotTo(HaveOccurred())
		config, err := ca.ServerConfig("localhost", pyindexHost)
		Expect(err).NotTo(HaveOccurred())
		tlsIndex, err = pyindex.Listen(index.Dir(), pyindex.ServeOptions{TLS: config})
		Expect(err).NotTo(HaveOccurred())
	})

	it.After(func() {
		Expect(tlsIndex.Close()).To(Succeed())
	})

	// withHost is the TLS index's URL under another host name. Not
	// 127.0.0.1: the harness passes PIP_TRUSTED_HOST=127.0.0.1, and pip
	// skips certificate checks for a trusted host.
	withHost := func(host string, port bool) string {
		u, err := url.Parse(tlsIndex.URL())
		Expect(err).NotTo(HaveOccurred())
		if port {
			host += ":" + u.Port()
		}
		u.Host = host
		return u.String()
	}

	it("makes pip and hooks trust a private CA given as a binding, and keeps it out of the image", func() {
		a := newApp(t, "certificates/app")
		indexURL := withHost("localhost", true)

		out, err := a.build("--env", "PIP_INDEX_URL="+indexURL)
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: TLS certificate not trusted]"))
		Expect(out).To(ContainSubstring("pip could not verify the TLS certificate of " + indexURL))
		Expect(out).To(ContainSubstring("certificate verify failed"))
		Expect(out).To(ContainSubstring(`pack build ... --volume "$PWD/ca:/platform/bindings/ca-certificates"`))

		caArgs := binding(t, "private-ca", "ca-certificates", map[string][]byte{"ca.pem": ca.PEM})
		out = a.mustBuild(append([]string{"--env", "PIP_INDEX_URL=" + indexURL}, caArgs...)...)
		Expect(out).To(ContainSubstring("CA certificates from binding private-ca"))
		Expect(out).To(ContainSubstring("ca.pem: CN=onbuild test CA,O=onbuild tests"))
		Expect(out).To(MatchRegexp(`Trusted by every later build step: \d{3} CAs of the stack, 1 added by the bindings`))
		Expect(out).To(ContainSubstring("Not in the app image"))
		Expect(out).To(ContainSubstring("hook fetched " + indexURL + "itsdangerous/ 200"))
		Expect(tlsIndex.Downloads("itsdangerous")).To(Equal(1))

		// The run image has no grep or env: Python looks instead.
		files, err := inImage(a.image, "python3", "-c", findFiles, pemLine(ca.PEM))
		Expect(err).NotTo(HaveOccurred(), files)
		Expect(files).To(ContainSubstring("'onbuild_python'"))
		Expect(files).NotTo(ContainSubstring("ca-certificates"))
		Expect(files).To(ContainSubstring("files with the CA: []"))
		env, err := inImage(a.image, "/cnb/lifecycle/launcher", "--", "python3", "-c", `import os; print(sorted(os.environ))`)
		Expect(err).NotTo(HaveOccurred(), env)
		Expect(env).To(ContainSubstring("'VIRTUAL_ENV'"), "the launch environment applies")
		Expect(env).NotTo(ContainSubstring("SSL_CERT"))

		out = a.mustBuild(append([]string{"--env", "PIP_INDEX_URL=" + indexURL, "--env", "BP_EMBED_CERTS=true"}, caArgs...)...)
		Expect(out).To(ContainSubstring("In the app image too (BP_EMBED_CERTS=true)"))
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"), "the CAs are no part of the venv key")
		files, err = inImage(a.image, "python3", "-c", findFiles, pemLine(ca.PEM))
		Expect(err).NotTo(HaveOccurred(), files)
		Expect(files).To(ContainSubstring("/layers/onbuild_ca-certificates/ca-certificates/bindings.pem"))
		trusted, err := inImage(a.image, "/cnb/lifecycle/launcher", "--", "python3", "-c",
			`import os, ssl; cas = ssl.create_default_context().get_ca_certs(); `+
				`print(os.environ["SSL_CERT_FILE"] == os.environ["REQUESTS_CA_BUNDLE"], len(cas), `+
				`[c["subject"] for c in cas if "onbuild test CA" in str(c["subject"])])`)
		Expect(err).NotTo(HaveOccurred(), trusted)
		Expect(trusted).To(MatchRegexp(`True \d{3} \[\(\(\('organizationName', 'onbuild tests'\),\), \(\('commonName', 'onbuild test CA'\),\)\)\]`),
			"the app trusts the run image's CAs and the binding's")
	})

	it("installs from an HTTPS index at an IP address whose CA comes from the binding", func() {
		config, err := ca.ServerConfig("127.0.0.1")
		Expect(err).NotTo(HaveOccurred())
		ipIndex, err := pyindex.Listen(index.Dir(), pyindex.ServeOptions{TLS: config})
		Expect(err).NotTo(HaveOccurred())
		defer ipIndex.Close()
		Expect(ipIndex.URL()).To(MatchRegexp(`^https://127\.0\.0\.1:\d+/simple/$`))

		a := newApp(t, "certificates/app")
		// Not a trusted host, as the harness makes 127.0.0.1: pip must
		// check the certificate.
		out := a.mustBuild(append([]string{"--env", "PIP_INDEX_URL=" + ipIndex.URL(), "--env", "PIP_TRUSTED_HOST="},
			binding(t, "private-ca", "ca-certificates", map[string][]byte{"ca.pem": ca.PEM})...)...)
		Expect(out).To(ContainSubstring("An HTTPS index at an IP address: pip checks its certificate itself (PIP_USE_DEPRECATED=legacy-certs)"))
		Expect(out).NotTo(ContainSubstring("Traceback"))
		Expect(out).To(ContainSubstring("hook fetched " + ipIndex.URL() + "itsdangerous/ 200"))
		Expect(ipIndex.Downloads("itsdangerous")).To(Equal(1))

		// Without the CA, pip's own check refuses the certificate: the
		// address is verified, not waved through.
		b := newApp(t, "certificates/app")
		out, err = b.build("--env", "PIP_INDEX_URL="+ipIndex.URL(), "--env", "PIP_TRUSTED_HOST=")
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: TLS certificate not trusted]"))
		Expect(ipIndex.Downloads("itsdangerous")).To(Equal(1))
	})

	it("caBinding hands this machine's CAs to a build, so HTTPS beyond it works here and behind company proxies", func() {
		url := goModuleProxy(t) + "/golang.org/toolchain/@v/v0.0.1-go1.23.4.linux-amd64.info"
		a := newApp(t, "certificates/app")
		out := a.mustBuild(append([]string{"--env", "HOOK_FETCH_URL=" + url}, caBinding(t)...)...)
		Expect(out).To(ContainSubstring("CA certificates from binding ca-certificates"))
		Expect(out).To(ContainSubstring("hook fetched " + url + " 200"))
	})

	it("names the file and the binding of a malformed certificate", func() {
		a := newApp(t, "certificates/app")
		out, err := a.build(binding(t, "corporate-ca", "ca-certificates", map[string][]byte{
			"good.pem":   ca.PEM,
			"broken.pem": []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"),
		})...)
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Malformed CA certificate binding]"))
		Expect(out).To(ContainSubstring("The file broken.pem of the binding corporate-ca (type ca-certificates, at /platform/bindings/corporate-ca/broken.pem)"))
		Expect(out).NotTo(ContainSubstring("Installing --requirement"), "the build stops before any network step")
	})

	it("sends pip's and the hooks' requests through HTTP_PROXY", func() {
		proxy := startProxy(t, map[string]string{pyindexHost + ":80": address(t, index)})
		indexURL := "http://" + pyindexHost + "/simple/"

		a := newApp(t, "certificates/app")
		out := a.mustBuild("--env", "HTTP_PROXY="+proxy.URL, "--env", "PIP_INDEX_URL="+indexURL, "--env", "PIP_TRUSTED_HOST="+pyindexHost)
		Expect(out).To(ContainSubstring("hook fetched " + indexURL + "itsdangerous/ 200"))
		Expect(proxy.Requests()).To(ContainElements(
			"GET http://"+pyindexHost+"/simple/itsdangerous/",
			MatchRegexp(`^GET http://`+pyindexHost+`/files/itsdangerous-2\.2\.0-py3-none-any\.whl$`)))
	})

	it("tunnels pip through a lowercase https_proxy to an HTTPS index whose CA comes from the binding", func() {
		proxy := startProxy(t, map[string]string{pyindexHost + ":443": address(t, tlsIndex)})
		indexURL := withHost(pyindexHost, false)

		a := newApp(t, "certificates/app")
		out := a.mustBuild(append([]string{"--env", "https_proxy=" + proxy.URL, "--env", "PIP_INDEX_URL=" + indexURL},
			binding(t, "corporate-ca", "ca-certificates", map[string][]byte{"ca.pem": ca.PEM})...)...)
		Expect(out).To(ContainSubstring("hook fetched " + indexURL + "itsdangerous/ 200"))
		Expect(proxy.Requests()).To(ContainElement("CONNECT " + pyindexHost + ":443"))
		Expect(tlsIndex.Downloads("itsdangerous")).To(Equal(1))
	})
}

// goModuleProxy is the first HTTPS proxy of `go env GOPROXY`: a real
// HTTPS server beyond this machine, read at run time.
func goModuleProxy(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env GOPROXY: %v", err)
	}
	for _, entry := range strings.FieldsFunc(strings.TrimSpace(string(out)), func(r rune) bool { return r == ',' || r == '|' }) {
		if strings.HasPrefix(entry, "https://") {
			return strings.TrimSuffix(entry, "/")
		}
	}
	t.Fatalf("GOPROXY=%s has no https proxy for this test to fetch from", out)
	return ""
}

// address is the host:port an index listens on.
func address(t *testing.T, s *pyindex.Server) string {
	t.Helper()
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// findFiles lists /layers and the files under /layers and /workspace that
// contain its argument.
const findFiles = `
import os, sys
print(sorted(os.listdir("/layers")))
hits = []
for root in ("/layers", "/workspace"):
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, errors="ignore") as f:
                    if sys.argv[1] in f.read():
                        hits.append(path)
            except OSError:
                pass
print("files with the CA:", hits)
`

// pemLine is a line from the middle of a PEM certificate, unique to it.
func pemLine(pem []byte) string {
	lines := strings.Split(string(pem), "\n")
	return lines[len(lines)/2]
}

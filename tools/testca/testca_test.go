package testca_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/testca"
)

func TestCA(t *testing.T) {
	spec.Run(t, "CA", testCA, spec.Report(report.Terminal{}))
}

func testCA(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		ca     *testca.CA
		server *httptest.Server
	)

	it.Before(func() {
		var err error
		ca, err = testca.New("onbuild test CA")
		Expect(err).NotTo(HaveOccurred())
		config, err := ca.ServerConfig("127.0.0.1", "localhost")
		Expect(err).NotTo(HaveOccurred())
		server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "trusted")
		}))
		server.TLS = config
		server.StartTLS()
	})

	it.After(func() {
		server.Close()
	})

	it("signs a server certificate that a client trusting the CA accepts", func() {
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
		resp, err := client.Get(server.URL)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(io.ReadAll(resp.Body)).To(Equal([]byte("trusted")))
	})

	it("is trusted by no one else", func() {
		other, err := testca.New("another CA")
		Expect(err).NotTo(HaveOccurred())
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: other.Pool()}}}
		_, err = client.Get(server.URL)
		Expect(err).To(MatchError(ContainSubstring("certificate signed by unknown authority")))
	})

	it("hands out its certificate as PEM", func() {
		Expect(strings.HasPrefix(string(ca.PEM), "-----BEGIN CERTIFICATE-----\n")).To(BeTrue())
	})
}

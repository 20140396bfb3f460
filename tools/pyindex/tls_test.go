package pyindex_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
	"github.com/onbuild-buildpacks/onbuild/tools/testca"
)

func TestTLS(t *testing.T) {
	spec.Run(t, "TLS", testTLS, spec.Report(report.Terminal{}))
}

func testTLS(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("serves the index over HTTPS with the given certificate", func() {
		dir := t.TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "flask-2.2.2-py3-none-any.whl"), []byte("wheel"), 0644)).To(Succeed())
		ca, err := testca.New("pyindex test CA")
		Expect(err).NotTo(HaveOccurred())
		config, err := ca.ServerConfig("127.0.0.1")
		Expect(err).NotTo(HaveOccurred())

		srv, err := pyindex.Listen(dir, pyindex.ServeOptions{TLS: config})
		Expect(err).NotTo(HaveOccurred())
		defer srv.Close()
		Expect(srv.URL()).To(MatchRegexp(`^https://127\.0\.0\.1:[0-9]+/simple/$`))

		_, err = http.Get(srv.URL())
		Expect(err).To(MatchError(ContainSubstring("certificate signed by unknown authority")))

		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
		resp, err := client.Get(srv.URL() + "flask/")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(body)).To(ContainSubstring("flask-2.2.2-py3-none-any.whl"))
		Expect(srv.Requests("flask")).To(Equal(1))
	})
}

package network_test

import (
	"bytes"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/internal/network"
)

func testRedact(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	it("hides the password of one URL", func() {
		Expect(network.Redact("https://me:s3cret@proxy.corp/go")).To(Equal("https://me:xxxxx@proxy.corp/go"))
		Expect(network.Redact("https://proxy.corp/go")).To(Equal("https://proxy.corp/go"))
	})

	it("hides every password of a GOPROXY list, comma or pipe separated", func() {
		Expect(network.Redact("direct|https://me:s3cret@a.corp,https://you:t0ken@b.corp/p,off")).
			To(Equal("direct|https://me:xxxxx@a.corp,https://you:xxxxx@b.corp/p,off"))
	})

	it("hides a token passed as the user name", func() {
		Expect(network.Redact("https://ghp_abc123@github.com/org/repo")).To(Equal("https://xxxxx@github.com/org/repo"))
	})

	it("hides user info inside error text, quoted or not", func() {
		text := `Get "https://me:s3cret@a.corp/golang.org/@v/list": dial tcp: refused; from 'http://u:p4ss@b.corp'`
		Expect(network.RedactText(text)).To(Equal(`Get "https://me:xxxxx@a.corp/golang.org/@v/list": dial tcp: refused; from 'http://u:xxxxx@b.corp'`))
	})

	it("leaves e-mail addresses and paths alone", func() {
		Expect(network.RedactText("mail me@corp.example, see /a/b@c")).To(Equal("mail me@corp.example, see /a/b@c"))
	})

	it("redacts what passes through a writer", func() {
		var out bytes.Buffer
		w := network.RedactingWriter(&out)
		line := []byte("Downloading from https://me:s3cret@a.corp/x.zip\n")
		n, err := w.Write(line)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(len(line)))
		Expect(out.String()).To(Equal("Downloading from https://me:xxxxx@a.corp/x.zip\n"))
	})
}

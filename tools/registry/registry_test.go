package registry_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/registry"
)

func TestRegistry(t *testing.T) {
	spec.Run(t, "registry", testRegistry, spec.Report(report.Terminal{}))
}

func testRegistry(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		dir    string
		srv    *registry.Server
	)

	const manifestType = "application/vnd.oci.image.manifest.v1+json"

	it.Before(func() {
		dir = t.TempDir()
		var err error
		srv, err = registry.Listen(registry.Options{Dir: dir})
		Expect(err).NotTo(HaveOccurred())
	})

	it.After(func() {
		if srv != nil {
			Expect(srv.Close()).To(Succeed())
		}
	})

	do := func(method, url, contentType string, body []byte) (int, []byte) {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		return resp.StatusCode, out
	}

	// push puts a one-blob "image" into repo:tag the way a client does: a
	// monolithic blob upload, then the manifest.
	push := func(repo, tag string, blob []byte) (digest string, manifest []byte) {
		sum := sha256.Sum256(blob)
		digest = "sha256:" + hex.EncodeToString(sum[:])
		base := "http://" + srv.Addr() + "/v2/" + repo
		code, _ := do(http.MethodPost, base+"/blobs/uploads/?digest="+digest, "application/octet-stream", blob)
		Expect(code).To(Equal(http.StatusCreated))
		manifest = []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[]}`, manifestType, digest, len(blob)))
		code, _ = do(http.MethodPut, base+"/manifests/"+tag, manifestType, manifest)
		Expect(code).To(Equal(http.StatusCreated))
		return digest, manifest
	}

	restart := func() {
		addr := srv.Addr()
		Expect(srv.Close()).To(Succeed())
		var err error
		srv, err = registry.Listen(registry.Options{Dir: dir, Addr: addr})
		Expect(err).NotTo(HaveOccurred())
	}

	it("serves what was pushed before a restart, blobs and manifests", func() {
		digest, manifest := push("onbuild/stack-run-tiny", "bookworm", []byte(`{"architecture":"amd64","os":"linux"}`))
		restart()

		base := "http://" + srv.Addr() + "/v2/onbuild/stack-run-tiny"
		code, body := do(http.MethodGet, base+"/manifests/bookworm", "", nil)
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(Equal(manifest))
		code, body = do(http.MethodGet, base+"/blobs/"+digest, "", nil)
		Expect(code).To(Equal(http.StatusOK))
		Expect(string(body)).To(Equal(`{"architecture":"amd64","os":"linux"}`))
		Expect(filepath.Join(dir, "blobs", "sha256", digest[len("sha256:"):])).To(BeARegularFile())
	})

	it("keeps the last push of a tag and forgets deleted tags across restarts", func() {
		push("onbuild/builder", "latest", []byte("one"))
		_, second := push("onbuild/builder", "latest", []byte("two"))
		push("onbuild/builder", "old", []byte("three"))
		code, _ := do(http.MethodDelete, "http://"+srv.Addr()+"/v2/onbuild/builder/manifests/old", "", nil)
		Expect(code).To(Equal(http.StatusAccepted))
		restart()

		base := "http://" + srv.Addr() + "/v2/onbuild/builder"
		code, body := do(http.MethodGet, base+"/manifests/latest", "", nil)
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(Equal(second))
		code, _ = do(http.MethodGet, base+"/manifests/old", "", nil)
		Expect(code).To(Equal(http.StatusNotFound))
	})

	it("journals nothing for a rejected manifest", func() {
		// An index listing a manifest the registry does not have is refused.
		index := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:` + hex.EncodeToString(make([]byte, 32)) + `","size":2}]}`
		code, _ := do(http.MethodPut, "http://"+srv.Addr()+"/v2/onbuild/x/manifests/latest", "application/vnd.oci.image.index.v1+json", []byte(index))
		Expect(code).To(Equal(http.StatusNotFound))
		journal, err := os.ReadFile(filepath.Join(dir, "manifests.jsonl"))
		Expect(err).NotTo(HaveOccurred())
		Expect(journal).To(BeEmpty())
	})

	it("refuses any address but 127.0.0.1", func() {
		for _, addr := range []string{"0.0.0.0:0", ":0", "localhost:0", "[::1]:0", "192.168.1.1:0"} {
			_, err := registry.Listen(registry.Options{Dir: t.TempDir(), Addr: addr})
			Expect(err).To(HaveOccurred(), addr)
		}
	})
}

package golang_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
)

func testToolchain(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect
	it("keeps the GOROOT files go build and go test read", func() {
		for _, name := range []string{"bin/go", "bin/gofmt", "go.env", "VERSION", "LICENSE", "lib/time/zoneinfo.zip",
			"pkg/include/textflag.h", "pkg/tool/linux_amd64/compile", "pkg/tool/linux_amd64/link", "pkg/tool/linux_amd64/cgo",
			"pkg/tool/linux_amd64/vet", "pkg/tool/linux_amd64/cover", "pkg/tool/linux_amd64/preprofile",
			"src/net/http/server.go", "src/runtime/race/race_linux_amd64.syso", "src/vendor/modules.txt", "src/go.mod",
			"src/internal/testenv/testenv.go", "src/testing/testing.go", "src/crypto/internal/fips140/v1.0.0/cast.go"} {
			Expect(golang.Needed(name)).To(BeTrue(), name)
		}
		for _, name := range []string{"src/net/http/serve_test.go", "src/net/http/testdata/file", "src/cmd/go/main.go",
			"src/cmd/compile/internal/ssa/func.go", "pkg/tool/linux_amd64/pprof", "pkg/tool/linux_amd64/trace",
			"pkg/tool/linux_amd64/objdump", "test/fixedbugs/issue1.go", "api/go1.txt", "doc/go_spec.html",
			"misc/wasm/wasm_exec.js", "CONTRIBUTING.md", "codereview.cfg"} {
			Expect(golang.Needed(name)).To(BeFalse(), name)
		}
	})

	it("picks the first GOPROXY entry that is a proxy", func() {
		Expect(golang.Proxy("https://a.example/p,direct")).To(Equal("https://a.example/p"))
		Expect(golang.Proxy("direct|https://b.example")).To(Equal("https://b.example"))
		Expect(golang.Proxy("off")).To(BeEmpty())
		Expect(golang.Proxy("")).To(BeEmpty())
	})

	context("Toolchain", func() {
		var (
			proxy      string
			layer      libcnb.Layer
			dependency libpak.BuildModuleDependency
			toolchain  golang.Toolchain
			output     *bytes.Buffer
		)

		it.Before(func() {
			proxy = t.TempDir()
			archive := toolchainZip(t, "1.24.13")
			zipPath := filepath.Join(proxy, "golang.org", "toolchain", "@v", "v0.0.1-go1.24.13.linux-amd64.zip")
			Expect(os.MkdirAll(filepath.Dir(zipPath), 0755)).To(Succeed())
			Expect(os.WriteFile(zipPath, archive, 0644)).To(Succeed())
			sum := sha256.Sum256(archive)
			dependency = libpak.BuildModuleDependency{
				ID: "go", Name: "Go", Version: "1.24.13",
				URI:      "/golang.org/toolchain/@v/v0.0.1-go1.24.13.linux-amd64.zip",
				Checksum: libpak.Checksum("sha256:" + hex.EncodeToString(sum[:])),
				PURLS:    []string{"pkg:golang/golang.org/toolchain@v0.0.1-go1.24.13.linux-amd64?arch=amd64"},
			}
			var err error
			layer, err = (&libcnb.Layers{Path: t.TempDir()}).Layer("go")
			Expect(err).NotTo(HaveOccurred())
			output = &bytes.Buffer{}
			toolchain = golang.Toolchain{
				Dependency: dependency, Proxy: "file://" + proxy,
				Cache:  libpak.DependencyCache{CachePath: t.TempDir(), DownloadPath: t.TempDir(), Logger: log.NewPaketoLogger(output)},
				Logger: log.NewPaketoLogger(output),
			}
		})

		it("downloads from the proxy, strips the module prefix, and reuses the layer after", func() {
			Expect(toolchain.Contribute(&layer)).To(Succeed())
			info, err := os.Stat(filepath.Join(layer.Path, "bin", "go"))
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Mode().Perm() & 0111).NotTo(BeZero())
			Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Cache: true}))
			Expect(layer.Metadata).To(HaveKeyWithValue("version", "1.24.13"))
			Expect(layer.Metadata).To(HaveKeyWithValue("contents", "build-and-test"))
			Expect(filepath.Join(layer.Path, "src", "fmt", "print.go")).To(BeAnExistingFile())
			Expect(filepath.Join(layer.Path, "go.env")).To(BeAnExistingFile())
			compile, err := os.Stat(filepath.Join(layer.Path, "pkg", "tool", "linux_amd64", "compile"))
			Expect(err).NotTo(HaveOccurred())
			Expect(compile.Mode().Perm()&0111).NotTo(BeZero(), "zip entries carry no reliable modes")
			for _, left := range []string{"src/fmt/fmt_test.go", "src/fmt/testdata", "src/cmd", "pkg/tool/linux_amd64/pprof", "CONTRIBUTING.md"} {
				Expect(filepath.Join(layer.Path, left)).NotTo(BeAnExistingFile(), left)
			}
			Expect(output.String()).To(MatchRegexp(`Installed Go 1.24.13 in \S+ \(download \S+, extract \S+\): 5 files \(\d+ B\) that go build and go test read; left out 5`))
			Expect(layer.BuildEnvironment).To(HaveKeyWithValue("GOTOOLCHAIN.override", "local"))
			Expect(layer.SBOMPath(libcnb.SyftJSON)).To(BeAnExistingFile())
			Expect(output.String()).To(ContainSubstring("Downloading from file://" + proxy + "/golang.org/toolchain/@v/v0.0.1-go1.24.13.linux-amd64.zip"))

			Expect(os.RemoveAll(filepath.Join(proxy, "golang.org"))).To(Succeed())
			output.Reset()
			Expect(toolchain.Contribute(&layer)).To(Succeed())
			Expect(output.String()).To(ContainSubstring("Go 1.24.13: Reusing cached layer"))
		})

		it("takes the zip an offline builder carries, with no proxy at all", func() {
			hash := dependency.GetChecksum().Hash()
			carried := filepath.Join(toolchain.Cache.CachePath, hash)
			Expect(os.MkdirAll(carried, 0755)).To(Succeed())
			archive, err := os.ReadFile(filepath.Join(proxy, strings.TrimPrefix(dependency.URI, "/")))
			Expect(err).NotTo(HaveOccurred())
			Expect(os.WriteFile(filepath.Join(carried, filepath.Base(dependency.URI)), archive, 0644)).To(Succeed())
			Expect(os.WriteFile(carried+".toml", []byte("id = \"go\"\n"), 0644)).To(Succeed())
			toolchain.Proxy = ""

			Expect(toolchain.Contribute(&layer)).To(Succeed())
			Expect(filepath.Join(layer.Path, "bin", "go")).To(BeAnExistingFile())
			Expect(output.String()).To(ContainSubstring("Reusing cached download from buildpack"))
		})

		it("refuses bytes that are not the pinned ones, leaving no metadata", func() {
			toolchain.Dependency.Checksum = libpak.Checksum("sha256:" + hex.EncodeToString(make([]byte, 32)))
			err := toolchain.Contribute(&layer)
			Expect(err).To(MatchError(ContainSubstring("[Error: Go toolchain checksum mismatch]")))
			Expect(layer.Metadata).NotTo(HaveKey("version"))
		})

		it("explains a GOPROXY that names no proxy", func() {
			toolchain.Proxy = ""
			toolchain.Env = []string{"GOPROXY=direct"}
			err := toolchain.Contribute(&layer)
			Expect(err).To(MatchError(ContainSubstring("[Error: No Go module proxy for the toolchain]")))
			Expect(err).To(MatchError(ContainSubstring(`GOPROXY="direct"`)))
		})

		it("never shows the password of the GOPROXY it failed to download from", func() {
			toolchain.Proxy = "http://me:s3cret@127.0.0.1:9"
			toolchain.Env = []string{"GOPROXY=direct|http://me:s3cret@127.0.0.1:9,off"}
			err := toolchain.Contribute(&layer)
			Expect(err).To(MatchError(ContainSubstring("[Error: Go toolchain download failed]")))
			Expect(err).To(MatchError(ContainSubstring("http://me:xxxxx@127.0.0.1:9/golang.org/toolchain")))
			Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
			Expect(output.String()).NotTo(ContainSubstring("s3cret"))
		})

		it("never shows a token passed as GOPROXY's user name", func() {
			toolchain.Proxy = "http://t0ken@127.0.0.1:9"
			err := toolchain.Contribute(&layer)
			Expect(err).To(MatchError(ContainSubstring("[Error: Go toolchain download failed]")))
			Expect(output.String()).To(ContainSubstring("Downloading from http://xxxxx@127.0.0.1:9/golang.org/toolchain"))
			Expect(err.Error()).NotTo(ContainSubstring("t0ken"))
			Expect(output.String()).NotTo(ContainSubstring("t0ken"))
		})

		it("never shows the password of a GOPROXY list that names no proxy", func() {
			toolchain.Proxy = ""
			toolchain.Env = []string{"GOPROXY=direct|https://me:s3cret@,off"}
			err := toolchain.Contribute(&layer)
			Expect(err).To(MatchError(ContainSubstring("[Error: No Go module proxy for the toolchain]")))
			Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
		})

		it("builds offline from a dependency-mapping binding without a proxy", func() {
			toolchain.Proxy = ""
			toolchain.Cache.Mappings = map[string]string{
				toolchain.Dependency.GetChecksum().Hash(): "file://" + filepath.Join(proxy, "golang.org", "toolchain", "@v", "v0.0.1-go1.24.13.linux-amd64.zip"),
			}
			Expect(toolchain.Contribute(&layer)).To(Succeed())
			Expect(filepath.Join(layer.Path, "bin", "go")).To(BeAnExistingFile())
		})
	})
}

// toolchainZip is a golang.org/toolchain module zip in miniature.
func toolchainZip(t *testing.T, version string) []byte {
	var buffer bytes.Buffer
	w := zip.NewWriter(&buffer)
	prefix := "golang.org/toolchain@v0.0.1-go" + version + ".linux-amd64/"
	files := map[string]os.FileMode{"bin/go": 0755, "VERSION": 0644, "go.env": 0644,
		"src/fmt/print.go": 0644, "src/fmt/fmt_test.go": 0644, "src/fmt/testdata/x.txt": 0644,
		"src/cmd/go/main.go": 0644, "pkg/tool/linux_amd64/compile": 0644, "pkg/tool/linux_amd64/pprof": 0644,
		"CONTRIBUTING.md": 0644}
	for name, mode := range files {
		header := &zip.FileHeader{Name: prefix + name, Method: zip.Deflate}
		header.SetMode(mode)
		f, err := w.CreateHeader(header)
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
		_, err = f.Write([]byte("go" + version + "\n"))
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
	}
	NewWithT(t).Expect(w.Close()).To(Succeed())
	return buffer.Bytes()
}

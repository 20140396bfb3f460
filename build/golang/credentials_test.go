package golang_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testCredentials(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect  = NewWithT(t).Expect
		server  *httptest.Server
		archive []byte
		netrc   string
		ctx     libcnb.BuildContext
		output  *bytes.Buffer
	)

	it.Before(func() {
		archive = toolchainZip(t, "1.24.13")
		// A GOPROXY that answers only with the netrc's login, on loopback.
		server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if user, password, ok := r.BasicAuth(); !ok || user != "me" || password != "s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = w.Write(archive)
		}))
		bindingDir := filepath.Join(t.TempDir(), "proxy-login")
		Expect(os.MkdirAll(bindingDir, 0755)).To(Succeed())
		netrc = filepath.Join(bindingDir, "netrc")
		Expect(os.WriteFile(netrc, []byte("machine 127.0.0.1 login me password s3cret\n"), 0600)).To(Succeed())

		metadata := fake.Metadata(t, "go")
		sum := sha256.Sum256(archive)
		metadata["dependencies"] = []map[string]interface{}{{
			"id": "go", "name": "Go", "version": "1.24.13",
			"uri":      "/golang.org/toolchain/@v/v0.0.1-go1.24.13.linux-amd64.zip",
			"checksum": "sha256:" + hex.EncodeToString(sum[:]),
			"purls":    []string{"pkg:golang/golang.org/toolchain@v0.0.1-go1.24.13.linux-amd64?arch=amd64"},
		}}
		app := t.TempDir()
		fake.WriteFiles(t, app, map[string]string{"go.mod": "module example.com/web\n\ngo 1.24\n", "main.go": "package main\n\nfunc main() {}\n"})
		ctx = libcnb.BuildContext{
			ApplicationPath: app,
			Buildpack: libcnb.Buildpack{
				Info: libcnb.BuildpackInfo{ID: "onbuild/go", Name: "onbuild Go", Version: "0.1.0"},
				Path: t.TempDir(), Metadata: metadata,
			},
			Layers: libcnb.Layers{Path: t.TempDir()},
			Platform: libcnb.Platform{Bindings: libcnb.Bindings{{
				Name: "proxy-login", Type: "netrc", Path: bindingDir, Secret: map[string]string{"netrc": "machine 127.0.0.1 login me password s3cret\n"},
			}}},
		}
		output = &bytes.Buffer{}
	})

	it.After(func() { server.Close() })

	it("downloads the toolchain with the netrc login and points go at the mounted netrc, without onbuild/vcs", func() {
		binary := staticBinary(t)
		executor := &fake.Executor{Run: func(e effect.Execution) error {
			for i, arg := range e.Args {
				if arg == "-o" {
					content, err := os.ReadFile(binary)
					if err != nil {
						return err
					}
					return os.WriteFile(e.Args[i+1], content, 0755)
				}
			}
			return nil
		}}
		builder := golang.Builder{Logger: log.NewPaketoLogger(output), Executor: executor,
			Environ: []string{"PATH=/usr/bin", "GOPROXY=" + server.URL + ",direct"}}
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())

		Expect(executor.Executions).NotTo(BeEmpty())
		Expect(envvar.Value(executor.Executions[0].Env, "NETRC")).To(Equal(netrc))
		Expect(output.String()).To(ContainSubstring("go reads NETRC from the netrc binding (" + netrc + ")"))
		Expect(output.String()).NotTo(ContainSubstring("s3cret"))
		for _, layer := range result.Layers {
			Expect(layer.BuildEnvironment).NotTo(HaveKey("NETRC.override"))
			Expect(layer.LaunchEnvironment).NotTo(HaveKey("NETRC.override"))
		}
	})

	it("fails on a 401 without the binding, with no password shown", func() {
		toolchain := golang.Toolchain{
			Dependency: libpak.BuildModuleDependency{ID: "go", Version: "1.24.13", URI: "/golang.org/toolchain/@v/v0.0.1-go1.24.13.linux-amd64.zip",
				Checksum: libpak.Checksum("sha256:" + hex.EncodeToString(make([]byte, 32)))},
			Proxy:  server.URL,
			Cache:  libpak.DependencyCache{CachePath: t.TempDir(), DownloadPath: t.TempDir(), Logger: log.NewPaketoLogger(output)},
			Logger: log.NewPaketoLogger(output),
		}
		layer, err := (&libcnb.Layers{Path: t.TempDir()}).Layer("go")
		Expect(err).NotTo(HaveOccurred())
		err = toolchain.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("401")))
	})
}

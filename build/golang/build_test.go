package golang_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testGoBuild(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		goBuild  golang.Builder
		executor *fake.Executor
		output   *bytes.Buffer
		binary   string
	)

	it.Before(func() {
		// The real descriptor, for its configurations and defaults, with
		// one toolchain served by a file:// proxy.
		var descriptor struct {
			Metadata map[string]interface{} `toml:"metadata"`
		}
		_, err := toml.DecodeFile("../../buildpacks/go/buildpack.toml", &descriptor)
		Expect(err).NotTo(HaveOccurred())
		proxy := t.TempDir()
		archive := toolchainZip(t, "1.24.13")
		zipPath := filepath.Join(proxy, "golang.org", "toolchain", "@v", "v0.0.1-go1.24.13.linux-amd64.zip")
		Expect(os.MkdirAll(filepath.Dir(zipPath), 0755)).To(Succeed())
		Expect(os.WriteFile(zipPath, archive, 0644)).To(Succeed())
		sum := sha256.Sum256(archive)
		descriptor.Metadata["dependencies"] = []map[string]interface{}{{
			"id": "go", "name": "Go", "version": "1.24.13",
			"uri":      "/golang.org/toolchain/@v/v0.0.1-go1.24.13.linux-amd64.zip",
			"checksum": "sha256:" + hex.EncodeToString(sum[:]),
			"purls":    []string{"pkg:golang/golang.org/toolchain@v0.0.1-go1.24.13.linux-amd64?arch=amd64"},
		}}

		app := t.TempDir()
		fake.WriteFiles(t, app, map[string]string{
			"go.mod":                  "module example.com/web\n\ngo 1.24\n",
			"main.go":                 "package main\n\nfunc main() {}\n",
			"static/index.html":       "<h1>hi</h1>\n",
			".cnb/action_hooks/build": "#!/bin/sh\n",
		})
		ctx = libcnb.BuildContext{
			ApplicationPath: app,
			Buildpack: libcnb.Buildpack{
				Info:     libcnb.BuildpackInfo{ID: "onbuild/go", Name: "onbuild Go", Version: "0.1.0"},
				Path:     t.TempDir(),
				Metadata: descriptor.Metadata,
			},
			Layers: libcnb.Layers{Path: t.TempDir()},
			Plan: libcnb.BuildpackPlan{Entries: []libcnb.BuildpackPlanEntry{
				{Name: "go", Metadata: map[string]interface{}{"keep": []interface{}{".cnb/action_hooks/build"}}},
			}},
		}

		binary = staticBinary(t)
		executor = &fake.Executor{Run: func(e effect.Execution) error {
			for i, arg := range e.Args {
				if arg == "-o" {
					content, err := os.ReadFile(binary)
					if err != nil {
						return err
					}
					_, _ = e.Stdout.Write([]byte("go: downloading golang.org/x/text v0.21.0\nexample.com/web\n"))
					return os.WriteFile(e.Args[i+1], content, 0755)
				}
			}
			return nil
		}}
		output = &bytes.Buffer{}
		goBuild = golang.Builder{
			Logger:   log.NewPaketoLogger(output),
			Executor: executor,
			Environ:  []string{"PATH=/usr/bin", "GOPROXY=file://" + proxy + ",direct", "BP_KEEP_FILES=static"},
		}
	})

	it("installs the toolchain and builds each target into a launch layer and removes the source", func() {
		result, err := goBuild.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())

		Expect(executor.Executions).To(HaveLen(1))
		execution := executor.Executions[0]
		Expect(execution.Command).To(Equal(filepath.Join(ctx.Layers.Path, "go", "bin", "go")))
		Expect(execution.Args).To(Equal([]string{"build", "-v", "-trimpath", "-buildvcs=false", "-ldflags=-s -w",
			"-o", filepath.Join(ctx.Layers.Path, "binaries", "bin", "web"), "."}))
		Expect(execution.Dir).To(Equal(ctx.ApplicationPath))
		Expect(execution.Env).To(ContainElements(
			"GOMODCACHE="+filepath.Join(ctx.Layers.Path, "go-mod-cache"),
			"GOCACHE="+filepath.Join(ctx.Layers.Path, "go-build-cache"),
			"GOTOOLCHAIN=local", "CGO_ENABLED=0",
		))

		var names []string
		for _, layer := range result.Layers {
			names = append(names, layer.Name)
		}
		Expect(names).To(Equal([]string{"go", "go-mod-cache", "go-build-cache", "binaries"}))
		Expect(result.Layers[1].LayerTypes).To(Equal(libcnb.LayerTypes{Cache: true}))
		Expect(result.Layers[3].LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))
		Expect(result.Layers[3].LaunchEnvironment).To(HaveKeyWithValue("PORT.default", "8080"))
		Expect(result.Processes).To(Equal([]libcnb.Process{
			{Type: "web", Command: []string{filepath.Join(ctx.Layers.Path, "binaries", "bin", "web")}, Default: true},
		}))
		Expect(result.Layers[3].SBOMPath(libcnb.CycloneDXJSON)).To(BeAnExistingFile())

		Expect(filepath.Join(ctx.ApplicationPath, "main.go")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(ctx.ApplicationPath, "go.mod")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(ctx.ApplicationPath, "static", "index.html")).To(BeAnExistingFile())
		Expect(filepath.Join(ctx.ApplicationPath, ".cnb", "action_hooks", "build")).To(BeAnExistingFile())

		log := output.String()
		Expect(log).To(ContainSubstring("Go 1.24.13: go.mod's go line asks for 1.24 or newer, the newest 1.24 patch onbuild/go knows"))
		Expect(log).To(ContainSubstring("downloading golang.org/x/text v0.21.0"))
		Expect(log).To(ContainSubstring(". → web: compiled 1 package (example.com/web)"))
		Expect(log).To(ContainSubstring("Go build cache: 0 B (limit 1.0 GiB)"))
		Expect(log).To(ContainSubstring("keeping static, .cnb/action_hooks/build"))
	})

	it("fails before any download on an unknown Go version and lists the known ones", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"go.mod": "module example.com/web\n\ngo 1.25.0\n"})
		_, err := goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("go.mod's go line asks for Go 1.25.0 or newer, and onbuild/go can install only these versions:\n  1.24.13")))
		Expect(executor.Executions).To(BeEmpty())
		Expect(filepath.Join(ctx.Layers.Path, "go")).NotTo(BeADirectory())
	})

	it("removes the modules a go.mod change left behind, asking go list offline which are in use", func() {
		// What the restorer leaves of the last build's module cache layer.
		fake.WriteFiles(t, ctx.Layers.Path, map[string]string{
			"go-mod-cache.toml":                                            "[types]\ncache = true\n[metadata]\ncache = \"go-mod-cache\"\nmodules = \"digest of older module files\"\n",
			"go-mod-cache/golang.org/x/text@v0.20.0/go.mod":                "module golang.org/x/text\n",
			"go-mod-cache/cache/download/golang.org/x/text/@v/v0.20.0.mod": "module golang.org/x/text\n",
		})
		result, err := goBuild.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())
		Expect(executor.Executions).To(HaveLen(2))
		Expect(executor.Executions[1].Args[:2]).To(Equal([]string{"list", "-deps"}))
		Expect(executor.Executions[1].Env).To(ContainElement("GOPROXY=off"))
		Expect(output.String()).To(ContainSubstring("Go module cache: the module files changed: removed 1 module versions this build no longer uses"))
		Expect(filepath.Join(ctx.Layers.Path, "go-mod-cache", "golang.org", "x", "text@v0.20.0")).NotTo(BeADirectory())
		Expect(filepath.Join(ctx.Layers.Path, "go-mod-cache", "cache", "download", "golang.org", "x", "text", "@v", "v0.20.0.mod")).To(BeAnExistingFile())
		Expect(result.Layers[1].Metadata["modules"]).To(MatchRegexp(`^[0-9a-f]{64}$`))
	})

	it("fails on a go.mod without a module line", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"go.mod": "go 1.24\n"})
		_, err := goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: go.mod has no module line]")))
	})

	it("fails on bad settings before any download", func() {
		goBuild.Environ = append(goBuild.Environ, "BP_GO_CACHE_LIMIT=lots")
		_, err := goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Bad BP_GO_CACHE_LIMIT]")))
		Expect(filepath.Join(ctx.Layers.Path, "go")).NotTo(BeADirectory())
	})

	it("refuses a dynamically linked binary that tiny could not start", func() {
		binary = "/bin/ls"
		goBuild.Environ = append(goBuild.Environ, "CGO_ENABLED=1")
		_, err := goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Go binary needs libc]")))
		Expect(filepath.Join(ctx.ApplicationPath, "main.go")).To(BeAnExistingFile(), "the source stays when the build fails")
	})

	it("keeps a cgo binary for a run image with libc", func() {
		binary = dynamicBinary(t)
		goBuild.Environ = append(goBuild.Environ, "CGO_ENABLED=1")
		analyzed := filepath.Join(filepath.Dir(ctx.Layers.Path), "analyzed.toml")
		fake.WriteFiles(t, filepath.Dir(analyzed), map[string]string{"analyzed.toml": "[run-image]\n  reference = \"sha256:1\"\n  image = \"onbuild/stack-run-python:trixie\"\n"})
		_, err := goBuild.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("web is dynamically linked (CGO_ENABLED=1): it runs on this run image, which has libc, and not on tiny"))
	})

	it("refuses a cgo binary for the tiny run image", func() {
		binary = dynamicBinary(t)
		goBuild.Environ = append(goBuild.Environ, "CGO_ENABLED=1")
		fake.WriteFiles(t, filepath.Dir(ctx.Layers.Path), map[string]string{"analyzed.toml": "[run-image]\n  image = \"127.0.0.1:5000/onbuild/stack-run-tiny:trixie\"\n"})
		_, err := goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Go binary needs libc]")))
	})

	it("never shows a GOPROXY password that go build's output repeats", func() {
		goBuild.Environ = append(goBuild.Environ, "GOPROXY="+envvar.Value(goBuild.Environ, "GOPROXY")+",https://me:s3cret@proxy.corp")
		executor.Run = func(e effect.Execution) error {
			_, _ = e.Stderr.Write([]byte("go: downloading example.com/lib v1.0.0 from https://me:s3cret@proxy.corp\n" +
				"go: example.com/lib@v1.0.0: reading https://me:s3cret@proxy.corp/example.com/lib/@v/v1.0.0.zip: 404 Not Found\n"))
			return os.ErrInvalid
		}
		_, err := goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("reading https://me:xxxxx@proxy.corp/example.com/lib")))
		Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
		Expect(output.String()).NotTo(ContainSubstring("s3cret"))

		executor.Run = func(e effect.Execution) error {
			_, _ = e.Stderr.Write([]byte("go: example.com/lib@v1.0.0: Get \"https://me:s3cret@proxy.corp/x\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n"))
			return os.ErrInvalid
		}
		_, err = goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: TLS certificate not trusted]")))
		Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
	})

	it("shows the end of go build's output when it fails", func() {
		executor.Run = func(e effect.Execution) error {
			_, _ = e.Stderr.Write([]byte("# example.com/web\n./main.go:3:1: syntax error: unexpected }\n"))
			return os.ErrInvalid
		}
		_, err := goBuild.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: go build failed]")))
		Expect(err).To(MatchError(ContainSubstring("./main.go:3:1: syntax error")))
		Expect(strings.Count(output.String(), "Contributing to layer")).To(Equal(1))
	})

	it("builds the app folder of a go.work monorepo, from the app folder, and leaves only it in the image", func() {
		root := ctx.ApplicationPath
		Expect(os.RemoveAll(root)).To(Succeed())
		fake.WriteFiles(t, root, map[string]string{
			"go.work":                              "go 1.24\n\nuse (\n\t./services/api\n\t./libs/greet\n)\n",
			"services/api/go.mod":                  "module example.com/api\n\ngo 1.24\n",
			"services/api/main.go":                 "package main\n\nfunc main() {}\n",
			"services/api/static/index.html":       "<h1>hi</h1>\n",
			"services/api/.cnb/action_hooks/build": "#!/bin/sh\n",
			"libs/greet/go.mod":                    "module example.com/greet\n\ngo 1.24\n",
			"libs/greet/greet.go":                  "package greet\n",
			"config/app.yaml":                      "x: 1\n",
		})
		goBuild.Environ = append(goBuild.Environ, "BP_APP_DIR=services/api", "BP_APP_KEEP=config")

		result, err := goBuild.Build(ctx)
		Expect(err).NotTo(HaveOccurred(), output.String())
		api := filepath.Join(root, "services", "api")
		Expect(executor.Executions[0].Dir).To(Equal(api))
		Expect(executor.Executions[0].Args[len(executor.Executions[0].Args)-1]).To(Equal("."))
		Expect(result.Processes).To(Equal([]libcnb.Process{
			{Type: "web", Command: []string{filepath.Join(ctx.Layers.Path, "binaries", "bin", "api")}, Default: true, WorkingDirectory: api},
		}))
		Expect(result.Layers[3].Metadata).To(HaveKeyWithValue("app", "services/api"))
		Expect(output.String()).To(ContainSubstring("go.work's go line asks for 1.24 or newer"))

		Expect(filepath.Join(api, "static", "index.html")).To(BeAnExistingFile())
		Expect(filepath.Join(api, ".cnb", "action_hooks", "build")).To(BeAnExistingFile())
		Expect(filepath.Join(root, "config", "app.yaml")).To(BeAnExistingFile())
		for _, gone := range []string{"go.work", "libs", "services/api/main.go", "services/api/go.mod"} {
			Expect(filepath.Join(root, gone)).NotTo(BeAnExistingFile())
		}
	})
}

package golang_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// staticBinary compiles a tiny main module without cgo, as onbuild/go
// would, and returns its path.
func staticBinary(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	fake.WriteFiles(t, src, map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { println(\"hello\") }\n",
	})
	binary := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", binary, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	NewWithT(t).Expect(err).NotTo(HaveOccurred(), string(out))
	return binary
}

func testBinaries(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("accepts a static binary and refuses one that needs the dynamic loader", func() {
		Expect(golang.CheckStatic(golang.Binary{Path: staticBinary(t)})).To(Succeed())

		err := golang.CheckStatic(golang.Binary{Target: golang.Target{Package: ".", Binary: "ls"}, Path: "/bin/ls"})
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.Error()).To(ContainSubstring("[Error: Go binary needs libc]"))
		Expect(err.Error()).To(ContainSubstring("ls (from .) is dynamically linked: it needs the dynamic loader /lib64/ld-linux-x86-64.so.2, "))
		Expect(err.Error()).To(ContainSubstring("libc.so.6"))
		Expect(err.Error()).To(ContainSubstring("tiny run image, which has no libc"))
		Expect(err.Error()).To(ContainSubstring("-extldflags -static"))
	})

	it("gives the first binary the web process and each other its name, run without a shell", func() {
		processes, err := golang.Processes([]golang.Binary{
			{Target: golang.Target{Package: "./cmd/api", Binary: "api"}, Path: "/layers/b/bin/api"},
			{Target: golang.Target{Package: "./cmd/worker", Binary: "worker"}, Path: "/layers/b/bin/worker"},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(processes).To(Equal([]libcnb.Process{
			{Type: "web", Command: []string{"/layers/b/bin/api"}, Default: true},
			{Type: "worker", Command: []string{"/layers/b/bin/worker"}},
		}))

		_, err = golang.Processes([]golang.Binary{
			{Target: golang.Target{Package: "./cmd/api", Binary: "api"}},
			{Target: golang.Target{Package: "./cmd/web", Binary: "web"}},
		})
		Expect(err).To(MatchError(ContainSubstring("List ./cmd/web first in BP_GO_TARGETS")))
	})

	it("writes a CycloneDX SBOM from the binaries' build info", func() {
		layers := &libcnb.Layers{Path: t.TempDir()}
		layer, err := layers.Layer("binaries")
		Expect(err).NotTo(HaveOccurred())
		Expect(os.MkdirAll(layer.Path, 0755)).To(Succeed())
		binary := staticBinary(t)
		Expect(golang.WriteSBOM(layer, []golang.Binary{{Target: golang.Target{Package: ".", Binary: "hello"}, Path: binary}})).To(Succeed())

		content, err := os.ReadFile(layer.SBOMPath(libcnb.CycloneDXJSON))
		Expect(err).NotTo(HaveOccurred())
		var document struct {
			BOMFormat  string
			Components []struct {
				Type, Name, Version, Purl string
			}
		}
		Expect(json.Unmarshal(content, &document)).To(Succeed())
		Expect(document.BOMFormat).To(Equal("CycloneDX"))
		Expect(document.Components).To(HaveLen(2))
		Expect(document.Components[0].Name).To(Equal("example.com/hello"))
		Expect(document.Components[0].Type).To(Equal("application"))
		Expect(document.Components[1].Name).To(Equal("stdlib"))
		Expect(document.Components[1].Purl).To(HavePrefix("pkg:golang/stdlib@1."))
	})

	it("lists each module once, with the binaries that link it", func() {
		binary := staticBinary(t)
		modules, err := golang.Modules([]golang.Binary{
			{Target: golang.Target{Binary: "a"}, Path: binary},
			{Target: golang.Target{Binary: "b"}, Path: binary},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(modules).To(HaveLen(2))
		Expect(modules[0].Binaries).To(Equal([]string{"a", "b"}))
	})
}

package integration_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testGo(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	// goBuild builds on tiny. The module proxy is HTTPS, which this
	// network re-signs: the host's CAs go in as a ca-certificates binding.
	goBuild := func(a *app, extra ...string) (string, time.Duration, error) {
		args := append([]string{"--run-image", tinyRunImage}, caBinding(t)...)
		start := time.Now()
		out, err := a.build(append(args, extra...)...)
		return out, time.Since(start), err
	}

	it("builds a web app on tiny, then rebuilds a source change without downloading, recompiling one package", func() {
		a := newApp(t, "go/web")
		out, first, err := goBuild(a, "--env", "BP_KEEP_FILES=static/*")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("Go 1.24.13: go.mod's go line asks for 1.24 or newer, the newest 1.24 patch onbuild/go knows"))
		Expect(out).To(MatchRegexp(`Downloading from https?://\S+/golang.org/toolchain/@v/v0.0.1-go1.24.13.linux-amd64.zip`))
		Expect(out).To(ContainSubstring("downloading golang.org/x/text v0.21.0"))

		url := a.start()
		Expect(a.get(url + "/")).To(Equal("Hello From Onbuild"))
		Expect(a.get(url + "/static/hello.txt")).To(Equal("kept by BP_KEEP_FILES\n"))
		Expect(runImageOf(t, a.image)).To(Equal(tinyRunImage))
		// What a scanner finds in the app image: the run image's packages,
		// with the versions the build image (same suites) has.
		packages := debianPackages(t, a.image)
		for _, pkg := range []string{"ca-certificates", "tzdata"} {
			version, err := inImage(buildImage, "dpkg-query", "-W", "-f", "${Version}", pkg)
			Expect(err).NotTo(HaveOccurred(), version)
			Expect(packages).To(HaveKeyWithValue(pkg, version))
		}
		Expect(sbomPackages(t, a.image)).To(Equal(packages), "the SBOM lists the packages of the status.d records")
		_, err = inImage(a.image, "/bin/sh", "-c", "true")
		Expect(err).To(HaveOccurred(), "tiny has no shell")
		Expect(workspaceFiles(t, a.image)).To(ConsistOf("static/hello.txt"))
		Expect(processTypes(t, a.image)).To(Equal(map[string]string{"web": "/layers/onbuild_go/binaries/bin/web"}))
		size := imageSize(t, a.image)
		t.Logf("image size of the Go web app on tiny: %.1f MB", float64(size)/1e6)
		Expect(size).To(BeNumerically("<", 30e6))

		source, err := os.ReadFile(filepath.Join(a.dir, "greeting.go"))
		Expect(err).NotTo(HaveOccurred())
		a.write("greeting.go", strings.Replace(string(source), "hello from onbuild", "hello again", 1))
		out, second, err := goBuild(a, "--env", "BP_KEEP_FILES=static/*")
		Expect(err).NotTo(HaveOccurred(), out)
		t.Logf("first build %s, rebuild after a source change %s", first.Round(time.Second), second.Round(time.Second))
		Expect(out).To(ContainSubstring("Go 1.24.13: Reusing cached layer"))
		Expect(out).NotTo(ContainSubstring("Downloading"))
		Expect(out).NotTo(ContainSubstring("downloading"))
		Expect(out).To(ContainSubstring(". → web: compiled 1 package (example.com/web)"))
		Expect(out).To(ContainSubstring("Reusing cache layer 'onbuild/go:go-mod-cache'"))
		Expect(second).To(BeNumerically("<", first))
		Expect(a.get(a.start() + "/")).To(Equal("Hello Again"))

		// net/http with cgo links libc: refused at build time, not at start.
		out, _, err = goBuild(a, "--env", "CGO_ENABLED=1")
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Go binary needs libc]"))
		Expect(out).To(ContainSubstring("web (from .) is dynamically linked"))
		Expect(a.get(a.start()+"/")).To(Equal("Hello Again"), "the failed build left the image alone")
	})

	it("builds the BP_GO_TARGETS binaries with the toolchain line's Go, one process each", func() {
		a := newApp(t, "go/multi")
		out, _, err := goBuild(a, "--env", "BP_GO_TARGETS=./cmd/api:./cmd/worker", "--env", "BP_GO_CACHE_LIMIT=20M")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("Go 1.23.4: go.mod's toolchain line asks for it"))
		Expect(out).To(ContainSubstring("./cmd/api → api: compiled"))
		Expect(out).To(ContainSubstring("./cmd/worker → worker: compiled"))
		Expect(out).NotTo(ContainSubstring("migrate"))
		Expect(out).To(MatchRegexp(`Go build cache: [0-9.]+ MiB, over BP_GO_CACHE_LIMIT=20.0 MiB: removed the \d+ least recently used entries`))

		Expect(processTypes(t, a.image)).To(Equal(map[string]string{
			"web":    "/layers/onbuild_go/binaries/bin/api",
			"worker": "/layers/onbuild_go/binaries/bin/worker",
		}))
		Expect(a.get(a.start() + "/")).To(Equal("api"))
		worker, err := inImage(a.image, "/cnb/process/worker")
		Expect(err).NotTo(HaveOccurred(), worker)
		Expect(worker).To(Equal("worker ran\n"))
	})

	it("builds a vendored app with no network at all", func() {
		a := newApp(t, "go/vendored")
		// The toolchain comes from a dependency-mapping binding, libpak's
		// offline mechanism; the modules from vendor/.
		toolchain := hostToolchain(t, "1.24.13")
		mapping := binding(t, "go-toolchain", "dependency-mapping", map[string][]byte{
			toolchain.sha256: []byte("file:///offline/" + filepath.Base(toolchain.path)),
		})
		out, err := a.build(append(mapping,
			"--volume", filepath.Dir(toolchain.path)+":/offline:ro",
			"--network", "none", "--env", "GOPROXY=off",
			"--run-image", tinyRunImage)...)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("go build -trimpath -mod=vendor"))
		Expect(out).To(ContainSubstring("Downloading from file:///offline/"))
		Expect(out).NotTo(ContainSubstring("downloading"))
		Expect(a.get(a.start() + "/")).To(Equal("hello from vendor"))
	})

	it("builds a module with go 1.25.0 and no toolchain line with the newest known 1.25 patch", func() {
		a := newApp(t, "go/minimum")
		out, _, err := goBuild(a)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("Go 1.25.14: go.mod's go line asks for 1.25.0 or newer, the newest 1.25 patch onbuild/go knows"))
		Expect(a.get(a.start() + "/")).To(Equal("go1.25.14"))
	})

	it("fails a toolchain line it has no toolchain for, naming those that would do", func() {
		a := newApp(t, "go/unknown-version")
		out, _, err := goBuild(a)
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Go version not available]"))
		Expect(out).To(ContainSubstring("go.mod's toolchain line asks for Go 1.24.99, and onbuild/go can install only these versions:"))
		Expect(out).To(ContainSubstring("1.22.12, 1.23.4, 1.23.12, 1.24.13, 1.25.14, 1.26.11, 1.27.4"))
		Expect(out).To(ContainSubstring("These would meet the go line (go 1.24.0): 1.24.13, 1.25.14, 1.26.11, 1.27.4."))
		Expect(out).NotTo(ContainSubstring("Downloading"))
	})

	it("fails a go.mod without a module line with the fix", func() {
		a := newApp(t, "go/no-module")
		out, _, err := goBuild(a)
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: go.mod has no module line]"))
		Expect(out).To(ContainSubstring("module example.com/myapp"))
	})
}

// processTypes reads the process types, and their commands, of an image.
func processTypes(t *testing.T, image string) map[string]string {
	Expect := NewWithT(t).Expect
	out, err := exec.Command("docker", "image", "inspect", "--format", `{{index .Config.Labels "io.buildpacks.build.metadata"}}`, image).Output()
	Expect(err).NotTo(HaveOccurred())
	var metadata struct {
		Processes []struct {
			Type    string   `json:"type"`
			Command []string `json:"command"`
		} `json:"processes"`
	}
	Expect(json.Unmarshal(out, &metadata)).To(Succeed())
	types := map[string]string{}
	for _, process := range metadata.Processes {
		types[process.Type] = strings.Join(process.Command, " ")
	}
	return types
}

// runImageOf reads the run image an app image was built on.
func runImageOf(t *testing.T, image string) string {
	Expect := NewWithT(t).Expect
	out, err := exec.Command("docker", "image", "inspect", "--format", `{{index .Config.Labels "io.buildpacks.lifecycle.metadata"}}`, image).Output()
	Expect(err).NotTo(HaveOccurred())
	var metadata struct {
		RunImage struct {
			Reference string `json:"reference"`
			Image     string `json:"image"`
		} `json:"runImage"`
	}
	Expect(json.Unmarshal(out, &metadata)).To(Succeed())
	return metadata.RunImage.Image
}

func imageSize(t *testing.T, image string) int64 {
	Expect := NewWithT(t).Expect
	out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Size}}", image).Output()
	Expect(err).NotTo(HaveOccurred())
	size, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	Expect(err).NotTo(HaveOccurred())
	return size
}

// workspaceFiles lists the files of /workspace in an image with no shell,
// through docker cp of a created (never started) container.
func workspaceFiles(t *testing.T, image string) []string {
	Expect := NewWithT(t).Expect
	out, err := exec.Command("docker", "create", image).Output()
	Expect(err).NotTo(HaveOccurred())
	id := strings.TrimSpace(string(out))
	defer exec.Command("docker", "rm", "-f", id).Run()
	dir := t.TempDir()
	cp, err := exec.Command("docker", "cp", id+":/workspace", dir).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(cp))
	var files []string
	root := filepath.Join(dir, "workspace")
	Expect(filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(root, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})).To(Succeed())
	return files
}

// hostZip is a Go toolchain module zip on this machine.
type hostZip struct {
	path, sha256 string
}

// hostToolchain fetches a toolchain zip with the host's go command (through
// its module cache) and copies it to a folder the build user can read.
func hostToolchain(t *testing.T, version string) hostZip {
	Expect := NewWithT(t).Expect
	module := "golang.org/toolchain@v0.0.1-go" + version + ".linux-amd64"
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	Expect(err).NotTo(HaveOccurred(), string(out))
	var download struct{ Zip, Error string }
	Expect(json.Unmarshal(out, &download)).To(Succeed())
	Expect(download.Error).To(BeEmpty())
	content, err := os.ReadFile(download.Zip)
	Expect(err).NotTo(HaveOccurred())
	dir := t.TempDir()
	Expect(os.Chmod(dir, 0755)).To(Succeed())
	path := filepath.Join(dir, filepath.Base(download.Zip))
	Expect(os.WriteFile(path, content, 0644)).To(Succeed())
	sum := sha256.Sum256(content)
	return hostZip{path: path, sha256: hex.EncodeToString(sum[:])}
}

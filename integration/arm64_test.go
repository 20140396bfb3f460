//go:build emulation

package integration_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	imageindex "github.com/onbuild-buildpacks/onbuild/builder/index"
	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
	"github.com/onbuild-buildpacks/onbuild/tools/registry"
)

// TestArm64 builds the samples for linux/arm64 under emulation from the
// multi-arch builder `make publish PUBLISH_ARCHES="amd64 arm64"` puts in a
// loopback registry. It is slow (docs/development.md) and needs what
// `make test-arm64` provides: qemu-user-static registered with binfmt_misc,
// the builders of both architectures and pack. It is built only with
// -tags emulation, so `make test` never runs it.
func TestArm64(t *testing.T) {
	Expect := NewWithT(t).Expect

	pack = os.Getenv("PACK")
	if pack == "" {
		t.Fatal("PACK is not set: run `make test-arm64`")
	}
	var err error
	root, err = filepath.Abs("..")
	Expect(err).NotTo(HaveOccurred())
	if out, err := exec.Command(filepath.Join(root, "tools", "emulation.sh"), "arm64").CombinedOutput(); err != nil {
		t.Fatalf("this machine does not run linux/arm64 programs: %v\n%s", err, out)
	}
	useFlavour(flavours["trixie"])
	// Debian's python3-* as wheels: pure Python, and C speedups only for
	// the index's own architecture, which an arm64 python3 does not load
	// (markupsafe falls back to its Python code).
	wheels, err := pyindex.Build(context.Background(), pyindex.Options{
		CacheDir: filepath.Join(root, ".cache", "pyindex"),
		Image:    buildImage,
		Packages: append([]string{}, pyindex.DefaultPackages...),
		Stdout:   os.Stderr,
		Stderr:   os.Stderr,
	})
	Expect(err).NotTo(HaveOccurred())
	index, err = pyindex.Serve(wheels)
	Expect(err).NotTo(HaveOccurred())
	defer index.Close()

	srv, err := registry.Listen(registry.Options{Dir: t.TempDir()})
	Expect(err).NotTo(HaveOccurred())
	defer srv.Close()
	archRegistry = &archPublished{prefix: srv.Addr() + "/onbuild", packHome: t.TempDir()}
	defer func() {
		// What pack pulled from the registry into the daemon.
		out, _ := exec.Command("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").Output()
		for _, ref := range strings.Fields(string(out)) {
			if strings.HasPrefix(ref, srv.Addr()+"/") {
				_ = exec.Command("docker", "image", "rm", ref).Run()
			}
		}
	}()

	spec.Run(t, "arm64", testArm64, spec.Report(report.Terminal{}), spec.Sequential())
	if len(emulated) > 0 {
		t.Log("\n" + emulatedTable(emulated))
	}
}

func testArm64(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	it("publishes one builder for both and builds the Go sample for arm64 on tiny from it", func() {
		p := publishArches(t)

		for _, ref := range []string{"builder:latest", "builder:trixie", "stack-build:trixie", "stack-run-python:trixie", "stack-run-tiny:trixie", "buildpacks/onbuild:0.1.0"} {
			Expect(imageindex.Platforms(p.prefix+"/"+ref)).To(Equal([]string{"linux/amd64", "linux/arm64"}), ref)
		}

		// The toolchain pinned for arm64, the binary on tiny; then again
		// after a change to the app, with the caches of the first.
		goApp := newApp(t, "../../samples/go")
		flags := append([]string{"--run-image", p.prefix + "/stack-run-tiny:trixie"}, caBinding(t)...)
		start := time.Now()
		out := p.build(goApp, flags...)
		cold := time.Since(start)
		Expect(out).To(MatchRegexp(`Downloading from https?://\S+/golang.org/toolchain/@v/v0.0.1-go1\.24\.\d+\.linux-arm64.zip`))
		Expect(architecture(t, goApp.image)).To(Equal("arm64"))
		goApp.write("main.go", readFile(t, goApp.dir, "main.go")+"\n// changed\n")
		start = time.Now()
		out = p.build(goApp, flags...)
		emulated = append(emulated, emulatedTimes{"samples/go (tiny)", cold, time.Since(start)})
		Expect(out).NotTo(ContainSubstring("Downloading from"), "the warm build reuses the toolchain")
		Expect(architecture(t, goApp.image)).To(Equal("arm64"))
		Expect(getArm64(goApp, startArm64(goApp)+"/")).To(HavePrefix("Hello from a Go app built by onbuild (go1.24."))
		_, err := inImage(goApp.image, "/bin/sh", "-c", "true")
		Expect(err).To(HaveOccurred(), "tiny has no shell")
	})

	it("builds the Python sample for arm64 on the python run image", func() {
		p := publishArches(t)
		py := newApp(t, "../../samples/python")
		flags := []string{"--network", "host", "--env", "PIP_INDEX_URL=" + index.URL(), "--env", "PIP_TRUSTED_HOST=127.0.0.1"}
		start := time.Now()
		out := p.build(py, flags...)
		cold := time.Since(start)
		Expect(out).To(ContainSubstring("onbuild Python"))
		Expect(architecture(t, py.image)).To(Equal("arm64"))
		py.write("app.py", readFile(t, py.dir, "app.py")+"\n# changed\n")
		start = time.Now()
		p.build(py, flags...)
		emulated = append(emulated, emulatedTimes{"samples/python", cold, time.Since(start)})
		Expect(architecture(t, py.image)).To(Equal("arm64"))
		Expect(getArm64(py, startArm64(py)+"/")).To(HavePrefix("Hello from a Flask app built by onbuild (Python " + flavour.python))
		machine, err := inImage(py.image, "/usr/bin/python3", "-c", "import platform; print(platform.machine())")
		Expect(err).NotTo(HaveOccurred(), machine)
		Expect(strings.TrimSpace(machine)).To(HaveSuffix("aarch64"))

		// pack rebase takes the run image of the app's platform from the
		// index: the app is pushed to the registry, a patched arm64 run
		// image published under the same index, and the app rebased there.
		patched := p.patchRunImage("usr/share/onbuild-test/patched", "a Debian fix")
		before := rootFSLayers(t, py.image)
		Expect(len(before)).To(BeNumerically(">", len(patched)-1))
		appLayers := before[len(patched)-1:]
		pushed := &app{t: t, dir: py.dir, image: p.prefix + "/apps/python-arm64"}
		Expect(exec.Command("docker", "tag", py.image, pushed.image).Run()).To(Succeed())
		push, err := exec.Command("docker", "push", "-q", pushed.image).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(push))
		rebase := exec.Command(pack, "rebase", pushed.image, "--publish")
		rebase.Env = append(os.Environ(), "PACK_HOME="+p.packHome)
		rebased, err := rebase.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(rebased))
		config := p.config(pushed.image)
		Expect(config.Architecture).To(Equal("arm64"))
		var after []string
		for _, id := range config.RootFS.DiffIDs {
			after = append(after, id.String())
		}
		Expect(after[:len(patched)]).To(Equal(patched), "rebased onto the patched arm64 run image")
		Expect(after[len(patched):]).To(Equal(appLayers), "rebase must keep every app layer as it was")
		Expect(exec.Command("docker", "pull", "-q", pushed.image).Run()).To(Succeed())
		fix, err := inImage(pushed.image, "/usr/bin/python3", "-c", "print(open('/usr/share/onbuild-test/patched').read())")
		Expect(err).NotTo(HaveOccurred(), fix)
		Expect(fix).To(ContainSubstring("a Debian fix"))
		Expect(getArm64(pushed, startArm64(pushed)+"/")).To(HavePrefix("Hello from a Flask app built by onbuild (Python " + flavour.python))
	})

	it("names the version and both architectures when the app pins a toolchain pinned for amd64 only", func() {
		p := publishArches(t)
		goApp := newApp(t, "../../samples/go")
		goApp.write("go.mod", "module example.com/hello\n\ngo 1.23\n\ntoolchain go1.23.4\n")
		out, err := p.tryBuild(goApp)
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Go version not pinned for arm64]"))
		Expect(out).To(ContainSubstring("go.mod's toolchain line asks for Go 1.23.4. onbuild/go pins Go 1.23.4 for amd64 only, not for arm64, the architecture of this build."))
		Expect(out).To(ContainSubstring("pack build --platform linux/amd64"))
	})

	it("says which architectures there are when asked for another", func() {
		// pack refuses a platform the published index lacks before any
		// build, naming the platform and the index.
		p := publishArches(t)
		goApp := newApp(t, "../../samples/go")
		out, err := p.tryBuild(goApp, "--platform", "linux/s390x")
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("no manifest found for platform linux/s390x in manifest list"))
		Expect(out).To(ContainSubstring(p.prefix + "/builder:latest"))

		// onbuild's own scripts list the architectures they build for.
		for script, env := range map[string]string{
			"builder/builder.sh": "STACK_ARCH=s390x",
			"stacks/build.sh":    "STACK_ARCH=s390x",
			"builder/publish.sh": "PUBLISH_ARCHES=amd64 s390x",
		} {
			cmd := exec.Command(filepath.Join(root, script))
			cmd.Env = append(os.Environ(), env, "REGISTRY=127.0.0.1:1/onbuild")
			out, err := cmd.CombinedOutput()
			Expect(err).To(HaveOccurred(), script)
			Expect(string(out)).To(ContainSubstring("s390x is not an architecture onbuild builds for; use"), script)
			Expect(string(out)).To(ContainSubstring("amd64 arm64"), script)
		}
	})
}

// emulatedTimes is one sample's emulated linux/arm64 build times: cold
// (empty caches) and warm (after a change to an app file).
type emulatedTimes struct {
	sample     string
	cold, warm time.Duration
}

// emulated collects the samples' times, which TestArm64 prints at its end.
var emulated []emulatedTimes

// emulatedTable is the emulated bench: a markdown table, labelled so that
// nobody reads it as arm64's native speed.
func emulatedTable(times []emulatedTimes) string {
	var b strings.Builder
	b.WriteString("Emulated linux/arm64 builds (qemu-user-static on this amd64 machine, not native arm64 speed):\n\n")
	b.WriteString("| sample | cold | warm (after an app file change) |\n| --- | --- | --- |\n")
	for _, e := range times {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", e.sample, e.cold.Round(time.Second), e.warm.Round(time.Second))
	}
	return b.String()
}

// config reads an image's config from the registry.
func (p *archPublished) config(ref string) *v1.ConfigFile {
	p.t.Helper()
	parsed, err := name.ParseReference(ref)
	if err != nil {
		p.t.Fatal(err)
	}
	image, err := remote.Image(parsed)
	if err != nil {
		p.t.Fatalf("%s: %v", ref, err)
	}
	config, err := image.ConfigFile()
	if err != nil {
		p.t.Fatalf("config of %s: %v", ref, err)
	}
	return config
}

// patchRunImage publishes the arm64 python run image with one more layer
// (file holding content) under its own tag and rewrites the run image's
// index to name it, as a re-publish of patched stacks does; it returns the
// patched image's layers (diff IDs).
func (p *archPublished) patchRunImage(file, content string) []string {
	p.t.Helper()
	armRef := p.prefix + "/stack-run-python:trixie-arm64"
	ref, err := name.ParseReference(armRef)
	if err != nil {
		p.t.Fatal(err)
	}
	image, err := remote.Image(ref)
	if err != nil {
		p.t.Fatalf("%s: %v", armRef, err)
	}
	var layerTar bytes.Buffer
	w := tar.NewWriter(&layerTar)
	for _, header := range []*tar.Header{
		{Name: "usr/share/onbuild-test/", Typeflag: tar.TypeDir, Mode: 0755},
		{Name: file, Typeflag: tar.TypeReg, Mode: 0644, Size: int64(len(content))},
	} {
		if err := w.WriteHeader(header); err != nil {
			p.t.Fatal(err)
		}
	}
	if _, err := w.Write([]byte(content)); err != nil {
		p.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		p.t.Fatal(err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar.Bytes())), nil
	})
	if err != nil {
		p.t.Fatal(err)
	}
	patched, err := mutate.AppendLayers(image, layer)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := remote.Write(ref, patched); err != nil {
		p.t.Fatalf("push %s: %v", armRef, err)
	}
	if _, err := imageindex.Write(p.prefix+"/stack-run-python:trixie", []string{p.prefix + "/stack-run-python:trixie-amd64", armRef}); err != nil {
		p.t.Fatalf("index of the patched run image: %v", err)
	}
	config, err := patched.ConfigFile()
	if err != nil {
		p.t.Fatal(err)
	}
	var layers []string
	for _, id := range config.RootFS.DiffIDs {
		layers = append(layers, id.String())
	}
	return layers
}

// archPublished is a loopback registry holding `make publish`'s images for
// amd64 and arm64 (trixie only), shared by the specs: publishing takes
// minutes, so the first spec publishes and the others reuse it.
type archPublished struct {
	t         *testing.T
	prefix    string
	packHome  string
	published bool
}

var archRegistry *archPublished

func publishArches(t *testing.T) *archPublished {
	t.Helper()
	p := &archPublished{t: t, prefix: archRegistry.prefix, packHome: archRegistry.packHome}
	if archRegistry.published {
		return p
	}
	script := exec.Command(filepath.Join(root, "builder", "publish.sh"))
	script.Env = append(os.Environ(), "REGISTRY="+p.prefix, "PUBLISH_STACKS=trixie", "PUBLISH_ARCHES=amd64 arm64",
		"PUBLISH_DIR="+t.TempDir(), "PACK_HOME="+p.packHome)
	start := time.Now()
	out, err := script.CombinedOutput()
	if err != nil {
		t.Fatalf("builder/publish.sh: %v\n%s", err, out)
	}
	t.Logf("builder/publish.sh for amd64 and arm64: %s\n%s", time.Since(start).Round(time.Second), out)
	archRegistry.published = true
	return p
}

// tryBuild is `pack build --platform linux/arm64` from the published
// builder, pulling it and the run image for that platform; extra flags
// come last, so they win.
func (p *archPublished) tryBuild(a *app, extra ...string) (string, error) {
	args := append([]string{"build", a.image, "--path", a.dir,
		"--builder", p.prefix + "/builder:latest", "--platform", "linux/arm64",
		"--pull-policy", "always", "--trust-builder",
		"--cache", "type=build;format=volume;name=" + a.image + "-build;type=launch;format=volume;name=" + a.image + "-launch",
	}, extra...)
	cmd := exec.Command(pack, args...)
	cmd.Env = append(os.Environ(), "PACK_HOME="+p.packHome)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	p.t.Logf("pack build %s (emulated): %s", a.image, time.Since(start).Round(time.Second))
	return ansi.ReplaceAllString(string(out), ""), err
}

func (p *archPublished) build(a *app, extra ...string) string {
	p.t.Helper()
	out, err := p.tryBuild(a, extra...)
	if err != nil {
		p.t.Fatalf("pack build: %v\n%s", err, out)
	}
	return out
}

// startArm64 is app.start for an arm64 image: the platform named, so
// docker prints no mismatch warning where the container id should be, and
// one web worker: under emulation each takes tens of seconds to import its
// app, and the default 2×CPUs+1 of them starting at once on a loaded
// machine answer no request for minutes.
func startArm64(a *app) string {
	a.t.Helper()
	return a.run("--platform", "linux/arm64", "-e", "WEB_CONCURRENCY=1")
}

// getArm64 is app.get with the patience emulation needs: the first answer
// waits for the emulated interpreter to start and import the app.
func getArm64(a *app, url string) string {
	a.t.Helper()
	client := http.Client{Timeout: 20 * time.Second}
	start := time.Now()
	deadline := start.Add(5 * time.Minute)
	var lastErr error
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			body, readErr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if readErr == nil && resp.StatusCode == http.StatusOK {
				a.t.Logf("%s answered after %s (emulated)", url, time.Since(start).Round(time.Second))
				return string(body)
			}
			lastErr = fmt.Errorf("status %d, %v: %s", resp.StatusCode, readErr, body)
		} else {
			lastErr = err
		}
		time.Sleep(time.Second)
	}
	logs, _ := exec.Command("docker", "logs", a.containers[len(a.containers)-1]).CombinedOutput()
	a.t.Fatalf("%s did not answer in 5 minutes: %v\ncontainer output:\n%s", url, lastErr, logs)
	return ""
}

// architecture is what `docker image inspect` says of image.
func architecture(t *testing.T, image string) string {
	t.Helper()
	out, err := exec.Command("docker", "image", "inspect", "-f", "{{.Architecture}}", image).CombinedOutput()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v\n%s", image, err, out)
	}
	return strings.TrimSpace(string(out))
}

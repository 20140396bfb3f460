package integration_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/tools/registry"
)

// testRunImage proves the registry builder end to end: only an image
// extension can switch the run image per app, pack runs extensions only with
// --pull-policy always, so builder/builder-registry.sh publishes the builder,
// the stacks and a lifecycle image to a loopback registry, and the builds
// below use exactly the command it prints.
func testRunImage(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	// runImageOf reads the run image an app image was exported on from the
	// lifecycle's label: its name and the top layer it was rebased onto.
	runImageOf := func(image string) (name, topLayer string) {
		out, err := exec.Command("docker", "image", "inspect", "-f", `{{index .Config.Labels "io.buildpacks.lifecycle.metadata"}}`, image).Output()
		Expect(err).NotTo(HaveOccurred())
		var metadata struct {
			RunImage struct {
				Image    string `json:"image"`
				TopLayer string `json:"topLayer"`
			} `json:"runImage"`
		}
		Expect(json.Unmarshal(out, &metadata)).To(Succeed())
		return metadata.RunImage.Image, metadata.RunImage.TopLayer
	}
	topLayerOf := func(image string) string {
		out, err := exec.Command("docker", "image", "inspect", "-f", `{{json .RootFS.Layers}}`, image).Output()
		Expect(err).NotTo(HaveOccurred())
		var layers []string
		Expect(json.Unmarshal(out, &layers)).To(Succeed())
		Expect(layers).NotTo(BeEmpty())
		return layers[len(layers)-1]
	}

	it("puts a Python app on the python run image and a Go app on tiny, from one builder", func() {
		r := publishRegistryBuilder(t)
		pythonRun := r.addr + "/" + pythonRunImage
		tinyRun := r.addr + "/" + tinyRunImage

		// Python: the extension does not detect, the builder's default run
		// image stays. The app has no dependencies: what is under test is
		// where it lands, not pip.
		py := newApp(t, "runimage/python")
		out := r.build(py)
		Expect(out).To(ContainSubstring("onbuild Python"))
		Expect(out).NotTo(ContainSubstring("onbuild run image"))
		name, top := runImageOf(py.image)
		Expect(name).To(Equal(pythonRun))
		Expect(top).To(Equal(topLayerOf(pythonRun)))
		Expect(py.get(py.start() + "/")).To(Equal("hello from python; /bin/sh present: True\n"))

		// Go: onbuild/go builds it, the extension switches it to tiny. As
		// above, no --network host: the lifecycle containers never reach the
		// loopback registry, pack pulls for them. The toolchain download
		// needs this machine's CAs.
		goApp := newApp(t, "runimage/go")
		out = r.build(goApp, caBinding(t)...)
		Expect(out).To(ContainSubstring("onbuild Go"))
		Expect(out).To(ContainSubstring("Run image: " + tinyRun))
		name, top = runImageOf(goApp.image)
		Expect(name).To(Equal(tinyRun))
		Expect(top).To(Equal(topLayerOf(tinyRun)))
		_, err := inImage(goApp.image, "/bin/sh", "-c", "true")
		Expect(err).To(HaveOccurred(), "tiny has no shell")
		Expect(goApp.get(goApp.start() + "/")).To(Equal("hello from go; /bin/sh present: false\n"))

		// A rebuild pulls again (the policy is always) and reuses the rest.
		goApp.write("main.go", strings.Replace(readFile(t, goApp.dir, "main.go"), "hello from go", "hello again", 1))
		out = r.build(goApp, caBinding(t)...)
		Expect(out).To(ContainSubstring("Reusing cached layer"))
		Expect(goApp.get(goApp.start() + "/")).To(Equal("hello again; /bin/sh present: false\n"))
	})
}

// registryBuilder is the builder builder/builder-registry.sh published to a
// registry this test serves, and the build command the script printed.
type registryBuilder struct {
	t        *testing.T
	addr     string
	command  []string // pack's arguments after "build IMAGE"
	packHome string
}

// publishRegistryBuilder serves a registry on a free loopback port, with its
// blobs in a temp dir, and runs builder/builder-registry.sh against it. The
// tags the test leaves in Docker (the pushes and pack's pulls) go with it.
func publishRegistryBuilder(t *testing.T) *registryBuilder {
	t.Helper()
	srv, err := registry.Listen(registry.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("start the registry: %v", err)
	}
	r := &registryBuilder{t: t, addr: srv.Addr(), packHome: t.TempDir()}
	tags := func() []string {
		out, _ := exec.Command("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").Output()
		return strings.Fields(string(out))
	}
	before := tags()
	t.Cleanup(func() {
		_ = srv.Close()
		for _, tag := range tags() {
			// pack v0.40.6 leaves a pack.local/run-image/<random> tag behind
			// for every build whose run image an extension switched.
			leaked := strings.HasPrefix(tag, "pack.local/run-image/") && !slices.Contains(before, tag)
			if strings.HasPrefix(tag, r.addr+"/") || leaked {
				_ = exec.Command("docker", "image", "rm", tag).Run()
			}
		}
	})

	script := exec.Command(filepath.Join("..", "builder", "builder-registry.sh"))
	script.Env = append(os.Environ(), "ONBUILD_REGISTRY="+r.addr, "STACK="+flavour.name)
	var stderr strings.Builder
	script.Stderr = &stderr
	start := time.Now()
	stdout, err := script.Output()
	if err != nil {
		t.Fatalf("builder/builder-registry.sh: %v\n%s%s", err, stderr.String(), stdout)
	}
	t.Logf("builder/builder-registry.sh: %s\n%s", time.Since(start).Round(100*time.Millisecond), stderr.String())

	// The first "pack build IMAGE ..." line is the command users are told.
	for _, line := range strings.Split(string(stdout), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 3 && fields[0] == "pack" && fields[1] == "build" && fields[2] == "IMAGE" {
			r.command = fields[3:]
			break
		}
	}
	if len(r.command) == 0 {
		t.Fatalf("builder/builder-registry.sh printed no pack build command:\n%s", stdout)
	}
	for _, want := range []string{"--builder", registryBuilderName(r.addr), "--pull-policy", "always"} {
		if !slices.Contains(r.command, want) {
			t.Fatalf("the printed command %q lacks %q", r.command, want)
		}
	}
	return r
}

// build runs the printed command on the app, with a private PACK_HOME so the
// user's pack configuration is neither read nor written, and the app's
// cache volumes named for newApp's cleanup.
func (r *registryBuilder) build(a *app, extra ...string) string {
	r.t.Helper()
	args := append([]string{"build", a.image, "--path", a.dir}, r.command...)
	args = append(args,
		"--cache", fmt.Sprintf("type=build;format=volume;name=%s-build;type=launch;format=volume;name=%s-launch", a.image, a.image))
	args = append(args, extra...)
	cmd := exec.Command(pack, args...)
	cmd.Env = append(os.Environ(), "PACK_HOME="+r.packHome)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r.t.Logf("pack build %s on %s: %s", a.image, r.addr, time.Since(start).Round(100*time.Millisecond))
	text := ansi.ReplaceAllString(string(out), "")
	if err != nil {
		r.t.Fatalf("pack %s: %v\n%s", strings.Join(args, " "), err, text)
	}
	return text
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	content, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

// registryBuilderName is where builder/builder-registry.sh publishes the
// builder of the flavour under test.
func registryBuilderName(addr string) string {
	if flavour.name == "trixie" {
		return addr + "/onbuild/builder"
	}
	return addr + "/onbuild/builder:" + flavour.name
}

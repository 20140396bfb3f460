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

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/builder/kpack"
	"github.com/onbuild-buildpacks/onbuild/tools/registry"
)

// testPublish is what a platform team does with `make publish`: stacks,
// buildpackages and the builder in their registry, kpack resources that
// name them, builds from there (to the daemon or --publish with a cache
// image) and a rebase onto a patched run image.
func testPublish(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("publishes every image the kpack resources name, labelled as kpack requires", func() {
		p := publish(t)

		resources, err := kpack.Load(filepath.Join(p.dir, "kpack"))
		Expect(err).NotTo(HaveOccurred())
		Expect(kpack.Check(resources, p.prefix)).To(Succeed())
		storeIDs := map[string]bool{}
		var orderIDs []string
		for _, r := range resources {
			for _, image := range kpack.Pulls(r) {
				Expect(p.config(image)).NotTo(BeNil(), image)
			}
			switch r.Kind {
			case "ClusterStack":
				// kpack's stack reconciler: both ids equal spec.id, the
				// build image names the user, the run image can be rebased.
				build := p.config(r.Spec.BuildImage.Image).Config
				Expect(build.Labels).To(HaveKeyWithValue("io.buildpacks.stack.id", r.Spec.ID))
				Expect(build.Env).To(ContainElements("CNB_USER_ID=1000", "CNB_GROUP_ID=1000"))
				run := p.config(r.Spec.RunImage.Image).Config
				Expect(run.Labels).To(HaveKeyWithValue("io.buildpacks.stack.id", r.Spec.ID))
				Expect(run.Labels).To(HaveKeyWithValue("io.buildpacks.rebasable", "true"))
				// One stack per flavour and image pair, the images of its flavour.
				f := strings.TrimPrefix(r.Spec.ID, "io.onbuild.stacks.")
				Expect(flavours).To(HaveKey(f), r.Spec.ID)
				Expect(r.Spec.BuildImage.Image).To(HaveSuffix(":"+f), r.Metadata.Name)
				Expect(r.Spec.RunImage.Image).To(HaveSuffix(":"+f), r.Metadata.Name)
			case "ClusterStore":
				for _, source := range r.Spec.Sources {
					labels := p.config(source.Image).Config.Labels
					Expect(labels).To(HaveKey("io.buildpacks.buildpack.layers"), source.Image)
					var metadata struct {
						ID string `json:"id"`
					}
					Expect(json.Unmarshal([]byte(labels["io.buildpacks.buildpackage.metadata"]), &metadata)).To(Succeed(), source.Image)
					Expect(source.Image).To(ContainSubstring("/buildpacks/" + strings.TrimPrefix(metadata.ID, "onbuild/") + ":"))
					storeIDs[metadata.ID] = true
				}
			case "ClusterBuilder":
				for _, order := range r.Spec.Order {
					for _, bp := range order.Group {
						orderIDs = append(orderIDs, bp.ID)
					}
				}
			}
		}
		Expect(orderIDs).NotTo(BeEmpty())
		for _, id := range orderIDs {
			Expect(storeIDs).To(HaveKey(id), "a ClusterBuilder orders a buildpack no store source provides")
		}
		// The composite carries its components: the builder needs no other.
		layers := p.config(p.prefix + "/buildpacks/onbuild:0.1.0").Config.Labels["io.buildpacks.buildpack.layers"]
		for _, id := range []string{"onbuild/onbuild", "onbuild/python", "onbuild/go", "onbuild/vcs", "onbuild/ca-certificates", "onbuild/pre-build-hook", "onbuild/build-hook"} {
			Expect(layers).To(ContainSubstring(`"`+id+`"`), "the composite buildpackage lacks "+id)
		}

		var builderMetadata struct {
			Stack struct {
				RunImage struct {
					Image   string   `json:"image"`
					Mirrors []string `json:"mirrors"`
				} `json:"runImage"`
			} `json:"stack"`
		}
		// builder:latest is the default flavour's, builder:F each flavour's.
		for tag, f := range map[string]string{"latest": "trixie", "trixie": "trixie", "bookworm": "bookworm"} {
			builder := p.config(p.prefix + "/builder:" + tag).Config.Labels
			Expect(builder).To(HaveKeyWithValue("io.buildpacks.stack.id", "io.onbuild.stacks."+f), tag)
			Expect(json.Unmarshal([]byte(builder["io.buildpacks.builder.metadata"]), &builderMetadata)).To(Succeed())
			Expect(builderMetadata.Stack.RunImage.Image).To(Equal(p.prefix+"/stack-run-python:"+f), tag)
			Expect(builderMetadata.Stack.RunImage.Mirrors).To(Equal([]string{p.mirror + "/stack-run-python:" + f}), tag)
		}

		// Bad input names the variable and the fix.
		for value, want := range map[string]string{
			"":                 "REGISTRY is not set: run `make publish REGISTRY=host:port/prefix`",
			"127.0.0.1:5000":   "REGISTRY=127.0.0.1:5000 is not host[:port]/prefix",
			"Host:5000/Prefix": "REGISTRY=Host:5000/Prefix is not host[:port]/prefix",
		} {
			cmd := exec.Command(filepath.Join("..", "builder", "publish.sh"))
			cmd.Env = append(os.Environ(), "REGISTRY="+value)
			out, err := cmd.CombinedOutput()
			Expect(err).To(HaveOccurred(), value)
			Expect(string(out)).To(ContainSubstring(want))
		}
	})

	it("builds to the daemon from the published builder, then rebases the app onto a patched run image", func() {
		p := publish(t, "trixie")
		a := newApp(t, "runimage/python")
		p.pack("build", a.image, "--builder", p.prefix+"/builder:latest", "--path", a.dir,
			"--pull-policy", "if-not-present", "--trust-builder",
			"--cache", fmt.Sprintf("type=build;format=volume;name=%s-build;type=launch;format=volume;name=%s-launch", a.image, a.image))
		runImage := p.prefix + "/stack-run-python:trixie"
		Expect(a.get(a.start() + "/")).To(Equal("hello from python; /bin/sh present: True\n"))
		before := rootFSLayers(t, a.image)
		runLayers := rootFSLayers(t, runImage)
		Expect(before[:len(runLayers)]).To(Equal(runLayers), "the app is not on "+runImage)
		appLayers := before[len(runLayers):]

		// Under the same name: lifecycle 0.20 rebases onto another name
		// only with --force, which skips its checks.
		patched := runImage
		patchRunImage(t, runImage)
		patchedLayers := rootFSLayers(t, patched)
		Expect(patchedLayers).To(HaveLen(len(runLayers) + 1))

		p.pack("rebase", a.image, "--run-image", patched, "--pull-policy", "never")
		after := rootFSLayers(t, a.image)
		Expect(after[:len(patchedLayers)]).To(Equal(patchedLayers))
		Expect(after[len(patchedLayers):]).To(Equal(appLayers), "rebase must keep every app layer as it was")
		_, top := lifecycleRunImage(t, a.image)
		Expect(top).To(Equal(patchedLayers[len(patchedLayers)-1]))
		Expect(inImage(a.image, "/bin/sh", "-c", "read line </etc/onbuild-patch; echo $line")).To(Equal("patched\n"))
		Expect(a.get(a.start() + "/")).To(Equal("hello from python; /bin/sh present: True\n"))
	})

	it("publishes an app with --publish and a cache image, on the run image mirror of the app's registry", func() {
		p := publish(t, "trixie")
		// A venv that the cache image must bring back, and no gunicorn: the
		// start command is not under test.
		a := newApp(t, "runimage/python")
		a.write("requirements.txt", "markupsafe==2.1.5\n")
		image := p.mirror + "/apps/" + a.image
		cache := image + "-cache"
		build := func() string {
			// The lifecycle containers push to 127.0.0.1 themselves: host network.
			return p.pack("build", image, "--builder", p.prefix+"/builder:latest", "--path", a.dir,
				"--publish", "--cache-image", cache, "--network", "host",
				"--pull-policy", "if-not-present", "--trust-builder",
				"--env", "PIP_INDEX_URL="+index.URL(), "--env", "PIP_TRUSTED_HOST=127.0.0.1")
		}
		out := build()
		Expect(out).To(ContainSubstring("Python virtualenv: Contributing to layer"))
		Expect(p.config(cache)).NotTo(BeNil())
		// pack picks the builder's run image mirror in the registry the app
		// goes to, so pulling the app needs no other registry.
		var metadata struct {
			RunImage struct {
				Reference string `json:"reference"`
			} `json:"runImage"`
		}
		Expect(json.Unmarshal([]byte(p.config(image).Config.Labels["io.buildpacks.lifecycle.metadata"]), &metadata)).To(Succeed())
		Expect(metadata.RunImage.Reference).To(HavePrefix(p.mirror + "/stack-run-python@sha256:"))

		// A fresh machine has only the cache image: the venv comes from it.
		a.write("app.py", strings.Replace(readFile(t, a.dir, "app.py"), "hello from python", "hello again", 1))
		out = build()
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))
		Expect(out).NotTo(ContainSubstring("Collecting"))

		// Rebase in the registry: the patched run image pushed under its
		// tag, the app rewritten there with every app layer as it was.
		mirrorRun := p.mirror + "/stack-run-python:trixie"
		runBefore := p.config(mirrorRun).RootFS.DiffIDs
		appBefore := p.config(image).RootFS.DiffIDs
		Expect(appBefore[:len(runBefore)]).To(Equal(runBefore))
		patchRunImage(t, mirrorRun)
		push, err := exec.Command("docker", "push", "-q", mirrorRun).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(push))
		p.pack("rebase", image, "--publish")
		runAfter := p.config(mirrorRun).RootFS.DiffIDs
		Expect(runAfter).To(HaveLen(len(runBefore) + 1))
		appAfter := p.config(image).RootFS.DiffIDs
		Expect(appAfter[:len(runAfter)]).To(Equal(runAfter))
		Expect(appAfter[len(runAfter):]).To(Equal(appBefore[len(runBefore):]))

		pull, err := exec.Command("docker", "pull", "-q", image).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(pull))
		Expect(inImage(image, "/bin/sh", "-c", "read line </etc/onbuild-patch; echo $line")).To(Equal("patched\n"))
		published := &app{t: t, image: image}
		Expect(published.get(published.start() + "/")).To(Equal("hello again; /bin/sh present: True\n"))
	})
}

// published is a registry builder/publish.sh pushed to, with a second one
// for run image mirrors.
type published struct {
	t        *testing.T
	prefix   string // REGISTRY
	mirror   string // PUBLISH_MIRRORS
	dir      string // PUBLISH_DIR
	packHome string
}

// publish serves two registries on free loopback ports, with their blobs in
// temp dirs, and runs builder/publish.sh against them. The tags the test
// leaves in Docker (the pushes and pack's pulls) go with them.
// It publishes the stack flavours given (PUBLISH_STACKS), every one when
// none is: the other specs need only the default builder.
func publish(t *testing.T, flavours ...string) *published {
	t.Helper()
	var addrs []string
	for range 2 {
		srv, err := registry.Listen(registry.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatalf("start a registry: %v", err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		addrs = append(addrs, srv.Addr())
	}
	p := &published{t: t, prefix: addrs[0] + "/onbuild", mirror: addrs[1] + "/mirror", dir: t.TempDir(), packHome: t.TempDir()}
	t.Cleanup(func() {
		// Tags, and the digest references pushes and pulls leave on the
		// shared stack images (a retagged run image keeps them as <none>).
		out, _ := exec.Command("docker", "image", "ls", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}").Output()
		for _, ref := range strings.Fields(string(out)) {
			if strings.HasSuffix(ref, ":<none>") || strings.HasSuffix(ref, "@<none>") {
				continue
			}
			if slices.ContainsFunc(addrs, func(addr string) bool { return strings.HasPrefix(ref, addr+"/") }) {
				_ = exec.Command("docker", "image", "rm", ref).Run()
			}
		}
	})

	script := exec.Command(filepath.Join("..", "builder", "publish.sh"))
	script.Env = append(os.Environ(), "REGISTRY="+p.prefix, "PUBLISH_MIRRORS="+p.mirror, "PUBLISH_DIR="+p.dir, "PACK_HOME="+p.packHome,
		"PUBLISH_STACKS="+strings.Join(flavours, " "))
	start := time.Now()
	out, err := script.CombinedOutput()
	if err != nil {
		t.Fatalf("builder/publish.sh: %v\n%s", err, out)
	}
	t.Logf("builder/publish.sh: %s\n%s", time.Since(start).Round(100*time.Millisecond), out)
	for _, ref := range []string{"stack-build:trixie", "stack-run-python:trixie", "stack-run-tiny:trixie", "buildpacks/onbuild:0.1.0", "builder:latest"} {
		t.Logf("%s: %s compressed", ref, p.size(p.prefix+"/"+ref))
	}
	return p
}

// config reads an image's config from the registry; a missing image fails.
func (p *published) config(ref string) *v1.ConfigFile {
	p.t.Helper()
	image := p.image(ref)
	config, err := image.ConfigFile()
	if err != nil {
		p.t.Fatalf("config of %s: %v", ref, err)
	}
	return config
}

func (p *published) image(ref string) v1.Image {
	p.t.Helper()
	parsed, err := name.ParseReference(ref)
	if err != nil {
		p.t.Fatalf("parse %s: %v", ref, err)
	}
	image, err := remote.Image(parsed)
	if err != nil {
		p.t.Fatalf("%s is not in the registry: %v", ref, err)
	}
	return image
}

// size is the sum of an image's compressed layers, what a pull transfers.
func (p *published) size(ref string) string {
	manifest, err := p.image(ref).Manifest()
	if err != nil {
		p.t.Fatalf("manifest of %s: %v", ref, err)
	}
	var total int64
	for _, layer := range manifest.Layers {
		total += layer.Size
	}
	return fmt.Sprintf("%.1f MB", float64(total)/1e6)
}

// pack runs pack with the test's own PACK_HOME and returns its output.
func (p *published) pack(args ...string) string {
	p.t.Helper()
	cmd := exec.Command(pack, args...)
	cmd.Env = append(os.Environ(), "PACK_HOME="+p.packHome)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	p.t.Logf("pack %s %s: %s", args[0], args[1], time.Since(start).Round(100*time.Millisecond))
	text := ansi.ReplaceAllString(string(out), "")
	if err != nil {
		p.t.Fatalf("pack %s: %v\n%s", strings.Join(args, " "), err, text)
	}
	return text
}

// patchRunImage rebuilds the local run image ref with one more file and the
// same labels, the way a stack rebuilt with a newer package arrives.
func patchRunImage(t *testing.T, ref string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "patch"), []byte("patched\n"), 0644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("docker", "build", "-q", "-t", ref, "-f", "-", dir)
	build.Stdin = strings.NewReader("FROM " + ref + "\nCOPY patch /etc/onbuild-patch\n")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("patch %s: %v\n%s", ref, err, out)
	}
}

func rootFSLayers(t *testing.T, image string) []string {
	t.Helper()
	out, err := exec.Command("docker", "image", "inspect", "-f", "{{json .RootFS.Layers}}", image).Output()
	if err != nil {
		t.Fatalf("inspect %s: %v", image, err)
	}
	var layers []string
	if err := json.Unmarshal(out, &layers); err != nil {
		t.Fatal(err)
	}
	return layers
}

// lifecycleRunImage reads the run image an app image is on from the
// lifecycle's label, which pack rebase rewrites.
func lifecycleRunImage(t *testing.T, image string) (reference, topLayer string) {
	t.Helper()
	out, err := exec.Command("docker", "image", "inspect", "-f", `{{index .Config.Labels "io.buildpacks.lifecycle.metadata"}}`, image).Output()
	if err != nil {
		t.Fatalf("inspect %s: %v", image, err)
	}
	var metadata struct {
		RunImage struct {
			Reference string `json:"reference"`
			TopLayer  string `json:"topLayer"`
		} `json:"runImage"`
	}
	if err := json.Unmarshal(out, &metadata); err != nil {
		t.Fatal(err)
	}
	return metadata.RunImage.Reference, metadata.RunImage.TopLayer
}

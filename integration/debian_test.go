package integration_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// statusDir is where the run images keep one dpkg record per package, as
// distroless images do, for scanners (stacks/build.sh).
const statusDir = "var/lib/dpkg/status.d/"

// debianPackages reads an image the way a scanner does: from `docker save`,
// every layer in order, the status.d records of the packages (a later
// layer's record wins). It returns package -> version.
func debianPackages(t *testing.T, image string) map[string]string {
	t.Helper()
	files := savedFiles(t, image, func(name string) bool {
		return strings.HasPrefix(name, statusDir) && len(name) > len(statusDir)
	})
	packages := map[string]string{}
	for name, content := range files {
		var pkg, version string
		scanner := bufio.NewScanner(bytes.NewReader(content))
		for scanner.Scan() {
			if v, ok := strings.CutPrefix(scanner.Text(), "Package: "); ok {
				pkg = v
			}
			if v, ok := strings.CutPrefix(scanner.Text(), "Version: "); ok {
				version = v
			}
		}
		if pkg == "" || version == "" || path.Base(name) != pkg {
			t.Fatalf("%s: %s is not a dpkg record of a package of that name", image, name)
		}
		packages[pkg] = version
	}
	return packages
}

// savedFiles returns the files of IMAGE's filesystem that keep says to,
// layer by layer from `docker save`, whiteouts applied.
func savedFiles(t *testing.T, image string, keep func(name string) bool) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	save := exec.Command("docker", "save", "-o", filepath.Join(dir, "image.tar"), image)
	if out, err := save.CombinedOutput(); err != nil {
		t.Fatalf("docker save %s: %v\n%s", image, err, out)
	}
	archive, err := os.Open(filepath.Join(dir, "image.tar"))
	if err != nil {
		t.Fatal(err)
	}
	defer archive.Close()
	// docker save of engine 20.10: manifest.json names the layers in order.
	blobs := map[string][]byte{}
	var manifest []struct{ Layers []string }
	outer := tar.NewReader(archive)
	for {
		header, err := outer.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(outer)
		if err != nil {
			t.Fatal(err)
		}
		if header.Name == "manifest.json" {
			if err := json.Unmarshal(content, &manifest); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if strings.HasSuffix(header.Name, ".tar") {
			blobs[header.Name] = content
		}
	}
	if len(manifest) != 1 {
		t.Fatalf("docker save %s: %d images in manifest.json", image, len(manifest))
	}
	files := map[string][]byte{}
	for _, layer := range manifest[0].Layers {
		inner := tar.NewReader(bytes.NewReader(blobs[layer]))
		for {
			header, err := inner.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: layer %s: %v", image, layer, err)
			}
			name := strings.TrimPrefix(header.Name, "./")
			if base := path.Base(name); strings.HasPrefix(base, ".wh.") {
				delete(files, path.Join(path.Dir(name), strings.TrimPrefix(base, ".wh.")))
				continue
			}
			if header.Typeflag != tar.TypeReg || !keep(name) {
				continue
			}
			content, err := io.ReadAll(inner)
			if err != nil {
				t.Fatal(err)
			}
			files[name] = content
		}
	}
	return files
}

// sbomPackages reads the run image's CycloneDX SBOM out of an image:
// package -> version.
func sbomPackages(t *testing.T, image string) map[string]string {
	t.Helper()
	const sbom = "usr/share/onbuild/sbom.cdx.json"
	files := savedFiles(t, image, func(name string) bool { return name == sbom })
	var bom struct {
		BOMFormat  string `json:"bomFormat"`
		Components []struct {
			Name, Version, Purl string
		} `json:"components"`
	}
	if err := json.Unmarshal(files[sbom], &bom); err != nil || bom.BOMFormat != "CycloneDX" {
		t.Fatalf("%s: /%s is not a CycloneDX SBOM: %v", image, sbom, err)
	}
	packages := map[string]string{}
	for _, c := range bom.Components {
		if !strings.HasPrefix(c.Purl, "pkg:deb/debian/"+c.Name+"@"+c.Version+"?") {
			t.Fatalf("%s: SBOM component %s %s has the purl %s", image, c.Name, c.Version, c.Purl)
		}
		packages[c.Name] = c.Version
	}
	return packages
}

// testRebase: a run image rebuilt with the -updates and -security suites
// carries newer Debian packages than the release alone, and pack rebase
// moves an app onto it without touching the app's layers.
func testRebase(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("rebases an app from the release's python run image onto the one with Debian's updates", func() {
		// The flavour's release as it was: STACKS_UPDATES=0 tags it FLAVOUR-base.
		// The python image: a release's point release already has the few
		// packages of tiny, but rarely every library python needs.
		script := exec.Command(filepath.Join(root, "stacks", "build.sh"), "run-python")
		script.Env = append(os.Environ(), "STACK="+flavour.name, "STACKS_UPDATES=0")
		out, err := script.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		base := "onbuild/stack-run-python:" + flavour.name + "-base"

		released, updated := debianPackages(t, base), debianPackages(t, pythonRunImage)
		var changed []string
		for pkg, version := range updated {
			if released[pkg] != "" && released[pkg] != version {
				changed = append(changed, pkg)
			}
		}
		Expect(changed).NotTo(BeEmpty(), "no package of %s differs from %s: %v / %v", pythonRunImage, base, released, updated)
		t.Logf("updated since the release: %v", changed)

		// The app's run image is a name of its own, so retagging it here
		// touches no shared image.
		suffix := make([]byte, 4)
		_, err = rand.Read(suffix)
		Expect(err).NotTo(HaveOccurred())
		runImage := "onbuild-test-run-" + hex.EncodeToString(suffix)
		t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", runImage).Run() })
		Expect(exec.Command("docker", "tag", base, runImage).Run()).To(Succeed())

		a := newApp(t, "runimage/python")
		a.mustBuild("--run-image", runImage)
		before := rootFSLayers(t, a.image)
		baseLayers := rootFSLayers(t, base)
		Expect(before[:len(baseLayers)]).To(Equal(baseLayers))
		appLayers := before[len(baseLayers):]
		Expect(debianPackages(t, a.image)).To(Equal(released))

		Expect(exec.Command("docker", "tag", pythonRunImage, runImage).Run()).To(Succeed())
		rebase, err := exec.Command(pack, "rebase", a.image, "--pull-policy", "never").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(rebase))

		after := rootFSLayers(t, a.image)
		updatedLayers := rootFSLayers(t, pythonRunImage)
		Expect(after[:len(updatedLayers)]).To(Equal(updatedLayers))
		Expect(after[len(updatedLayers):]).To(Equal(appLayers), "rebase must keep every app layer as it was")
		Expect(debianPackages(t, a.image)).To(Equal(updated))
		Expect(a.get(a.start() + "/")).To(Equal("hello from python; /bin/sh present: True\n"))
	})
}

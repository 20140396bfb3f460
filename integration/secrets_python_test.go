package integration_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

// testSecretsPython builds apps that install from an index needing a
// password, and looks for that password everywhere a build leaves text: its
// log, the image's configuration and labels, and every file of every layer.
func testSecretsPython(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		password string
		private  *pyindex.Server
		// withPassword is the private index's URL with its credentials.
		withPassword string
	)

	it.Before(func() {
		random := make([]byte, 12)
		_, err := rand.Read(random)
		Expect(err).NotTo(HaveOccurred())
		password = "pw" + hex.EncodeToString(random)
		private, err = pyindex.Listen(index.Dir(), pyindex.ServeOptions{User: "onbuild", Password: password})
		Expect(err).NotTo(HaveOccurred())
		u, err := url.Parse(private.URL())
		Expect(err).NotTo(HaveOccurred())
		u.User = url.UserPassword("onbuild", password)
		withPassword = u.String()
	})

	it.After(func() {
		Expect(private.Close()).To(Succeed())
	})

	it("keeps a password in PIP_INDEX_URL out of the log, the image's labels and every layer", func() {
		a := newApp(t, "python/private-index")
		out, err := buildWithoutIndex(a, "--env", "PIP_INDEX_URL="+withPassword)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(private.Downloads("flask")).To(Equal(1), "pip must have used the private index")
		Expect(out).NotTo(ContainSubstring(password))
		Expect(a.get(a.start() + "/")).To(Equal("Hello from a private index"))

		config := imageConfig(t, a.image)
		Expect(config).To(ContainSubstring(`PIP_INDEX_URL`), "the venv key still names the setting")
		Expect(config).NotTo(ContainSubstring(password))
		expectNotInLayers(t, a.image, password)

		// A failed install's message names the index, without its password.
		a.write("requirements.txt", "flask\nnosuchpkg==1.0\n")
		out, err = buildWithoutIndex(a, "--env", "PIP_INDEX_URL="+withPassword)
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Python package not found]"))
		Expect(out).To(ContainSubstring("pip could not find nosuchpkg==1.0 on " + strings.Replace(withPassword, password, "xxxxx", 1)))
		Expect(out).NotTo(ContainSubstring(password))
	})

	it("gives pip the pip.conf of a pip binding where it is mounted, and keeps it out of the image", func() {
		a := newApp(t, "python/private-index")
		conf := "[global]\nindex-url = " + withPassword + "\ntrusted-host = 127.0.0.1\n"
		pipBinding := binding(t, "private-index", "pip", map[string][]byte{"pip.conf": []byte(conf)})
		out, err := buildWithoutIndex(a, pipBinding...)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("pip reads its configuration from binding private-index (pip)"))
		Expect(private.Downloads("flask")).To(Equal(1), "pip must have read the binding's index")
		Expect(out).NotTo(ContainSubstring(password))

		config := imageConfig(t, a.image)
		Expect(config).To(ContainSubstring(`pip binding`), "the venv key holds the binding's digest")
		Expect(config).NotTo(ContainSubstring(password))
		Expect(config).NotTo(ContainSubstring("/platform/bindings"))
		expectNotInLayers(t, a.image, password)

		// A changed pip.conf is a changed key: the venv is rebuilt.
		conf += "# another mirror, say\n"
		pipBinding = binding(t, "private-index", "pip", map[string][]byte{"pip.conf": []byte(conf)})
		out, err = buildWithoutIndex(a, pipBinding...)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("pip binding changed"))
		Expect(out).NotTo(ContainSubstring(password))
	})
}

// buildWithoutIndex is app.build without the shared index: pip's
// environment variables win over its configuration file, so a pip.conf
// binding is only read when PIP_INDEX_URL is not set.
func buildWithoutIndex(a *app, extra ...string) (string, error) {
	args := append([]string{
		"build", a.image,
		"--builder", builder, "--path", a.dir,
		"--pull-policy", "never", "--trust-builder", "--network", "host",
		"--cache", fmt.Sprintf("type=build;format=volume;name=%s-build;type=launch;format=volume;name=%s-launch", a.image, a.image),
		"--env", "PIP_TRUSTED_HOST=127.0.0.1",
	}, extra...)
	start := time.Now()
	out, err := exec.Command(pack, args...).CombinedOutput()
	a.t.Logf("pack build %s: %s", a.image, time.Since(start).Round(100*time.Millisecond))
	return ansi.ReplaceAllString(string(out), ""), err
}

// imageConfig is docker inspect's view of an image: its environment,
// labels (with the lifecycle's metadata, where the venv key ends up) and
// history.
func imageConfig(t *testing.T, image string) string {
	t.Helper()
	out, err := exec.Command("docker", "image", "inspect", image).CombinedOutput()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v\n%s", image, err, out)
	}
	// The label is JSON inside JSON: unescape its quotes to search it.
	return strings.ReplaceAll(string(out), `\"`, `"`)
}

// expectNotInLayers saves the image and looks for secret in every file of
// the archive and of every layer in it. It also looks for a string every
// Flask image holds, so a scan that reads nothing cannot pass.
func expectNotInLayers(t *testing.T, image, secret string) {
	t.Helper()
	saved := filepath.Join(t.TempDir(), "image.tar")
	if out, err := exec.Command("docker", "image", "save", "-o", saved, image).CombinedOutput(); err != nil {
		t.Fatalf("docker image save %s: %v\n%s", image, err, out)
	}
	archive, err := os.Open(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer archive.Close()
	var found, layers []string
	control := false
	entries := tar.NewReader(archive)
	for {
		header, err := entries.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", saved, err)
		}
		if header.Typeflag != tar.TypeReg {
			continue
		}
		content, err := io.ReadAll(entries)
		if err != nil {
			t.Fatal(err)
		}
		// An engine with the containerd image store saves layers gzipped.
		if bytes.HasPrefix(content, []byte{0x1f, 0x8b}) {
			unzipped, err := gzip.NewReader(bytes.NewReader(content))
			if err != nil {
				t.Fatalf("read %s in %s: %v", header.Name, saved, err)
			}
			if content, err = io.ReadAll(unzipped); err != nil {
				t.Fatalf("read %s in %s: %v", header.Name, saved, err)
			}
		}
		if bytes.Contains(content, []byte(secret)) {
			found = append(found, header.Name)
		}
		files := tar.NewReader(bytes.NewReader(content))
		first, err := files.Next()
		if err != nil || first == nil {
			continue // the manifest, the config: not a layer
		}
		layers = append(layers, header.Name)
		for file := first; err == nil; file, err = files.Next() {
			data, readErr := io.ReadAll(files)
			if readErr != nil {
				t.Fatalf("read %s in layer %s: %v", file.Name, header.Name, readErr)
			}
			if bytes.Contains(data, []byte(secret)) {
				found = append(found, header.Name+":"+file.Name)
			}
			if flaskApp.MatchString(file.Name) && bytes.Contains(data, []byte("class Flask")) {
				control = true
			}
		}
	}
	if len(layers) == 0 || !control {
		t.Fatalf("the scan of %s read %d layers and did not find Flask's source: it cannot be trusted", image, len(layers))
	}
	if len(found) > 0 {
		t.Fatalf("the secret is in %s: %s", image, strings.Join(found, ", "))
	}
}

var flaskApp = regexp.MustCompile(`site-packages/flask/app\.py$`)

package integration_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// testSecrets hands a build every kind of secret onbuild promises to keep
// (a netrc binding, a git-credentials binding, a GOPROXY password, a hook's
// build-only export) and looks for each in the build log, in docker inspect
// and in every layer of docker save.
func testSecrets(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	secret := func(kind string) string {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return kind + "-" + hex.EncodeToString(b)
	}

	it("keeps netrc, git credentials and a hook's build-only token out of the log and the image", func() {
		netrcPassword, gitToken, hookToken := secret("netrcpw"), secret("gittoken"), secret("hooktoken")
		a := newApp(t, "secrets/python")
		args := append(binding(t, "index-login", "netrc", map[string][]byte{
			"netrc": []byte("machine index.invalid login me password " + netrcPassword + "\n"),
		}), binding(t, "git-login", "git-credentials", map[string][]byte{
			"credentials": []byte("https://me:" + gitToken + "@git.invalid\n"),
		})...)
		out := a.mustBuild(append(args, "--env", "TOKEN_SEED="+hookToken)...)

		Expect(out).To(ContainSubstring("pip reads NETRC from the netrc binding (/platform/bindings/index-login/netrc)"))
		Expect(out).To(ContainSubstring("The git-credentials binding is for git only"))
		Expect(out).To(ContainSubstring("Exported to later build steps only (not in the image): INDEX_TOKEN"))
		Expect(out).To(ContainSubstring("Exported to later build steps and the app (in the image): SHIPPED_VAR"))
		Expect(out).To(ContainSubstring("build: INDEX_TOKEN is set"))
		Expect(a.get(a.start())).To(Equal("ok\n"))

		inspect, err := exec.Command("docker", "inspect", a.image).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(inspect))
		layers := savedLayers(t, a.image)
		// The search works: the export that ships is found in a layer.
		Expect(layers).To(ContainElement(WithTransform(func(content []byte) bool {
			return bytes.Contains(content, []byte("SHIPPED_VAR.override"))
		}, BeTrue())))
		for _, s := range []string{netrcPassword, gitToken, hookToken} {
			Expect(out).NotTo(ContainSubstring(s), "build log")
			Expect(string(inspect)).NotTo(ContainSubstring(s), "docker inspect")
			for name, content := range layers {
				Expect(bytes.Contains(content, []byte(s))).To(BeFalse(), "%s is in %s of docker save", s, name)
			}
		}
	})

	it("never shows a GOPROXY password, in the log or in the failure", func() {
		password := secret("goproxypw")
		a := newApp(t, "go/web")
		// Nothing listens on port 1: the toolchain download fails there.
		out, err := a.build("--run-image", tinyRunImage, "--env", "GOPROXY=direct|http://me:"+password+"@127.0.0.1:1/go,off")
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Go toolchain download failed]"))
		Expect(out).To(ContainSubstring("http://me:xxxxx@127.0.0.1:1/go/golang.org/toolchain"))
		Expect(out).NotTo(ContainSubstring(password))
	})

	it("does not wait for a process a hook leaves running: it stops it and says so", func() {
		a := newApp(t, "secrets/python")
		start := time.Now()
		out := a.mustBuild("--env", "TOKEN_SEED=not-a-secret", "--env", "LEAVE_SLEEPER=1")
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Minute))
		Expect(out).To(ContainSubstring("pre-build: left sleep 1000 running"))
		Expect(dedent(out)).To(MatchRegexp(`Warning: \.cnb/action_hooks/pre-build left 1 process\(es\) running when it exited; onbuild stopped them:\n\d+ sleep 1000\n`))
		Expect(out).To(ContainSubstring("build: INDEX_TOKEN is set"))
	})
}

// savedLayers returns every file of `docker save` for image, each layer
// tar decompressed when it is gzipped, by its name in the archive.
func savedLayers(t *testing.T, image string) map[string][]byte {
	t.Helper()
	file := filepath.Join(t.TempDir(), "image.tar")
	if out, err := exec.Command("docker", "save", "-o", file, image).CombinedOutput(); err != nil {
		t.Fatalf("docker save %s: %v\n%s", image, err, out)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := map[string][]byte{}
	archive := tar.NewReader(f)
	for {
		header, err := archive.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("read docker save of %s: %v", image, err)
		}
		if header.Typeflag != tar.TypeReg {
			continue
		}
		content, err := io.ReadAll(archive)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(content, []byte{0x1f, 0x8b}) {
			if z, err := gzip.NewReader(bytes.NewReader(content)); err == nil {
				if unzipped, err := io.ReadAll(z); err == nil {
					content = unzipped
				}
			}
		}
		files[strings.TrimPrefix(header.Name, "./")] = content
	}
}

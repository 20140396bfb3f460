package integration_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// testPythonVersions builds apps declaring a Python the stack does not
// have: onbuild/python downloads the pinned python-build-standalone build
// (from the Go module proxy the builder defaults to, over HTTPS, hence the
// CA binding) into the python layer and makes the venv from it.
func testPythonVersions(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	// fromStack is how a build says the stack's Python did not fit.
	fromStack := regexp.MustCompile(`\(python-build-standalone\): the (trixie|bookworm) stack has 3\.1[13]\.\d+`)

	it("serves an app declaring python-3.10.2 in runtime.txt, as MDN's LocalLibrary does, on 3.10", func() {
		a := newApp(t, "pyversions/app")
		a.write("runtime.txt", "python-3.10.2\n")
		// The Go module proxy's HTTPS is re-signed by a CA only the
		// binding brings: the venv's Python reaches it in a build hook.
		Expect(os.MkdirAll(filepath.Join(a.dir, ".cnb", "action_hooks"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(a.dir, ".cnb", "action_hooks", "build"), []byte(tlsHook), 0755)).To(Succeed())
		out := a.mustBuild(caBinding(t)...)
		Expect(out).To(ContainSubstring("TLS verified with the build's CAs by Python 3.10.16"))
		Expect(out).To(ContainSubstring("runtime.txt asks for 3.10.2; using Python 3.10.16 "))
		Expect(out).To(MatchRegexp(fromStack.String()))
		Expect(out).To(ContainSubstring("runtime.txt line 1 names Python 3.10.2; this builder's 3.10 release is 3.10.16."))
		Expect(strings.Count(out, "pack rebase does not update it")).To(Equal(1))
		body := a.get(a.start() + "/")
		Expect(body).To(HavePrefix("3.10.16 "))
		expectWorkingInterpreter(Expect, body)
	})

	it("serves an app declaring 3.12 in .python-version, and rebuilds it downloading nothing", func() {
		a := newApp(t, "pyversions/app")
		a.write(".python-version", "3.12\n")
		out := a.mustBuild(caBinding(t)...)
		Expect(out).To(ContainSubstring(".python-version asks for 3.12; using Python 3.12.3 "))
		Expect(out).To(ContainSubstring("Installed Python 3.12.3"))
		body := a.get(a.start() + "/")
		Expect(body).To(HavePrefix("3.12.3 "))
		Expect(body).To(ContainSubstring("prefix=/layers/onbuild_python/python\n"))
		expectWorkingInterpreter(Expect, body)
		sboms := t.TempDir()
		sbomOut, err := exec.Command(pack, "sbom", "download", a.image, "--output-dir", sboms).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(sbomOut))
		sbom, err := os.ReadFile(filepath.Join(sboms, "layers", "sbom", "launch", "onbuild_python", "python", "sbom.syft.json"))
		Expect(err).NotTo(HaveOccurred(), "the python layer has an SBOM")
		Expect(string(sbom)).To(ContainSubstring("pkg:generic/cpython@3.12.3?arch=amd64"))

		out = a.mustBuild(caBinding(t)...)
		Expect(out).To(ContainSubstring("Python 3.12.3: Reusing cached layer"))
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))
		Expect(out).NotTo(ContainSubstring("Downloading"))
		Expect(out).NotTo(ContainSubstring("Installing"))
		Expect(a.get(a.start() + "/")).To(HavePrefix("3.12.3 "))

		// An operator's pin of a python-build-standalone install_only
		// tarball (everything under python/), served here on 127.0.0.1:
		// this image's interpreter, packed that way.
		tarball := installOnlyFrom(t, a.image)
		tarballURL := serveFile(t, "/cpython-3.12.3+20240415-x86_64-unknown-linux-gnu-install_only.tar.gz", tarball)
		operator := newApp(t, "pyversions/app")
		operator.write(".python-version", "3.12\n")
		out = operator.mustBuild("--buildpack", pythonBuildpackPinning(t, tarballURL, tarball), "--trust-extra-buildpacks")
		Expect(out).To(ContainSubstring("Downloading from " + tarballURL))
		Expect(out).To(ContainSubstring("Installed Python 3.12.3"))
		Expect(operator.get(operator.start() + "/")).To(HavePrefix("3.12.3 "))
	})

	it("serves an app whose requires-python asks for 3.14, with a dependency built from its source distribution", func() {
		a := newApp(t, "pyversions/app")
		a.write("pyproject.toml", `[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "py314"
version = "1.0"
requires-python = ">=3.14"
dependencies = ["greet==1.0"]

[tool.setuptools]
py-modules = ["app"]
`)
		Expect(os.MkdirAll(filepath.Join(a.dir, "wheelhouse"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(a.dir, "wheelhouse", "greet-1.0.tar.gz"), greetSdist(t), 0644)).To(Succeed())
		out := a.mustBuild(caBinding(t)...)
		Expect(out).To(ContainSubstring("requires-python in pyproject.toml asks for >=3.14; using Python 3.14.6 "))
		Expect(out).To(ContainSubstring("Building wheel for greet"))
		body := a.get(a.start() + "/")
		Expect(body).To(HavePrefix("3.14.6 "))
		Expect(body).To(ContainSubstring("\ngreet=from its sdist, built with Python 3.14.6\n"))
		expectWorkingInterpreter(Expect, body)
	})

	it("builds a 3.12 app on the bookworm builder", func() {
		a := newApp(t, "pyversions/app")
		a.write(".python-version", "3.12\n")
		out := a.mustBuild(append([]string{"--builder", bookwormBuilder}, caBinding(t)...)...)
		Expect(out).To(ContainSubstring(".python-version asks for 3.12; using Python 3.12.3 (python-build-standalone): the bookworm stack has 3.11."))
		body := a.get(a.start() + "/")
		Expect(body).To(HavePrefix("3.12.3 "))
		expectWorkingInterpreter(Expect, body)
	})

	it("refuses a minor the builder does not offer before pip, listing those it has", func() {
		a := newApp(t, "pyversions/app")
		a.write(".python-version", "# as pyenv wrote it\n3.9\n")
		out, err := a.build()
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("Python 3.9 is not on this builder"))
		Expect(out).To(MatchRegexp(`\.python-version line 2 asks for Python 3\.9\. This builder has Python 3\.10\.16, 3\.11\.\d+.*, 3\.14\.6; the nearest to what is asked: 3\.10\.16\.`))
		Expect(out).NotTo(ContainSubstring("Downloading"))
		Expect(out).NotTo(ContainSubstring("Creating virtualenv"))
	})

	it("stops before extracting anything when the proxy serves altered bytes", func() {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		served := 0
		server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			served++
			w.Write(bytes.Repeat([]byte("not the module zip "), 1000))
		})}
		go server.Serve(listener)
		defer server.Close()

		a := newApp(t, "pyversions/app")
		a.write(".python-version", "3.11\n")
		if strings.Contains(builder, "bookworm") {
			a.write(".python-version", "3.13\n")
		}
		out, err := a.build("--env", "GOPROXY=http://"+listener.Addr().String())
		Expect(err).To(HaveOccurred(), out)
		Expect(served).To(BeNumerically(">", 0))
		Expect(out).To(ContainSubstring("Python download checksum mismatch"))
		Expect(out).To(ContainSubstring("nothing was extracted"))
		Expect(out).NotTo(ContainSubstring("Installed Python"))
		Expect(out).NotTo(ContainSubstring("Creating virtualenv"))
	})
}

// tlsHook fetches from the Go module proxy over HTTPS with the venv's
// Python; an answer, even a refusal, means the certificate verified.
const tlsHook = `#!/bin/sh
set -e
python - <<'EOF'
import os, sys, urllib.error, urllib.request
proxy = os.environ["GOPROXY"].split(",")[0].rstrip("/")
try:
    urllib.request.urlopen(proxy + "/github.com/kluctl/go-embed-python/@v/v0.0.0-3.10.16-20241219-1.info", timeout=30)
except urllib.error.HTTPError:
    pass
print("TLS verified with the build's CAs by Python", sys.version.split()[0])
EOF
`

// installOnlyFrom packs an image's python layer as python-build-standalone
// packs its install_only builds: a gzipped tar of python/.
func installOnlyFrom(t *testing.T, image string) []byte {
	t.Helper()
	id, err := exec.Command("docker", "create", image).Output()
	if err != nil {
		t.Fatalf("docker create %s: %v", image, err)
	}
	container := strings.TrimSpace(string(id))
	defer exec.Command("docker", "rm", "-f", container).Run()
	tarStream, err := exec.Command("docker", "cp", container+":/layers/onbuild_python/python", "-").Output()
	if err != nil {
		t.Fatalf("docker cp: %v", err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(tarStream); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// serveFile serves content at path on 127.0.0.1 until the test ends and
// returns its URL.
func serveFile(t *testing.T, path string, content []byte) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		w.Write(content)
	})}
	go server.Serve(listener)
	t.Cleanup(func() { server.Close() })
	return "http://" + listener.Addr().String() + path
}

// pythonBuildpackPinning is a copy of the packaged onbuild/python whose
// buildpack.toml pins, as an operator would, only the tarball at url for
// Python 3.12.3 on amd64.
func pythonBuildpackPinning(t *testing.T, url string, tarball []byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "python")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "out", "buildpacks", "python"))); err != nil {
		t.Fatalf("copy the packaged buildpack (make buildpacks): %v", err)
	}
	descriptor, err := os.ReadFile(filepath.Join(dir, "buildpack.toml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(descriptor)
	// The module pins go; the settings before them stay.
	text = text[:strings.Index(text, "\n[[metadata.dependencies]]")]
	text = strings.Replace(text, `version = "0.1.0"`, `version = "0.1.0-operator"`, 1)
	text += fmt.Sprintf(`
[[metadata.dependencies]]
  id = "python"
  name = "CPython (python-build-standalone 20240415)"
  version = "3.12.3"
  arch = "amd64"
  uri = %q
  checksum = "sha256:%x"
  purls = ["pkg:generic/cpython@3.12.3?arch=amd64&build=python-build-standalone-20240415"]
`, url, sha256.Sum256(tarball))
	if err := os.WriteFile(filepath.Join(dir, "buildpack.toml"), []byte(text), 0644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// expectWorkingInterpreter checks the app's report of its interpreter.
func expectWorkingInterpreter(Expect func(interface{}, ...interface{}) Assertion, body string) {
	Expect(body).To(MatchRegexp(`\nssl=OpenSSL \d+\.\d+\.\d+.* cas=[1-9]\d*\n`), "ssl loads the run image's CAs")
	Expect(body).To(MatchRegexp(`\nsqlite3=3\.\d+\.\d+\n`))
	Expect(body).To(ContainSubstring("\nctypes=7\n"))
}

// greetSdist is a source distribution of a one-module package whose
// build backend ships inside it (PEP 517 backend-path): pip builds it into
// a wheel with the app's Python. The test index's setuptools is Debian's,
// patched for Debian's own Python, so it cannot build wheels for another.
func greetSdist(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	w := tar.NewWriter(gz)
	for name, content := range map[string]string{
		"greet-1.0/PKG-INFO":                  "Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n",
		"greet-1.0/pyproject.toml":            "[build-system]\nrequires = []\nbuild-backend = \"greet_backend\"\nbackend-path = [\"_backend\"]\n\n[project]\nname = \"greet\"\nversion = \"1.0\"\n",
		"greet-1.0/greet.py":                  "def hello():\n    return \"from its sdist, built with Python \" + BUILT_WITH\n",
		"greet-1.0/_backend/greet_backend.py": greetBackend,
	} {
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// greetBackend builds greet's wheel with the standard library, and
// records in it the Python that built it.
const greetBackend = `import base64, hashlib, os, sys, zipfile

DIST = "greet-1.0.dist-info"


def _record(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open("greet.py", "rb") as f:
        module = f.read() + ("\nBUILT_WITH = %r\n" % sys.version.split()[0]).encode()
    files = {
        "greet.py": module,
        DIST + "/METADATA": b"Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n",
        DIST + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: greet_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [_record(name, data) for name, data in files.items()] + [DIST + "/RECORD,,"]
    files[DIST + "/RECORD"] = ("\n".join(record) + "\n").encode()
    name = "greet-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return name
`

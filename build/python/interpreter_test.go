package python_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// embedModulePath is where a Go module proxy serves the test's module zip.
const embedModulePath = "/github.com/kluctl/go-embed-python/@v/v0.0.0-3.12.3-20240415-2.zip"

// embedModuleZip is a go-embed-python module zip in miniature: two
// platforms' trees described by files.json, a gzipped interpreter, a
// symlink, parts onbuild leaves out, and pip.
func embedModuleZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(name string, content []byte) {
		f, err := w.Create("github.com/kluctl/go-embed-python@v0.0.0-3.12.3-20240415-2/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	gzipped := func(content string) []byte {
		var b bytes.Buffer
		gz := gzip.NewWriter(&b)
		gz.Write([]byte(content))
		gz.Close()
		return b.Bytes()
	}
	add("go.mod", []byte("module github.com/kluctl/go-embed-python\n"))
	for _, platform := range []string{"linux-amd64", "linux-arm64"} {
		tree := "python/internal/data/" + platform + "/"
		list := map[string]interface{}{"files": []map[string]interface{}{
			{"name": "bin", "perm": uint32(os.ModeDir | 0755)},
			{"name": "bin/python3", "perm": uint32(os.ModeSymlink), "symlink": "python3.12"},
			{"name": "bin/python3.12", "perm": 0755, "compressed": true},
			{"name": "bin/pip3", "perm": 0755},
			{"name": "lib/python3.12/os.py", "perm": 0644},
			{"name": "lib/python3.12/tkinter/__init__.py", "perm": 0644},
			{"name": "lib/tcl8.6/init.tcl", "perm": 0644},
		}}
		data, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		add(tree+"files.json", data)
		add(tree+"bin/python3.12.gz", gzipped("interpreter for "+platform))
		add(tree+"bin/pip3", []byte("#!/install/bin/python3.12"))
		add(tree+"lib/python3.12/os.py", []byte("# os"))
		add(tree+"lib/python3.12/tkinter/__init__.py", []byte("# tk"))
		add(tree+"lib/tcl8.6/init.tcl", []byte("# tcl"))
	}
	add("pip/internal/data/pip/__init__.py", []byte("__version__ = '23.3.1'"))
	add("pip/internal/data/pip-23.3.1.dist-info/METADATA", []byte("Name: pip\nVersion: 23.3.1\n"))
	add("pip/internal/data/bin/pip", []byte("#!/install/bin/python"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// installOnlyTarball is python-build-standalone's install_only layout in
// miniature, as an operator would pin it.
func installOnlyTarball(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	w := tar.NewWriter(gz)
	for _, f := range []struct {
		name, content, link string
		mode                int64
	}{
		{name: "python/", mode: 0755},
		{name: "python/bin/python3.12", content: "interpreter", mode: 0755},
		{name: "python/bin/python3", link: "python3.12", mode: 0777},
		{name: "python/include/python3.12/Python.h", content: "/* headers */", mode: 0644},
		{name: "python/lib/python3.12/site-packages/pip/__init__.py", content: "", mode: 0644},
		{name: "python/lib/python3.12/test/test_os.py", content: "", mode: 0644},
		{name: "python/share/man/man1/python3.1", content: "", mode: 0644},
	} {
		header := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.content)), Typeflag: tar.TypeReg}
		switch {
		case strings.HasSuffix(f.name, "/"):
			header.Typeflag = tar.TypeDir
		case f.link != "":
			header.Typeflag, header.Linkname, header.Size = tar.TypeSymlink, f.link, 0
		}
		if err := w.WriteHeader(header); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.content)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	gz.Close()
	return buf.Bytes()
}

func sha256Of(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func testInterpreter(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		served   map[string][]byte
		server   *httptest.Server
		executor *fake.Executor
		output   *bytes.Buffer
		layer    libcnb.Layer
		cache    libpak.DependencyCache
	)

	it.Before(func() {
		served = map[string][]byte{}
		server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			content, ok := served[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Write(content)
		}))
		executor = &fake.Executor{}
		output = &bytes.Buffer{}
		var err error
		layers := libcnb.Layers{Path: t.TempDir()}
		layer, err = layers.Layer("python")
		Expect(err).NotTo(HaveOccurred())
		cache, err = libpak.NewDependencyCache("onbuild/python", "test", t.TempDir(), nil, log.NewPaketoLogger(output))
		Expect(err).NotTo(HaveOccurred())
		cache.DownloadPath = t.TempDir()
	})

	it.After(func() {
		server.Close()
	})

	interpreter := func(uri string, checksum string) python.Interpreter {
		return python.Interpreter{
			Dependency: libpak.BuildModuleDependency{
				ID: "python", Name: "CPython", Version: "3.12.3", URI: uri, Arch: "amd64",
				Checksum: libpak.Checksum("sha256:" + checksum),
				PURLS:    []string{"pkg:generic/cpython@3.12.3?arch=amd64"},
				CPEs:     []string{"cpe:2.3:a:python:python:3.12.3:*:*:*:*:*:*:*"},
			},
			Arch: "amd64", Proxy: server.URL + "/", Cache: cache,
			Executor: executor, Logger: log.NewPaketoLogger(output),
		}
	}

	it("extracts the platform's tree of a go-embed-python module zip from the Go module proxy, with pip and without what no server uses", func() {
		module := embedModuleZip(t)
		served[embedModulePath] = module
		i := interpreter(embedModulePath, sha256Of(module))

		Expect(i.Contribute(&layer)).To(Succeed())
		content, err := os.ReadFile(filepath.Join(layer.Path, "bin", "python3.12"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(Equal("interpreter for linux-amd64"))
		info, err := os.Stat(filepath.Join(layer.Path, "bin", "python3.12"))
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Mode().Perm()).To(Equal(os.FileMode(0755)))
		link, err := os.Readlink(filepath.Join(layer.Path, "bin", "python3"))
		Expect(err).NotTo(HaveOccurred())
		Expect(link).To(Equal("python3.12"))
		Expect(filepath.Join(layer.Path, "lib", "python3.12", "os.py")).To(BeARegularFile())
		Expect(filepath.Join(layer.Path, "lib", "python3.12", "site-packages", "pip", "__init__.py")).To(BeARegularFile())
		Expect(filepath.Join(layer.Path, "lib", "python3.12", "site-packages", "pip-23.3.1.dist-info", "METADATA")).To(BeARegularFile())
		for _, left := range []string{"bin/pip3", "bin/pip", "lib/tcl8.6", "lib/python3.12/tkinter"} {
			Expect(filepath.Join(layer.Path, left)).NotTo(BeAnExistingFile(), left)
		}
		Expect(layer.Metadata).To(HaveKeyWithValue("version", "3.12.3"))
		Expect(layer.Metadata).To(HaveKeyWithValue("arch", "amd64"))
		Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Cache: true, Launch: true}))
		sbom, err := os.ReadFile(layer.SBOMPath(libcnb.SyftJSON))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(sbom)).To(ContainSubstring("pkg:generic/cpython@3.12.3?arch=amd64"))
		Expect(output.String()).To(ContainSubstring("Installed Python 3.12.3"))

		var compiled bool
		for _, e := range executor.Executions {
			if e.Command == i.Python(layer) && strings.Join(e.Args[:2], " ") == "-m compileall" {
				compiled = true
			}
		}
		Expect(compiled).To(BeTrue(), "the standard library is compiled once, at build")
	})

	it("reuses the layer without downloading while the pin is the same", func() {
		module := embedModuleZip(t)
		served[embedModulePath] = module
		i := interpreter(embedModulePath, sha256Of(module))
		Expect(i.Contribute(&layer)).To(Succeed())

		delete(served, embedModulePath)
		executor.Executions = nil
		Expect(i.Contribute(&layer)).To(Succeed())
		Expect(executor.Executions).To(BeEmpty())
		Expect(output.String()).To(ContainSubstring("Reusing cached layer"))
	})

	it("extracts the other architecture's tree from the same zip", func() {
		module := embedModuleZip(t)
		served[embedModulePath] = module
		i := interpreter(embedModulePath, sha256Of(module))
		i.Arch, i.Dependency.Arch = "arm64", "arm64"

		Expect(i.Contribute(&layer)).To(Succeed())
		content, err := os.ReadFile(filepath.Join(layer.Path, "bin", "python3.12"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(Equal("interpreter for linux-arm64"))
	})

	it("stops before extracting anything when the bytes served are not the pinned ones", func() {
		module := embedModuleZip(t)
		altered := append([]byte{}, module...)
		altered[len(altered)/2] ^= 0xff
		served[embedModulePath] = altered
		i := interpreter(embedModulePath, sha256Of(module))

		err := i.Contribute(&layer)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.(problem.Problem).Title).To(Equal("Python download checksum mismatch"))
		Expect(err.(problem.Problem).Cause).To(ContainSubstring("nothing was extracted"))
		entries, err := os.ReadDir(layer.Path)
		if !os.IsNotExist(err) {
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(entries).To(BeEmpty())
		Expect(layer.Metadata).NotTo(HaveKey("version"))
		Expect(executor.Executions).To(BeEmpty())
	})

	it("takes an operator's python-build-standalone install_only tarball by URL and sha256, headers included", func() {
		tarball := installOnlyTarball(t)
		name := "/cpython-3.12.3+20240415-x86_64-unknown-linux-gnu-install_only.tar.gz"
		served[name] = tarball
		i := interpreter(server.URL+name, sha256Of(tarball))

		Expect(i.Contribute(&layer)).To(Succeed())
		Expect(filepath.Join(layer.Path, "bin", "python3.12")).To(BeARegularFile())
		Expect(filepath.Join(layer.Path, "include", "python3.12", "Python.h")).To(BeARegularFile())
		Expect(filepath.Join(layer.Path, "lib", "python3.12", "site-packages", "pip", "__init__.py")).To(BeARegularFile())
		Expect(filepath.Join(layer.Path, "lib", "python3.12", "test")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(layer.Path, "share")).NotTo(BeAnExistingFile())
		link, err := os.Readlink(filepath.Join(layer.Path, "bin", "python3"))
		Expect(err).NotTo(HaveOccurred())
		Expect(link).To(Equal("python3.12"))
	})

	it("refuses a tarball whose link leaves its tree", func() {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		w := tar.NewWriter(gz)
		w.WriteHeader(&tar.Header{Name: "python/bin/python3", Typeflag: tar.TypeSymlink, Linkname: "../../../etc/passwd"})
		w.Close()
		gz.Close()
		served["/evil.tar.gz"] = buf.Bytes()
		i := interpreter(server.URL+"/evil.tar.gz", sha256Of(buf.Bytes()))

		Expect(i.Contribute(&layer)).To(MatchError(ContainSubstring("leaves the interpreter's tree")))
		Expect(layer.Metadata).NotTo(HaveKey("version"))
	})

	it("explains a module pin without a Go module proxy", func() {
		module := embedModuleZip(t)
		i := interpreter(embedModulePath, sha256Of(module))
		i.Proxy = ""
		i.Env = []string{"GOPROXY=direct"}

		err := i.Contribute(&layer)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.(problem.Problem).Title).To(Equal("No Go module proxy for the Python download"))
	})

	it("lists the pins of the build's architecture", func() {
		metadata, err := libpak.NewBuildModuleMetadata(fake.Metadata(t, "python"))
		Expect(err).NotTo(HaveOccurred())
		for _, arch := range []string{"amd64", "arm64"} {
			interpreters := python.Interpreters(metadata.Dependencies, arch)
			Expect(python.InterpreterVersions(interpreters)).To(ConsistOf("3.10.16", "3.11.11", "3.12.3", "3.13.1", "3.14.6"))
			for _, dependency := range interpreters {
				Expect(dependency.URI).To(HavePrefix("/github.com/kluctl/go-embed-python/@v/"))
				Expect(dependency.URI).To(ContainSubstring("-" + dependency.Version + "-"))
				Expect(dependency.GetPURLS()[0]).To(HavePrefix("pkg:generic/cpython@" + dependency.Version + "?arch=" + arch + "&build=python-build-standalone-"))
				Expect(string(dependency.GetChecksum())).To(MatchRegexp(`^sha256:[0-9a-f]{64}$`))
			}
		}
	})
}

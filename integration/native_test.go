package integration_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/xi2/xz"
	"pault.ag/go/debian/control"
)

// startPostgres runs Debian's PostgreSQL server as the postgres user on a
// free port of 127.0.0.1, with a table of three rows, until the test ends,
// and returns its connection string.
func startPostgres(t *testing.T) string {
	t.Helper()
	initdbs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(initdbs) == 0 {
		t.Fatal("no PostgreSQL server here: run tools/postgresql.sh (make integration does)")
	}
	bin := filepath.Dir(initdbs[len(initdbs)-1])
	dir, err := os.MkdirTemp("", "onbuild-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	asPostgres := func(name string, args ...string) {
		t.Helper()
		out, err := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	if out, err := exec.Command("chown", "postgres:postgres", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown %s: %v\n%s", dir, err, out)
	}
	port := freePort(t)
	data := filepath.Join(dir, "data")
	asPostgres("initdb", "--auth=trust", "-U", "postgres", "-D", data)
	asPostgres("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir), "start")
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop").Run()
	})
	asPostgres("psql", "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
		"CREATE TABLE fruit (id serial PRIMARY KEY, name text); INSERT INTO fruit (name) VALUES ('apple'), ('fig'), ('quince');")
	return fmt.Sprintf("postgresql://postgres@127.0.0.1:%d/postgres", port)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startOnHost runs the image on the host network (to reach the database on
// 127.0.0.1) with PORT a free port, and returns the app's base URL.
func (a *app) startOnHost(env ...string) string {
	a.t.Helper()
	port := freePort(a.t)
	args := []string{"run", "-d", "--network", "host", "-e", fmt.Sprintf("PORT=%d", port)}
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	out, err := exec.Command("docker", append(args, a.image)...).CombinedOutput()
	if err != nil {
		a.t.Fatalf("docker run %s: %v\n%s", a.image, err, out)
	}
	id := strings.TrimSpace(string(out))
	a.containers = append(a.containers, id)
	a.t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", id).Run() })
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// debianMirror is the Debian mirror this machine's apt uses (tools/lib.sh),
// the builder's default too.
func debianMirror(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("bash", "-c", `source "$1/tools/lib.sh" && debian_mirror trixie`, "_", root).Output()
	mirror := strings.TrimSpace(string(out))
	if err != nil || mirror == "" {
		t.Fatalf("no Debian mirror in the apt sources: %v", err)
	}
	return mirror
}

// serveSdist serves, on 127.0.0.1 as pip's find-links page, the upstream
// tarball of a Debian source package of the stack's suite, which for a
// Python project is the sdist PyPI serves: pip builds it from source.
func serveSdist(t *testing.T, source string) string {
	t.Helper()
	mirror := debianMirror(t)
	resp, err := http.Get(mirror + "/dists/trixie/main/source/Sources.xz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r, err := xz.NewReader(resp.Body, 0)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := control.NewParagraphReader(bufio.NewReader(r), nil)
	if err != nil {
		t.Fatal(err)
	}
	for {
		para, err := reader.Next()
		if err != nil {
			t.Fatalf("no source package %s in trixie: %v", source, err)
		}
		if para.Values["Package"] != source {
			continue
		}
		version := para.Values["Version"]
		upstream := version[:strings.LastIndex(version, "-")]
		orig := fmt.Sprintf("%s_%s.orig.tar.gz", source, upstream)
		sdist, err := http.Get(mirror + "/" + para.Values["Directory"] + "/" + orig)
		if err != nil || sdist.StatusCode != http.StatusOK {
			t.Fatalf("download %s: %v", orig, err)
		}
		defer sdist.Body.Close()
		dir := t.TempDir()
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%s.tar.gz", source, upstream)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, sdist.Body); err != nil {
			t.Fatal(err)
		}
		f.Close()
		server := httptest.NewServer(http.FileServer(http.Dir(dir)))
		t.Cleanup(server.Close)
		return server.URL + "/"
	}
}

func testNative(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("reads rows from PostgreSQL with psycopg 3 and psycopg2 and runs an Aptfile's tool, then rebuilds downloading no package", func() {
		dsn := startPostgres(t)
		a := newApp(t, "native/postgres")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("jq (Aptfile line 2)"))
		Expect(out).To(ContainSubstring("libpq5 (psycopg loads libpq with ctypes)"))
		Expect(out).To(ContainSubstring("libpq-dev (psycopg2 builds from source with pg_config and libpq's headers)"))
		Expect(out).To(ContainSubstring("Rebase cannot update these packages"))
		Expect(out).To(MatchRegexp(`Installed \d+ packages \(\d+ downloaded`))

		body := a.get(a.startOnHost("DATABASE_URL="+dsn) + "/")
		Expect(body).To(ContainSubstring(`"psycopg": ["apple", "fig", "quince"]`))
		Expect(body).To(ContainSubstring(`"psycopg2": 3`))
		Expect(body).To(ContainSubstring(`"jq": "6"`))
		Expect(body).To(ContainSubstring(`"pq": "python"`), "psycopg 3 found libpq with ctypes.util.find_library")

		// What a scanner reads, and what stays out of the app image.
		layer := "/layers/onbuild_debian-packages/debian-libraries"
		status, err := inImage(a.image, "python3", "-c", "import os, sys; print(open(sys.argv[1]).read()); print(os.path.exists(sys.argv[2]))",
			layer+"/var/lib/dpkg/status.d/libpq5", layer+"/usr/include")
		Expect(err).NotTo(HaveOccurred(), status)
		Expect(status).To(HavePrefix("Package: libpq5\nStatus: install ok installed\n"))
		Expect(status).To(HaveSuffix("\nFalse\n"))

		out = a.mustBuild()
		Expect(strings.Count(out, "Unchanged packages: nothing downloaded")).To(Equal(2), out)
		Expect(a.get(a.startOnHost("DATABASE_URL="+dsn) + "/")).To(ContainSubstring(`"psycopg2": 3`))
	})

	it("builds a Django app with psycopg2 from its source distribution without an Aptfile, and its page reads rows", func() {
		dsn := startPostgres(t)
		links := serveSdist(t, "psycopg2")
		a := newApp(t, "native/django-postgres")
		// The index has a psycopg2 wheel too: pip must take the sdist.
		sdist := []string{"--env", "PIP_FIND_LINKS=" + links, "--env", "PIP_NO_BINARY=psycopg2"}
		out, err := a.build(append(sdist, "--env", "BP_DEBIAN_PACKAGES_AUTO=false")...)
		Expect(err).To(HaveOccurred(), "without libpq-dev the compile fails")
		Expect(out).To(ContainSubstring("[Error: Debian package missing for a source build]"))
		Expect(out).To(ContainSubstring("pg_config is missing: Debian's libpq-dev provides it"))
		Expect(out).To(ContainSubstring("Add these lines to the Aptfile: libpq-dev."))

		out = a.mustBuild(sdist...)
		Expect(out).To(ContainSubstring("libpq-dev (psycopg2 builds from source with pg_config and libpq's headers)"))
		Expect(out).To(MatchRegexp(`Building wheel for psycopg2|Running setup\.py install for psycopg2|Created wheel for psycopg2`))
		Expect(a.get(a.startOnHost("DATABASE_URL="+dsn) + "/")).To(Equal("rows: 3 (Django, postgresql)"))
	})

	it("runs a wheel that links a library the run image lacks, found by reading its ELF files alone", func() {
		dsn := startPostgres(t)
		a := newApp(t, "native/psycopg2-wheel")
		// Without the table of well-known projects: only the ELF scan.
		out := a.mustBuild("--env", "BP_DEBIAN_PACKAGES_AUTO=false")
		Expect(out).To(ContainSubstring("Not installing libpq-dev (psycopg2 builds from source with pg_config and libpq's headers): BP_DEBIAN_PACKAGES_AUTO=false"))
		Expect(out).To(MatchRegexp(`libpq\.so\.5 \(needed by venv/lib/python3\.13/site-packages/psycopg2/_psycopg\.[^ ]*\.so\): libpq5`))
		Expect(a.get(a.startOnHost("DATABASE_URL="+dsn) + "/")).To(Equal("rows: 3"))
	})

	it("links a cgo Go app against the Aptfile's libpq and runs it on the python run image", func() {
		a := newApp(t, "native/go-cgo")
		out := a.mustBuild(append(caBinding(t), "--env", "CGO_ENABLED=1")...)
		Expect(out).To(ContainSubstring("libpq-dev (Aptfile line 2)"))
		// The binary is named after the module, example.com/cgo.
		Expect(out).To(ContainSubstring("cgo is dynamically linked (CGO_ENABLED=1): it runs on this run image, which has libc, and not on tiny"))
		Expect(out).To(ContainSubstring("libpq.so.5 (needed by binaries/bin/cgo): libpq5, installed by onbuild/debian-packages"))
		Expect(a.get(a.start() + "/")).To(MatchRegexp(`^libpq 1\d{5}$`))
		// On tiny (no libc) the same build stops: the Go specs check that.
	})

	it("stops on bad Debian package input with a clear error, installing nothing", func() {
		a := newApp(t, "native/postgres")
		a.write("requirements.txt", "")
		for _, c := range []struct{ aptfile, want string }{
			{"https://example.invalid/tool_1.0_amd64.deb\n", "[Error: Debian package URL]"},
			{"libpq\n", "The nearest names: libpq5, libpq-dev"},
			{"jq\npython3.13\n", "Remove python3.13 from Aptfile line 2: the stack already has it."},
		} {
			a.write("Aptfile", c.aptfile)
			out, err := a.build()
			Expect(err).To(HaveOccurred(), out)
			Expect(out).To(ContainSubstring(c.want))
			Expect(out).NotTo(ContainSubstring("Debian packages for the build"))
		}

		// A mirror whose Packages index is not the one its signed InRelease
		// lists: the real mirror's files, one index altered.
		mirror := debianMirror(t)
		tampered := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			resp, err := http.Get(mirror + strings.TrimPrefix(r.URL.Path, "/debian"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if strings.Contains(r.URL.Path, "/Packages") {
				body = append(body, '\n')
			}
			w.WriteHeader(resp.StatusCode)
			w.Write(body)
		}))
		defer tampered.Close()
		a.write("Aptfile", "jq\n")
		out, err := a.build("--env", "BP_DEBIAN_MIRROR="+tampered.URL+"/debian")
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Debian archive failed verification]"))
		Expect(out).To(MatchRegexp(`installed nothing: http://127\.0\.0\.1:\d+/debian/dists/trixie/main/binary-amd64/Packages\.gz: sha256 [0-9a-f]+ \(\d+ bytes\) is not the`))
	})
}

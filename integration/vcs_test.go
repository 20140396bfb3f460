package integration_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testVCS(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		git    *gitServer
	)

	it.Before(func() {
		git = newGitServer(t)
	})

	it("installs git+ and hg+ requirements, editable and included, with a credentials binding, and downloads git and hg once", func() {
		git.publish("private/pkga.git", "pkga", "v1.0", "v2.0")
		git.publish("pkgb.git", "pkgb", "v1.0")
		hg := newHgServer(t)
		hg.publish("pkgc", "v1.0")
		hg.start()

		a := newApp(t, "vcs/app")
		requirements := "# pkga needs the git-credentials binding\npkga @ git+%s/private/pkga.git@%s\n-r vcs.txt\n"
		a.write("requirements.txt", fmt.Sprintf(requirements, git.url, "v1.0"))
		a.write("vcs.txt", fmt.Sprintf("-e git+%s/pkgb.git@v1.0#egg=pkgb\nhg+%s/pkgc@v1.0#egg=pkgc\n", git.url, hg.url))
		credentials := binding(t, "git-server", "git-credentials", map[string][]byte{
			"credentials": []byte(fmt.Sprintf("http://%s:%s@%s\n", git.user, git.password, strings.TrimPrefix(git.url, "http://"))),
		})

		out := a.mustBuild(credentials...)
		Expect(out).To(ContainSubstring("onbuild VCS tools"))
		Expect(out).To(MatchRegexp(`Git 1:` + flavour.git + `\S+: Contributing to layer`))
		Expect(out).To(MatchRegexp(`Mercurial ` + flavour.hg + `\S+: Contributing to layer`))
		Expect(out).To(MatchRegexp(`Downloading from http\S+/pool/main/g/git/git_` + flavour.git + `\S+_amd64\.deb`))
		Expect(out).To(ContainSubstring("git reads credentials from binding git-server (git-credentials)"))
		Expect(git.unauthorized()).To(BeNumerically(">", 0), "git asked the server without credentials first, then used the binding")

		installed := a.installed(a.start())
		Expect(installed["pkga"].Version).To(Equal("1.0"))
		Expect(installed["pkgb"].Version).To(Equal("1.0"))
		Expect(installed["pkgb"].File).To(HavePrefix("/layers/onbuild_python/venv/src/pkgb/"), "the editable checkout lives in the venv layer")
		Expect(installed["pkgc"].Version).To(Equal("1.0"))

		out, err := inImage(a.image, "sh", "-c", "command -v git hg; true")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(BeEmpty(), "the run image has neither git nor hg")
		out, err = inImage(a.image, "sh", "-c", "echo /layers/* /workspace/*")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("onbuild_python"))
		Expect(out).NotTo(ContainSubstring("onbuild_vcs"), "the tool layers are build-only")
		Expect(out).NotTo(ContainSubstring("src"), "no checkout in the app dir")
		// The credentials stay out of every layer, read decompressed. The
		// search works: pip's record of where pkga came from, the URL the
		// credentials were for, is found.
		layers := savedLayers(t, a.image)
		Expect(layers).To(ContainElement(WithTransform(func(content []byte) bool {
			return bytes.Contains(content, []byte(`"url": "`+git.url+`/private/pkga.git"`))
		}, BeTrue())), "pkga's direct_url.json")
		for name, content := range layers {
			Expect(bytes.Contains(content, []byte(git.password))).To(BeFalse(), "the git password is in %s of docker save", name)
		}

		// The next build reuses both tools and uses the restored git: the
		// changed requirement makes pip clone again.
		a.write("requirements.txt", fmt.Sprintf(requirements, git.url, "v2.0"))
		out = a.mustBuild(credentials...)
		Expect(out).To(MatchRegexp(`Git 1:` + flavour.git + `\S+: Reusing cached layer`))
		Expect(out).To(MatchRegexp(`Mercurial ` + flavour.hg + `\S+: Reusing cached layer`))
		Expect(out).NotTo(ContainSubstring("Downloading from"))
		Expect(out).To(ContainSubstring("requirements.txt changed"))
		Expect(a.installed(a.start())["pkga"].Version).To(Equal("2.0"))
	})

	it("fetches a Go app's private module with git, with a credentials binding", func() {
		// The go command asks git for https://git.onbuild.test/private/lib
		// (the module path without its .git qualifier); git's insteadOf
		// sends it to the test server, as a platform could with a mirror.
		git.publish("private/lib", "golib", "v1.0.0")
		insteadOf := func(url string) []string {
			return []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=url." + url + "/.insteadOf", "GIT_CONFIG_VALUE_0=https://git.onbuild.test/"}
		}
		a := newApp(t, "vcs/go")
		a.goModTidy(insteadOf(git.authURL()))

		args := append(caBinding(t), binding(t, "git-server", "git-credentials", map[string][]byte{
			"credentials": []byte(git.authURL() + "\n"),
		})...)
		args = append(args, "--env", "GOPRIVATE=git.onbuild.test")
		for _, kv := range insteadOf(git.url) {
			args = append(args, "--env", kv)
		}
		out := a.mustBuild(args...)
		Expect(out).To(MatchRegexp(`Git 1:` + flavour.git + `\S+: Contributing to layer`))
		Expect(out).NotTo(ContainSubstring("Mercurial"))
		Expect(out).To(ContainSubstring("onbuild Go"))
		Expect(git.unauthorized()).To(BeNumerically(">", 0), "the module needed the binding's credentials")
		Expect(a.get(a.start() + "/")).To(Equal("hello from a private module 1.0.0"))
	})

	it("gives an app without VCS URLs neither git nor hg, and downloads nothing for them", func() {
		a := newApp(t, "vcs/plain")
		out := a.mustBuild()
		Expect(out).NotTo(ContainSubstring("onbuild/vcs"))
		Expect(out).NotTo(ContainSubstring("onbuild VCS tools"))
		Expect(out).NotTo(ContainSubstring("Git"))
		Expect(out).NotTo(ContainSubstring("Mercurial"))
		Expect(out).NotTo(ContainSubstring("pool/main"))
		Expect(a.get(a.start() + "/")).To(Equal("no VCS here, six 1.17.0"))
	})

	it("fails naming a VCS URL the build cannot reach", func() {
		closed := closedPort(t)
		url := fmt.Sprintf("http://127.0.0.1:%d/missing.git", closed)
		a := newApp(t, "vcs/plain")
		a.write("requirements.txt", "six==1.17.0\nmissing @ git+"+url+"@v1.0\n")
		out, err := a.build()
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: VCS requirement unreachable]"))
		Expect(out).To(ContainSubstring("pip could not clone " + url + " with git"))
	})
}

// goModTidy writes the app's go.sum with this machine's go, which fetches
// the private module from the test server with env's git settings.
func (a *app) goModTidy(env []string) {
	a.t.Helper()
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = a.dir
	cmd.Env = append(os.Environ(), "GOPRIVATE=git.onbuild.test", "GOPROXY=direct", "GOTOOLCHAIN=local",
		"GOFLAGS=-modcacherw", "GOMODCACHE="+a.t.TempDir(), "GIT_TERMINAL_PROMPT=0")
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		a.t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
}

// installedPackage is what the vcs/app fixture reports for each package.
type installedPackage struct {
	Version string `json:"version"`
	File    string `json:"file"`
}

func (a *app) installed(url string) map[string]installedPackage {
	a.t.Helper()
	var packages map[string]installedPackage
	if err := json.Unmarshal([]byte(a.get(url+"/")), &packages); err != nil {
		a.t.Fatalf("the app's answer is not JSON: %v", err)
	}
	return packages
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// vcsTool runs git or hg on this machine; the Makefile installs both.
func vcsTool(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=onbuild", "GIT_AUTHOR_EMAIL=onbuild@localhost",
		"GIT_COMMITTER_NAME=onbuild", "GIT_COMMITTER_EMAIL=onbuild@localhost",
		"HGUSER=onbuild <onbuild@localhost>", "HGPLAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
}

// packageSource copies the fixture package into a new work tree.
func packageSource(t *testing.T, pkg string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "vcs", "packages", pkg))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// versionLine is how the fixture packages state their version:
// pyproject.toml's version, VERSION in __init__.py, a Go const Version.
var versionLine = regexp.MustCompile(`(?m)^((?:const )?(?:version|VERSION|Version)) = "[^"]*"`)

// bump sets the version of the package in dir, in every file that has one.
func bump(t *testing.T, dir, version string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, entry os.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(path, versionLine.ReplaceAll(content, []byte(`$1 = "`+version+`"`)), 0644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// gitServer serves bare repositories over git's dumb HTTP protocol on
// 127.0.0.1: static files, after `git update-server-info`. Paths under
// private/ need basic auth.
type gitServer struct {
	t              *testing.T
	root           string
	url            string
	user, password string
	denied         atomic.Int64
}

func newGitServer(t *testing.T) *gitServer {
	t.Helper()
	secret := make([]byte, 12)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	s := &gitServer{t: t, root: t.TempDir(), user: "onbuild", password: "pw-" + hex.EncodeToString(secret)}
	files := http.FileServer(http.Dir(s.root))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/private/") {
			if user, password, ok := r.BasicAuth(); !ok || user != s.user || password != s.password {
				s.denied.Add(1)
				w.Header().Set("WWW-Authenticate", `Basic realm="onbuild test"`)
				http.Error(w, "credentials needed", http.StatusUnauthorized)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	s.url = "http://" + listener.Addr().String()
	return s
}

// publish makes the bare repository at path of the fixture package pkg,
// one tagged commit per version tag (v1.0 has version 1.0, ...).
func (s *gitServer) publish(path, pkg string, tags ...string) {
	s.t.Helper()
	work := packageSource(s.t, pkg)
	vcsTool(s.t, work, "git", "init", "-q")
	for _, tag := range tags {
		bump(s.t, work, strings.TrimPrefix(tag, "v"))
		vcsTool(s.t, work, "git", "add", "-A")
		vcsTool(s.t, work, "git", "commit", "-q", "-m", pkg+" "+tag)
		vcsTool(s.t, work, "git", "tag", tag)
	}
	bare := filepath.Join(s.root, path)
	vcsTool(s.t, work, "git", "clone", "-q", "--bare", work, bare)
	vcsTool(s.t, bare, "git", "update-server-info")
}

// authURL is the server's URL with its credentials.
func (s *gitServer) authURL() string {
	return "http://" + s.user + ":" + s.password + "@" + strings.TrimPrefix(s.url, "http://")
}

// unauthorized counts the requests refused for lack of credentials.
func (s *gitServer) unauthorized() int64 {
	return s.denied.Load()
}

// hgServer is `hg serve` on 127.0.0.1, publishing every repository in
// root: publish them all, then start.
type hgServer struct {
	t    *testing.T
	root string
	url  string
}

func newHgServer(t *testing.T) *hgServer {
	t.Helper()
	if _, err := exec.LookPath("hg"); err != nil {
		t.Fatal("hg is missing on this machine: `make integration` installs it (tools/vcs.sh) as root on Debian; else install mercurial")
	}
	return &hgServer{t: t, root: t.TempDir()}
}

func (s *hgServer) start() {
	t := s.t
	t.Helper()
	config := filepath.Join(t.TempDir(), "hgweb.conf")
	if err := os.WriteFile(config, []byte("[paths]\n/ = "+s.root+"/*\n"), 0644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("hg", "serve", "--web-conf", config, "--address", "127.0.0.1", "--port", "0")
	cmd.Env = append(os.Environ(), "HGPLAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("hg serve: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	bound := regexp.MustCompile(`bound to (127\.0\.0\.1:\d+)`)
	lines := make(chan string)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
		close(lines)
	}()
	deadline := time.After(20 * time.Second)
	for s.url == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("hg serve exited before listening")
			}
			if match := bound.FindStringSubmatch(line); match != nil {
				s.url = "http://" + match[1]
			}
		case <-deadline:
			t.Fatal("hg serve did not say where it listens within 20 s")
		}
	}
	go func() {
		for range lines {
		}
	}()
}

// publish makes the repository name of the fixture package name, one
// tagged commit per version tag.
func (s *hgServer) publish(name string, tags ...string) {
	s.t.Helper()
	repo := filepath.Join(s.root, name)
	if err := os.CopyFS(repo, os.DirFS(filepath.Join("testdata", "vcs", "packages", name))); err != nil {
		s.t.Fatal(err)
	}
	vcsTool(s.t, repo, "hg", "init")
	for _, tag := range tags {
		bump(s.t, repo, strings.TrimPrefix(tag, "v"))
		vcsTool(s.t, repo, "hg", "commit", "-A", "-q", "-m", name+" "+tag)
		vcsTool(s.t, repo, "hg", "tag", tag)
	}
}

package integration_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// app is a copy of a fixture app that a test builds into an image.
type app struct {
	t          *testing.T
	dir        string
	image      string
	containers []string
}

// newApp copies testdata/<fixture> into a temp dir, so tests can edit it, and
// removes the image, its cache volumes and containers when the test ends.
func newApp(t *testing.T, fixture string) *app {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", fixture))); err != nil {
		t.Fatalf("copy fixture %s: %v", fixture, err)
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, dir: dir, image: "onbuild-test-" + strings.ReplaceAll(filepath.Base(fixture), "_", "-") + "-" + hex.EncodeToString(suffix)}
	t.Cleanup(func() {
		_ = exec.Command("docker", "image", "rm", "-f", a.image).Run()
		// pack names the launch cache after the image whatever --cache says.
		volumes, _ := exec.Command("docker", "volume", "ls", "-q", "--filter", "name="+a.image).Output()
		if names := strings.Fields(string(volumes)); len(names) > 0 {
			_ = exec.Command("docker", append([]string{"volume", "rm", "-f"}, names...)...).Run()
		}
	})
	return a
}

// write replaces a file of the app.
func (a *app) write(name, content string) {
	a.t.Helper()
	if err := os.WriteFile(filepath.Join(a.dir, name), []byte(content), 0644); err != nil {
		a.t.Fatal(err)
	}
}

// build runs pack build on the app and returns its whole output. Python
// builds reach the local index through the host network.
func (a *app) build(extra ...string) (string, error) {
	args := append([]string{
		"build", a.image,
		"--builder", builder, "--path", a.dir,
		"--pull-policy", "never", "--trust-builder", "--network", "host",
		"--cache", fmt.Sprintf("type=build;format=volume;name=%s-build;type=launch;format=volume;name=%s-launch", a.image, a.image),
		"--env", "PIP_INDEX_URL=" + index.URL(),
		// pip caches downloads only from https or trusted hosts.
		"--env", "PIP_TRUSTED_HOST=127.0.0.1",
	}, extra...)
	start := time.Now()
	out, err := exec.Command(pack, args...).CombinedOutput()
	a.t.Logf("pack build %s: %s", a.image, time.Since(start).Round(100*time.Millisecond))
	return ansi.ReplaceAllString(string(out), ""), err
}

// ansi matches terminal colour codes, which buildpack logs carry.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// mustBuild is build for tests where the build itself is not under test.
func (a *app) mustBuild(extra ...string) string {
	a.t.Helper()
	out, err := a.build(extra...)
	if err != nil {
		a.t.Fatalf("pack build failed: %v\n%s", err, out)
	}
	return out
}

// start runs the image with port 8080 published on a free loopback port and
// returns the app's base URL.
func (a *app) start(env ...string) string {
	a.t.Helper()
	var options []string
	for _, kv := range env {
		options = append(options, "-e", kv)
	}
	return a.run(options...)
}

// run is start with docker run's options as given. The container id is read
// from stdout alone: docker warns on stderr (a platform mismatch, say).
func (a *app) run(options ...string) string {
	a.t.Helper()
	args := append([]string{"run", "-d", "-p", "127.0.0.1::8080"}, options...)
	cmd := exec.Command("docker", append(args, a.image)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		a.t.Fatalf("docker run %s: %v\n%s%s", a.image, err, out, stderr.String())
	}
	id := strings.TrimSpace(string(out))
	a.containers = append(a.containers, id)
	a.t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", id).Run() })

	port, err := exec.Command("docker", "port", id, "8080/tcp").Output()
	if err != nil {
		a.t.Fatalf("docker port %s: %v", id, err)
	}
	hostPort := strings.TrimSpace(strings.Split(string(port), "\n")[0])
	if !strings.HasPrefix(hostPort, "127.0.0.1:") {
		a.t.Fatalf("container port published on %q, expected 127.0.0.1", hostPort)
	}
	return "http://" + hostPort
}

// get fetches url, waiting up to 30 s for the app to come up; on timeout it
// fails with the container's logs.
func (a *app) get(url string) string {
	a.t.Helper()
	client := http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			body, readErr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if readErr == nil && resp.StatusCode == http.StatusOK {
				return string(body)
			}
			lastErr = fmt.Errorf("status %d, %v: %s", resp.StatusCode, readErr, body)
		} else {
			lastErr = err
		}
		time.Sleep(250 * time.Millisecond)
	}
	var logs []byte
	if len(a.containers) > 0 {
		logs, _ = exec.Command("docker", "logs", a.containers[len(a.containers)-1]).CombinedOutput()
	}
	a.t.Fatalf("%s did not answer: %v\ncontainer output:\n%s", url, lastErr, logs)
	return ""
}

// inImage runs a command in an image with the given entrypoint and returns
// its combined output and exit error.
func inImage(image string, entrypoint string, args ...string) (string, error) {
	cmd := exec.Command("docker", append([]string{"run", "--rm", "--entrypoint", entrypoint, image}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// caBinding returns the pack arguments that hand this machine's CA bundle
// ($SSL_CERT_FILE, else Debian's) to a build as a ca-certificates binding,
// so builds that fetch over HTTPS work behind a network that re-signs it.
// The bundle is copied at run time, never committed.
func caBinding(t *testing.T) []string {
	t.Helper()
	return binding(t, "ca-certificates", "ca-certificates", map[string][]byte{"ca-certificates.crt": hostCABundle(t)})
}

// hostCABundle is this machine's CA bundle: $SSL_CERT_FILE, else Debian's.
func hostCABundle(t *testing.T) []byte {
	t.Helper()
	file := os.Getenv("SSL_CERT_FILE")
	if file == "" {
		file = "/etc/ssl/certs/ca-certificates.crt"
	}
	bundle, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read this machine's CA bundle for the ca-certificates binding: %v", err)
	}
	return bundle
}

// binding writes a binding of the given type into a temp dir and returns
// the pack arguments that mount it as /platform/bindings/<name>.
func binding(t *testing.T, name, kind string, files map[string][]byte) []string {
	t.Helper()
	dir := t.TempDir()
	// The build runs as the stack's user, not as whoever runs the tests.
	if err := os.Chmod(dir, 0755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "type"), []byte(kind+"\n"), 0644); err != nil {
		t.Fatal(err)
	}
	for file, content := range files {
		if err := os.WriteFile(filepath.Join(dir, file), content, 0644); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"--volume", dir + ":/platform/bindings/" + name}
}

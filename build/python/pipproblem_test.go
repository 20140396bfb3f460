package python_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"
)

// testPipProblems checks that a failed pip install in the venv layer
// becomes the Problem that names the fix.
func testPipProblems(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	const pipTLS = "WARNING: Retrying (Retry(total=0)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:992)'))': /simple/flask/\n" +
		"ERROR: No matching distribution found for flask==2.2.2"

	it("turns pip's failed clone into that Problem in the venv build", func() {
		executor := &fake.Executor{Run: func(e effect.Execution) error {
			if len(e.Args) > 1 && e.Args[1] == "venv" {
				return nil
			}
			fmt.Fprintln(e.Stdout, "  × hg clone --noupdate --quiet http://127.0.0.1:1/ /tmp/pip-install-5n/other_fe did not run successfully.")
			return fmt.Errorf("exit status 1")
		}}
		layers := libcnb.Layers{Path: t.TempDir()}
		layer, err := layers.Layer("venv")
		Expect(err).NotTo(HaveOccurred())
		venv := python.Venv{AppDir: t.TempDir(), Executor: executor, Logger: log.NewDiscardLogger(),
			Key: python.VenvKey{Install: []string{"--requirement requirements.txt"}}}
		err = venv.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("pip could not clone http://127.0.0.1:1/ with hg")))
		Expect(executor.Executions[1].Args).To(ContainElements("--src", filepath.Join(layer.Path, "src")))
	})

	it("makes pip's certificate failure a TLS problem rather than a missing package", func() {
		executor := &fake.Executor{Run: func(e effect.Execution) error {
			if len(e.Args) > 1 && e.Args[1] == "venv" {
				return nil
			}
			_, _ = e.Stderr.Write([]byte(pipTLS + "\n"))
			return errors.New("exit status 1")
		}}
		layers := libcnb.Layers{Path: t.TempDir()}
		layer, err := layers.Layer("venv")
		Expect(err).NotTo(HaveOccurred())
		venv := python.Venv{
			AppDir: t.TempDir(), Executor: executor, Logger: log.NewPaketoLogger(&bytes.Buffer{}),
			Env: []string{"PIP_INDEX_URL=https://localhost:8443/simple/"},
			Key: python.VenvKey{Install: []string{"--requirement requirements.txt"}},
		}

		err = venv.Contribute(&layer)
		Expect(err).To(MatchError(ContainSubstring("[Error: TLS certificate not trusted]")))
		Expect(err.Error()).To(ContainSubstring("pip could not verify the TLS certificate of https://localhost:8443/simple/"))
		Expect(err.Error()).NotTo(ContainSubstring("Python package not found"))
	})

	// venvFailing runs a venv build whose pip prints output and fails.
	venvFailing := func(output string) error {
		executor := &fake.Executor{Run: func(e effect.Execution) error {
			if len(e.Args) > 1 && e.Args[1] == "venv" {
				return nil
			}
			_, _ = e.Stdout.Write([]byte(output))
			return errors.New("exit status 2")
		}}
		layers := libcnb.Layers{Path: t.TempDir()}
		layer, err := layers.Layer("venv")
		Expect(err).NotTo(HaveOccurred())
		return python.Venv{
			AppDir: t.TempDir(), Executor: executor, Logger: log.NewPaketoLogger(&bytes.Buffer{}),
			Env: []string{"PIP_INDEX_URL=https://u:secret@127.0.0.1:8443/simple/"},
			Key: python.VenvKey{Install: []string{"--requirement requirements.txt"}},
		}.Contribute(&layer)
	}

	it("reports pip's own crash as pip failing, with the exception, never as a requirement to fix", func() {
		err := venvFailing(pipCrash)
		Expect(err).To(MatchError(ContainSubstring("[Error: pip crashed]")))
		Expect(err.Error()).To(ContainSubstring("pip failed with an error of its own while installing the app's dependencies from https://u:xxxxx@127.0.0.1:8443/simple/, not because of a requirement: ValueError: check_hostname requires server_hostname"))
		Expect(err.Error()).To(ContainSubstring(`raise ValueError("check_hostname requires server_hostname")`), "the traceback's end is shown")
		Expect(err.Error()).NotTo(ContainSubstring("Fix the requirement"))
		Expect(err.Error()).NotTo(ContainSubstring("secret"))
	})

	it("leaves a package's failed build, whose traceback pip indents, a failed install", func() {
		err := venvFailing(backendFailure)
		Expect(err).To(MatchError(ContainSubstring("[Error: pip install failed]")))
		Expect(err.Error()).NotTo(ContainSubstring("pip crashed"))
	})

	it("keeps the proxy variables of the build in pip's environment", func() {
		proxies := []string{
			"HTTP_PROXY=http://127.0.0.1:3128", "HTTPS_PROXY=http://127.0.0.1:3128", "NO_PROXY=localhost",
			"http_proxy=http://127.0.0.1:3128", "https_proxy=http://127.0.0.1:3128", "no_proxy=localhost",
		}
		environ := append([]string{"PATH=/usr/bin"}, proxies...)
		reader, err := settings.New(fake.Metadata(t, "python"), environ)
		Expect(err).NotTo(HaveOccurred())
		config := python.ReadSettings(reader).PipIndex
		env := python.PipEnvironment(environ, config, "/cache")

		Expect(env).To(ContainElements(proxies))
		Expect(strings.Join(env, "\n")).To(ContainSubstring("PIP_CACHE_DIR=/cache"))
		Expect(config).To(BeEmpty(), "a proxy is how pip gets there, not what it installs: no part of the venv key")
	})
}

// pipCrash is trixie's pip 25.1 meeting an HTTPS index at an IP address
// through its truststore (the frames in between left out).
const pipCrash = `Looking in indexes: https://u:****@127.0.0.1:8443/simple/
ERROR: Exception:
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/pip/_internal/cli/base_command.py", line 105, in _run_wrapper
    status = _inner_run()
  File "/usr/lib/python3/dist-packages/pip/_vendor/urllib3/util/ssl_.py", line 493, in _ssl_wrap_socket_impl
    return ssl_context.wrap_socket(sock)
  File "/usr/lib/python3/dist-packages/pip/_vendor/truststore/_api.py", line 124, in wrap_socket
    ssl_sock = self._ctx.wrap_socket(
  File "/usr/lib/python3.13/ssl.py", line 455, in wrap_socket
    return self.sslsocket_class._create(
  File "/usr/lib/python3.13/ssl.py", line 1041, in _create
    raise ValueError("check_hostname requires server_hostname")
ValueError: check_hostname requires server_hostname
`

// backendFailure is pip reporting a package whose setup.py fails: the
// traceback is the package's, indented in pip's report.
const backendFailure = `Collecting broken==1.0
  Downloading broken-1.0.tar.gz (1 kB)
  Preparing metadata (setup.py) ... error
  error: subprocess-exited-with-error

  × python setup.py egg_info did not run successfully.
  │ exit code: 1
  ╰─> [4 lines of output]
      Traceback (most recent call last):
        File "<string>", line 2, in <module>
      ImportError: No module named numpy
      [end of output]
error: metadata-generation-failed
`

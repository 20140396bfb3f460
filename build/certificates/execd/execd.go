// Package execd is onbuild/ca-certificates' container-start program: the
// launcher runs it before the app when the binding's CAs are embedded, and
// it points the app's TLS clients at the run image's CAs joined with them.
// It imports nothing of the build, so the program stays small.
package execd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Files and names the build and the program share.
const (
	// Name is the exec.d program, built to <buildpack>/bin/ca-certificates-helper.
	Name = "ca-certificates-helper"
	// SystemCertificates is the stack's CA bundle (Debian's path).
	SystemCertificates = "/etc/ssl/certs/ca-certificates.crt"
	// CombinedBundle is the file of the layer holding the stack's CAs and
	// the bindings', as the build made it.
	CombinedBundle = "ca-certificates.crt"
	// BoundBundle is the file of the layer holding the CAs the bindings add
	// to the stack's.
	BoundBundle = "bindings.pem"
)

// Helper is the exec.d program of an embedded ca-certificates
// layer. At every container start it joins the run image's CA bundle, which
// `pack rebase` may have updated since the build, with the binding's CAs,
// and points the app's TLS clients at the result.
type Helper struct {
	LayerDir string
	// SystemBundle is the bundle the app would trust without onbuild.
	SystemBundle string
	TempDir      string
	Stderr       io.Writer
}

// New finds the layer from the program's own path,
// <layer>/exec.d/ca-certificates-helper. A SSL_CERT_FILE set for the
// container replaces the run image's bundle as the base.
func New() Helper {
	helper := Helper{SystemBundle: SystemCertificates, TempDir: os.TempDir(), Stderr: os.Stderr}
	if exe, err := os.Executable(); err == nil {
		helper.LayerDir = filepath.Dir(filepath.Dir(exe))
	}
	if file := os.Getenv("SSL_CERT_FILE"); file != "" {
		helper.SystemBundle = file
	}
	return helper
}

// Execute returns the variables the launcher sets for the app.
func (h Helper) Execute() (map[string]string, error) {
	bound, err := os.ReadFile(filepath.Join(h.LayerDir, BoundBundle))
	if err != nil {
		return nil, fmt.Errorf("unable to read the CA certificates embedded by onbuild/ca-certificates\n%w", err)
	}
	system, err := os.ReadFile(h.SystemBundle)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("unable to read %s\n%w", h.SystemBundle, err)
	}
	path, err := h.write(append(WithNewline(system), bound...))
	if err != nil {
		// A read-only file system must not stop the app: the bundle made at
		// build time holds the same CAs, only not a rebased run image's.
		path = filepath.Join(h.LayerDir, CombinedBundle)
		fmt.Fprintf(h.Stderr, "onbuild/ca-certificates: %v; using %s, made at build time\n", err, path)
	}
	return map[string]string{"SSL_CERT_FILE": path, "REQUESTS_CA_BUNDLE": path}, nil
}

func (h Helper) write(bundle []byte) (string, error) {
	file, err := os.CreateTemp(h.TempDir, "ca-certificates-*.crt")
	if err != nil {
		return "", fmt.Errorf("unable to create the CA bundle: %w", err)
	}
	_, err = file.Write(bundle)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		// Readable by whatever user the app switches to.
		err = os.Chmod(file.Name(), 0644)
	}
	if err != nil {
		os.Remove(file.Name())
		return "", fmt.Errorf("unable to write the CA bundle: %w", err)
	}
	return file.Name(), nil
}

func WithNewline(data []byte) []byte {
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return append(data, '\n')
	}
	return data
}

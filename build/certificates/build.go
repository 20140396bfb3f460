package certificates

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	layerspec "github.com/onbuild-buildpacks/onbuild/internal/layer"

	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/onbuild-buildpacks/onbuild/build/certificates/execd"
	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/paketo-buildpacks/libpak/v2/bindings"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

const (
	systemCertificatesDir = "/etc/ssl/certs"

	// The folder of the ca-certificates layer holding one file per added CA
	// with OpenSSL's hash links; execd names the layer's other files.
	certsDir = "certs"
)

// bundleVariables name the combined bundle for each kind of client a build
// step runs, because each reads its own: SSL_CERT_FILE for OpenSSL (Python's
// ssl, hg) and Go (go, libpak downloads); PIP_CERT and REQUESTS_CA_BUNDLE
// for pip and requests, which otherwise trust only their bundled certifi;
// GIT_SSL_CAINFO and CURL_CA_BUNDLE for git's libcurl and curl in hooks,
// which read a compiled-in path.
var bundleVariables = []string{"SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "GIT_SSL_CAINFO", "CURL_CA_BUNDLE"}

// Certificates is the onbuild/ca-certificates build.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{
		Logger:       log.NewPaketoLogger(os.Stdout),
		Executor:     effect.CommandExecutor{},
		Environ:      os.Environ(),
		SystemBundle: execd.SystemCertificates,
	}.Build(ctx)
}

// Builder makes the CAs of the ca-certificates bindings trusted by
// every later build step and, with BP_EMBED_CERTS, by the app.
type Builder struct {
	Logger log.Logger
	// Executor runs openssl rehash, which names the files of SSL_CERT_DIR
	// the way OpenSSL looks them up.
	Executor     effect.Executor
	Environ      []string
	SystemBundle string
}

func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()

	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return result, err
	}
	config, err := ReadSettings(reader)
	if err != nil {
		return result, err
	}
	embed := config.Embed
	binds := bindings.Resolve(ctx.Platform.Bindings, bindings.OfType(detect.CACertificatesBinding))
	sort.Slice(binds, func(i, j int) bool { return binds[i].Name < binds[j].Name })
	if len(binds) == 0 {
		b.Logger.Headerf("%s", color.YellowString("Warning: %s=true, but there is no binding of type %s: the app trusts the run image's CAs only",
			detect.EmbedCertsSetting, detect.CACertificatesBinding))
		return result, nil
	}

	bound, err := b.readBindings(binds)
	if err != nil {
		return result, err
	}
	system, err := b.systemCertificates()
	if err != nil {
		return result, err
	}
	added := system.missing(bound)
	b.warnExpired(added)

	layer, err := ctx.Layers.Layer(CertificatesLayer.Name)
	if err != nil {
		return result, fmt.Errorf("unable to create ca-certificates layer\n%w", err)
	}
	// Rewritten on every build: it takes milliseconds, and a layer that is
	// never reused cannot hold CAs from an earlier build's binding.
	if layer, err = layer.Reset(); err != nil {
		return result, fmt.Errorf("unable to reset ca-certificates layer\n%w", err)
	}
	if err := b.writeLayer(layer, system, added); err != nil {
		return result, err
	}
	b.Logger.Headerf("Trusted by every later build step: %d CAs of the stack, %d added by the bindings", len(system.certs), len(added))
	b.Logger.Bodyf("%s", strings.Join(append(append([]string{}, bundleVariables...), "SSL_CERT_DIR"), ", "))

	layer.LayerTypes = CertificatesLayer.Types
	layer.LayerTypes.Launch = embed
	layer.Metadata = map[string]interface{}{"bindings": bindingNames(binds), "added": len(added)}
	if embed {
		if err := b.embed(ctx.Buildpack.Path, &layer); err != nil {
			return result, err
		}
	} else {
		b.Logger.Headerf("Not in the app image (%s=true puts them there)", detect.EmbedCertsSetting)
	}
	result.Layers = append(result.Layers, layer)
	return result, nil
}

// certificate is one CA and where it came from, for messages.
type certificate struct {
	cert   *x509.Certificate
	source string
}

func (b Builder) readBindings(binds libcnb.Bindings) ([]certificate, error) {
	var all []certificate
	for _, binding := range binds {
		b.Logger.Headerf("CA certificates from binding %s", binding.Name)
		names := make([]string, 0, len(binding.Secret))
		for name := range binding.Secret {
			names = append(names, name)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, bindingProblem(binding, "", "holds no certificate file, only its type")
		}
		for _, name := range names {
			path, _ := binding.SecretFilePath(name)
			certs, err := readBindingFile(binding, name, path)
			if err != nil {
				return nil, err
			}
			b.logFile(name, certs)
			all = append(all, certs...)
		}
	}
	return all, nil
}

func readBindingFile(binding libcnb.Binding, name, path string) ([]certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("unable to read %s of binding %s\n%w", name, binding.Name, err)
	}
	certs, reason := ParseCertificates(data)
	if reason != "" {
		return nil, bindingProblem(binding, name, reason)
	}
	var out []certificate
	for _, cert := range certs {
		out = append(out, certificate{cert: cert, source: binding.Name + "/" + name})
	}
	return out, nil
}

func (b Builder) logFile(name string, certs []certificate) {
	if len(certs) == 1 {
		b.Logger.Bodyf("%s: %s", name, certs[0].cert.Subject)
	} else {
		b.Logger.Bodyf("%s: %d certificates", name, len(certs))
	}
}

// warnExpired names the expired CAs a binding adds; those the stack ships
// too are the distribution's business.
func (b Builder) warnExpired(certs []certificate) {
	for _, c := range certs {
		if time.Now().After(c.cert.NotAfter) {
			b.Logger.Bodyf("%s", color.YellowString("Warning: %s in %s expired on %s; connections it vouches for will fail",
				c.cert.Subject, c.source, c.cert.NotAfter.Format("2006-01-02")))
		}
	}
}

// ParseCertificates reads a PEM file of certificates. A file that is not
// entirely readable gets a reason, said for a person, instead of a partial
// result: a CA silently skipped shows up much later as a TLS failure far
// from its cause.
func ParseCertificates(data []byte) ([]*x509.Certificate, string) {
	var certs []*x509.Certificate
	rest := data
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = next
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Sprintf("holds a %q PEM block where a CERTIFICATE was expected", block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Sprintf("has a certificate (number %d) that cannot be parsed: %v", len(certs)+1, err)
		}
		certs = append(certs, cert)
	}
	// pem.Decode gives up on a damaged block (bad base64, no END line)
	// without an error; what it left behind tells.
	if bytes.Contains(rest, []byte("-----BEGIN")) {
		where := ""
		if len(certs) > 0 {
			where = fmt.Sprintf(" after %d good certificate(s)", len(certs))
		}
		return nil, fmt.Sprintf("has a damaged PEM block%s: a broken base64 line or a missing -----END CERTIFICATE----- line", where)
	}
	if len(certs) == 0 {
		return nil, "holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)"
	}
	return certs, ""
}

func bindingProblem(binding libcnb.Binding, name, reason string) problem.Problem {
	subject := fmt.Sprintf("The binding %s (type %s, at %s)", binding.Name, binding.Type, binding.Path)
	file := "the binding directory"
	if name != "" {
		subject = fmt.Sprintf("The file %s of the binding %s (type %s, at %s)", name, binding.Name, binding.Type, filepath.Join(binding.Path, name))
		file = name
	}
	return problem.Problem{
		Title: "Malformed CA certificate binding",
		Cause: fmt.Sprintf("%s %s.\nEvery file of a %s binding except `type` must be PEM certificates.", subject, reason, detect.CACertificatesBinding),
		Fixes: []string{
			fmt.Sprintf("Put the CA certificate in %s in PEM form (-----BEGIN CERTIFICATE----- ...); convert a DER file with: openssl x509 -inform der -in ca.cer -out ca.pem", file),
			"Remove from the directory you pass with --volume DIR:/platform/bindings/" + binding.Name + " every file that is not a certificate (keys, notes).",
		},
	}
}

// systemBundle is the stack's bundle as it is, with the digests of its
// certificates so that a binding repeating them adds nothing.
type systemBundle struct {
	data  []byte
	certs map[string]bool
}

func (b Builder) systemCertificates() (systemBundle, error) {
	bundle := systemBundle{certs: map[string]bool{}}
	data, err := os.ReadFile(b.SystemBundle)
	if errors.Is(err, fs.ErrNotExist) {
		b.Logger.Headerf("%s", color.YellowString("Warning: the stack has no %s: the build trusts only the binding's CAs", b.SystemBundle))
		return bundle, nil
	}
	if err != nil {
		return bundle, fmt.Errorf("unable to read the stack's CA bundle\n%w", err)
	}
	bundle.data = data
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			bundle.certs[fingerprint(block.Bytes)] = true
		}
	}
	return bundle, nil
}

// missing returns the CAs of certs the stack does not trust yet, each once:
// a binding made from a whole host bundle adds only what the host has extra.
func (s systemBundle) missing(certs []certificate) []certificate {
	var out []certificate
	seen := map[string]bool{}
	for _, c := range certs {
		sum := fingerprint(c.cert.Raw)
		if !seen[sum] && !s.certs[sum] {
			out = append(out, c)
		}
		seen[sum] = true
	}
	return out
}

// writeLayer writes the layer's files and build environment.
func (b Builder) writeLayer(layer libcnb.Layer, system systemBundle, added []certificate) error {
	dir := filepath.Join(layer.Path, certsDir)
	if err := os.MkdirAll(dir, 0755); err != nil {
		return fmt.Errorf("unable to create %s\n%w", dir, err)
	}
	var addedPEM bytes.Buffer
	for _, c := range added {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})
		addedPEM.Write(block)
		if err := os.WriteFile(filepath.Join(dir, fingerprint(c.cert.Raw)[:16]+".pem"), block, 0644); err != nil {
			return fmt.Errorf("unable to write %s\n%w", c.source, err)
		}
	}
	combined := append(execd.WithNewline(append([]byte{}, system.data...)), addedPEM.Bytes()...)
	for name, data := range map[string][]byte{execd.CombinedBundle: combined, execd.BoundBundle: addedPEM.Bytes()} {
		if err := os.WriteFile(filepath.Join(layer.Path, name), data, 0644); err != nil {
			return fmt.Errorf("unable to write %s\n%w", name, err)
		}
	}
	if err := b.rehash(dir); err != nil {
		return err
	}
	for _, name := range bundleVariables {
		layer.BuildEnvironment.Override(name, filepath.Join(layer.Path, execd.CombinedBundle))
	}
	layer.BuildEnvironment.Override("SSL_CERT_DIR", certDirs(layer))
	return nil
}

// certDirs keeps the system directory after the binding's: SSL_CERT_DIR
// replaces OpenSSL's and Go's default directory instead of adding to it.
func certDirs(layer libcnb.Layer) string {
	return filepath.Join(layer.Path, certsDir) + ":" + systemCertificatesDir
}

func (b Builder) rehash(dir string) error {
	var out bytes.Buffer
	err := b.Executor.Execute(effect.Execution{Command: "openssl", Args: []string{"rehash", dir}, Env: b.Environ, Stdout: &out, Stderr: &out})
	if err != nil {
		return fmt.Errorf("unable to index %s for SSL_CERT_DIR: openssl rehash: %w\n%s", dir, err, out.String())
	}
	return nil
}

// embed makes the layer a launch layer whose exec.d helper joins the run
// image's bundle with the binding's CAs at every start, so a rebase onto a
// run image with updated CAs takes effect without a rebuild.
func (b Builder) embed(buildpackPath string, layer *libcnb.Layer) error {
	helper := filepath.Join(buildpackPath, "bin", execd.Name)
	if err := layerspec.CopyFile(helper, layer.Exec.FilePath(execd.Name), 0755); err != nil {
		return err
	}
	layer.LaunchEnvironment.Override("SSL_CERT_DIR", certDirs(*layer))
	b.Logger.Headerf("In the app image too (%s=true): trusted by the app at run time", detect.EmbedCertsSetting)
	b.Logger.Bodyf("SSL_CERT_FILE, REQUESTS_CA_BUNDLE (the run image's CAs and the binding's, joined at start), SSL_CERT_DIR")
	return nil
}

func bindingNames(binds libcnb.Bindings) []string {
	var names []string
	for _, binding := range binds {
		names = append(names, binding.Name)
	}
	return names
}

// fingerprint names a certificate by the sha256 of its DER bytes.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

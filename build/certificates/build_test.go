package certificates_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/certificates"
	"github.com/onbuild-buildpacks/onbuild/build/certificates/execd"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

// newCA makes a self-signed CA certificate in PEM form.
func newCA(t *testing.T, name string, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notAfter.Add(-48 * time.Hour),
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// newBinding writes a binding directory the way the platform mounts one.
func newBinding(t *testing.T, root, name string, files map[string][]byte) libcnb.Binding {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0755); err != nil {
		t.Fatal(err)
	}
	for file, content := range files {
		if err := os.WriteFile(filepath.Join(dir, file), content, 0644); err != nil {
			t.Fatal(err)
		}
	}
	binding, err := libcnb.NewBindingFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	return binding
}

func testCertificatesBuild(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		executor *fake.Executor
		output   *bytes.Buffer
		builder  certificates.Builder
		systemCA []byte
		testCA   []byte
	)

	it.Before(func() {
		ctx.Buildpack.Info = libcnb.BuildpackInfo{ID: "onbuild/ca-certificates", Name: "onbuild CA certificates", Version: "0.1.0"}
		ctx.Buildpack.Path = t.TempDir()
		ctx.Buildpack.Metadata = fake.Metadata(t, "ca-certificates")
		Expect(os.MkdirAll(filepath.Join(ctx.Buildpack.Path, "bin"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(ctx.Buildpack.Path, "bin", "ca-certificates-helper"), []byte("the exec.d program"), 0755)).To(Succeed())
		ctx.Layers = libcnb.Layers{Path: t.TempDir()}

		systemCA = newCA(t, "Public Root", time.Now().Add(time.Hour))
		testCA = newCA(t, "Corporate Root", time.Now().Add(time.Hour))
		system := filepath.Join(t.TempDir(), "ca-certificates.crt")
		Expect(os.WriteFile(system, systemCA, 0644)).To(Succeed())

		executor = &fake.Executor{}
		output = &bytes.Buffer{}
		builder = certificates.Builder{Logger: log.NewPaketoLogger(output), Executor: executor, SystemBundle: system}
	})

	bind := func(files map[string][]byte) {
		files["type"] = []byte("ca-certificates\n")
		ctx.Platform.Bindings = append(ctx.Platform.Bindings, newBinding(t, t.TempDir(), "corporate", files))
	}

	it("writes the stack's CAs and the binding's into one bundle that later build steps trust", func() {
		bind(map[string][]byte{"ca.pem": testCA})

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Layers).To(HaveLen(1))
		layer := result.Layers[0]
		Expect(layer.Name).To(Equal("ca-certificates"))
		Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true}), "not in the app image by default")

		bundle := filepath.Join(layer.Path, "ca-certificates.crt")
		Expect(os.ReadFile(bundle)).To(Equal(append(append([]byte{}, systemCA...), testCA...)))
		for _, name := range []string{"SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "GIT_SSL_CAINFO", "CURL_CA_BUNDLE"} {
			Expect(layer.BuildEnvironment).To(HaveKeyWithValue(name+".override", bundle))
		}
		certs := filepath.Join(layer.Path, "certs")
		Expect(layer.BuildEnvironment).To(HaveKeyWithValue("SSL_CERT_DIR.override", certs+":/etc/ssl/certs"))
		Expect(layer.LaunchEnvironment).To(BeEmpty())

		files, err := filepath.Glob(filepath.Join(certs, "*.pem"))
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(HaveLen(1))
		Expect(os.ReadFile(files[0])).To(Equal(testCA))
		Expect(executor.Executions).To(HaveLen(1))
		Expect(executor.Executions[0].Command).To(Equal("openssl"))
		Expect(executor.Executions[0].Args).To(Equal([]string{"rehash", certs}))
		Expect(filepath.Join(layer.Path, "exec.d")).NotTo(BeADirectory())

		Expect(output.String()).To(ContainSubstring("CA certificates from binding corporate"))
		Expect(output.String()).To(ContainSubstring("ca.pem: CN=Corporate Root"))
		Expect(output.String()).To(ContainSubstring("1 CAs of the stack, 1 added by the bindings"))
		Expect(output.String()).To(ContainSubstring("Not in the app image (BP_EMBED_CERTS=true puts them there)"))
	})

	it("adds a CA the stack already trusts only once", func() {
		bind(map[string][]byte{"bundle.pem": append(append([]byte{}, systemCA...), testCA...), "again.pem": testCA})

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		bundle, err := os.ReadFile(filepath.Join(result.Layers[0].Path, "ca-certificates.crt"))
		Expect(err).NotTo(HaveOccurred())
		Expect(bytes.Count(bundle, []byte("BEGIN CERTIFICATE"))).To(Equal(2))
		Expect(os.ReadFile(filepath.Join(result.Layers[0].Path, "bindings.pem"))).To(Equal(testCA))
		files, err := filepath.Glob(filepath.Join(result.Layers[0].Path, "certs", "*.pem"))
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(HaveLen(1))
		Expect(output.String()).To(ContainSubstring("bundle.pem: 2 certificates"))
		Expect(output.String()).To(ContainSubstring("1 CAs of the stack, 1 added by the bindings"))
	})

	it("reads every ca-certificates binding and ignores bindings of other types", func() {
		bind(map[string][]byte{"ca.pem": testCA})
		second := newCA(t, "Second Root", time.Now().Add(time.Hour))
		ctx.Platform.Bindings = append(ctx.Platform.Bindings,
			newBinding(t, t.TempDir(), "lab", map[string][]byte{"type": []byte("ca-certificates"), "lab.crt": second}),
			newBinding(t, t.TempDir(), "pip", map[string][]byte{"type": []byte("pip"), "pip.conf": []byte("[global]\n")}))

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		bundle, err := os.ReadFile(filepath.Join(result.Layers[0].Path, "ca-certificates.crt"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(bundle)).To(And(ContainSubstring(string(testCA)), ContainSubstring(string(second))))
		Expect(result.Layers[0].Metadata).To(HaveKeyWithValue("bindings", []string{"corporate", "lab"}))
	})

	it("leaves nothing of an earlier build's binding in the layer", func() {
		layer, err := ctx.Layers.Layer("ca-certificates")
		Expect(err).NotTo(HaveOccurred())
		Expect(os.MkdirAll(filepath.Join(layer.Path, "certs"), 0755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(layer.Path, "certs", "old.pem"), []byte("an old CA"), 0644)).To(Succeed())
		bind(map[string][]byte{"ca.pem": testCA})

		_, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(layer.Path, "certs", "old.pem")).NotTo(BeAnExistingFile())
	})

	it("with BP_EMBED_CERTS=true makes it a launch layer whose exec.d helper sets up the app", func() {
		bind(map[string][]byte{"ca.pem": testCA})
		builder.Environ = []string{"BP_EMBED_CERTS=true"}

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		layer := result.Layers[0]
		Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Build: true, Launch: true}))
		Expect(os.ReadFile(filepath.Join(layer.Path, "exec.d", "ca-certificates-helper"))).To(Equal([]byte("the exec.d program")))
		Expect(os.ReadFile(filepath.Join(layer.Path, "bindings.pem"))).To(Equal(testCA))
		Expect(layer.LaunchEnvironment).To(HaveKeyWithValue("SSL_CERT_DIR.override", filepath.Join(layer.Path, "certs")+":/etc/ssl/certs"))
		Expect(output.String()).To(ContainSubstring("In the app image too"))
	})

	it("warns and adds nothing when BP_EMBED_CERTS is set without a binding", func() {
		builder.Environ = []string{"BP_EMBED_CERTS=true"}

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Layers).To(BeEmpty())
		Expect(output.String()).To(ContainSubstring("Warning: BP_EMBED_CERTS=true, but there is no binding of type ca-certificates"))
	})

	it("rejects a BP_EMBED_CERTS that is neither true nor false", func() {
		bind(map[string][]byte{"ca.pem": testCA})
		builder.Environ = []string{"BP_EMBED_CERTS=yes"}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: Invalid BP_EMBED_CERTS]")))
		Expect(err.Error()).To(ContainSubstring(`BP_EMBED_CERTS="yes" is neither true nor false`))
	})

	it("warns about an expired CA", func() {
		bind(map[string][]byte{"old.pem": newCA(t, "Old Root", time.Now().Add(-time.Hour))})

		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(MatchRegexp(`Warning: CN=Old Root in corporate/old.pem expired on \d{4}-\d\d-\d\d`))
	})

	it("does not warn about an expired CA the stack ships too", func() {
		expired := newCA(t, "Old Root", time.Now().Add(-time.Hour))
		Expect(os.WriteFile(builder.SystemBundle, append(append([]byte{}, systemCA...), expired...), 0644)).To(Succeed())
		bind(map[string][]byte{"host-bundle.crt": append(append([]byte{}, expired...), testCA...)})

		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).NotTo(ContainSubstring("Warning"))
		Expect(output.String()).To(ContainSubstring("2 CAs of the stack, 1 added by the bindings"))
	})

	it("works on a stack without a CA bundle, with only the binding's CAs", func() {
		builder.SystemBundle = filepath.Join(t.TempDir(), "missing.crt")
		bind(map[string][]byte{"ca.pem": testCA})

		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.ReadFile(filepath.Join(result.Layers[0].Path, "ca-certificates.crt"))).To(Equal(testCA))
		Expect(output.String()).To(ContainSubstring("Warning: the stack has no"))
	})

	it("fails when openssl cannot index the certificates", func() {
		bind(map[string][]byte{"ca.pem": testCA})
		executor.Run = func(e effect.Execution) error {
			_, _ = e.Stderr.Write([]byte("openssl: not found\n"))
			return errors.New("exit status 127")
		}

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("openssl rehash: exit status 127\nopenssl: not found")))
	})

	for _, bad := range []struct{ name, content, reason string }{
		{"notes.txt", "call Bob for the proxy password\n", "holds no PEM certificate"},
		{"ca.der", "\x30\x82\x01\x0a", "holds no PEM certificate"},
		{"key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", `holds a "PRIVATE KEY" PEM block where a CERTIFICATE was expected`},
		{"cut.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n", "has a damaged PEM block: a broken base64 line"},
		{"junk.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "has a certificate (number 1) that cannot be parsed"},
	} {
		bad := bad
		it("names the file and the binding of a malformed certificate: "+bad.name, func() {
			bind(map[string][]byte{"good.pem": testCA, bad.name: []byte(bad.content)})

			_, err := builder.Build(ctx)
			Expect(err).To(MatchError(ContainSubstring("[Error: Malformed CA certificate binding]")))
			Expect(err.Error()).To(ContainSubstring("The file " + bad.name + " of the binding corporate (type ca-certificates, at "))
			Expect(err.Error()).To(ContainSubstring(bad.reason))
			Expect(err.Error()).To(ContainSubstring("--volume DIR:/platform/bindings/corporate"))
			Expect(filepath.Join(ctx.Layers.Path, "ca-certificates")).NotTo(BeADirectory(), "a failed build leaves no layer")
		})
	}

	it("fails for a binding with no certificate file", func() {
		bind(map[string][]byte{})

		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("The binding corporate (type ca-certificates, at ")))
		Expect(err.Error()).To(ContainSubstring("holds no certificate file, only its type"))
	})
}

func testParseCertificates(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("reads a bundle with comments between the certificates, as Mozilla's has", func() {
		first, second := newCA(t, "First", time.Now().Add(time.Hour)), newCA(t, "Second", time.Now().Add(time.Hour))
		data := "# First\n" + string(first) + "\nSecond\n======\n" + string(second)

		certs, reason := certificates.ParseCertificates([]byte(data))
		Expect(reason).To(BeEmpty())
		Expect(certs).To(HaveLen(2))
		Expect(certs[1].Subject.CommonName).To(Equal("Second"))
	})

	it("rejects a bundle whose second certificate is cut short", func() {
		first := newCA(t, "First", time.Now().Add(time.Hour))
		certs, reason := certificates.ParseCertificates(append(first, []byte("-----BEGIN CERTIFICATE-----\nMIIB")...))
		Expect(certs).To(BeNil())
		Expect(reason).To(ContainSubstring("damaged PEM block after 1 good certificate(s)"))
	})
}

func testCertificatesHelper(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		helper execd.Helper
		stderr *bytes.Buffer
	)

	it.Before(func() {
		stderr = &bytes.Buffer{}
		helper = execd.Helper{
			LayerDir:     t.TempDir(),
			SystemBundle: filepath.Join(t.TempDir(), "ca-certificates.crt"),
			TempDir:      t.TempDir(),
			Stderr:       stderr,
		}
		Expect(os.WriteFile(filepath.Join(helper.LayerDir, "bindings.pem"), []byte("BOUND\n"), 0644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(helper.LayerDir, "ca-certificates.crt"), []byte("BUILD TIME\n"), 0644)).To(Succeed())
	})

	it("joins the run image's bundle, as it is at start, with the embedded CAs", func() {
		Expect(os.WriteFile(helper.SystemBundle, []byte("RUN IMAGE"), 0644)).To(Succeed())

		env, err := helper.Execute()
		Expect(err).NotTo(HaveOccurred())
		Expect(env).To(HaveKeyWithValue("SSL_CERT_FILE", HavePrefix(helper.TempDir)))
		Expect(env["REQUESTS_CA_BUNDLE"]).To(Equal(env["SSL_CERT_FILE"]))
		Expect(os.ReadFile(env["SSL_CERT_FILE"])).To(Equal([]byte("RUN IMAGE\nBOUND\n")))
		info, err := os.Stat(env["SSL_CERT_FILE"])
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Mode().Perm()).To(Equal(os.FileMode(0644)))
		Expect(stderr.String()).To(BeEmpty())
	})

	it("uses only the embedded CAs on a run image without a bundle", func() {
		env, err := helper.Execute()
		Expect(err).NotTo(HaveOccurred())
		Expect(os.ReadFile(env["SSL_CERT_FILE"])).To(Equal([]byte("BOUND\n")))
	})

	it("falls back to the build-time bundle when it cannot write one", func() {
		helper.TempDir = filepath.Join(t.TempDir(), "missing")

		env, err := helper.Execute()
		Expect(err).NotTo(HaveOccurred())
		Expect(env["SSL_CERT_FILE"]).To(Equal(filepath.Join(helper.LayerDir, "ca-certificates.crt")))
		Expect(stderr.String()).To(ContainSubstring("made at build time"))
	})

	it("fails when the layer lost its embedded CAs", func() {
		Expect(os.Remove(filepath.Join(helper.LayerDir, "bindings.pem"))).To(Succeed())

		_, err := helper.Execute()
		Expect(err).To(MatchError(ContainSubstring("unable to read the CA certificates embedded by onbuild/ca-certificates")))
	})
}

package golang

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/paketo-buildpacks/libpak/v2/sbom"
)

// Proxy returns the first GOPROXY entry that is a proxy (not direct or
// off), where the toolchain is downloaded from like any module, or "".
func Proxy(goproxy string) string { return network.FirstProxy(goproxy) }

// Toolchain contributes the Go toolchain layer: the golang.org/toolchain
// module zip of one version, extracted, cached and reused while the
// version (and its checksum) stays the same. The build image has no Go.
type Toolchain struct {
	Dependency libpak.BuildModuleDependency
	// Proxy is Proxy's pick from GOPROXY; "" when GOPROXY names none.
	Proxy  string
	Cache  libpak.DependencyCache
	Logger log.Logger
	// Env is the build's environment, to explain network failures.
	Env []string
	// Netrc is the netrc binding's file, "" without one.
	Netrc string
}

// toolchainMetadata is the toolchain layer's cache key: libpak's for a
// dependency, and which of its files the layer holds.
type toolchainMetadata struct {
	ID       string `toml:"id"`
	Name     string `toml:"name"`
	Version  string `toml:"version"`
	Checksum string `toml:"checksum"`
	Contents string `toml:"contents"`
}

// Go returns the path of the go command in the layer.
func (t Toolchain) Go(layer libcnb.Layer) string {
	return filepath.Join(layer.Path, "bin", "go")
}

// Contribute fills or reuses the layer. A failure leaves no metadata, so no
// later build trusts a half-extracted toolchain.
func (t Toolchain) Contribute(layer *libcnb.Layer) error {
	previous, _ := layer.Metadata["version"].(string)
	dependency := t.Dependency.GetMetadata()
	expected := toolchainMetadata{
		ID: dependency.ID, Name: dependency.Name, Version: dependency.Version, Checksum: dependency.Checksum,
		Contents: toolchainContents,
	}
	contributor := libpak.NewLayerContributor("Go "+t.Dependency.Version, expected,
		ToolchainLayer.Types, t.Logger)
	err := contributor.Contribute(layer, func(layer *libcnb.Layer) error {
		if previous != "" && previous != t.Dependency.Version {
			t.Logger.Bodyf("The cached toolchain is Go %s; this build needs Go %s", previous, t.Dependency.Version)
		}
		return t.install(layer)
	})
	if err != nil {
		return err
	}
	// The go command must never fetch another toolchain behind the
	// buildpack's back, here or in a later build hook.
	layer.BuildEnvironment.Override("GOTOOLCHAIN", "local")
	return nil
}

func (t Toolchain) install(layer *libcnb.Layer) error {
	start := time.Now()
	dependency := t.Dependency
	uri, err := t.uri()
	if err != nil {
		return err
	}
	dependency.URI = withNetrcLogin(uri, t.Netrc)
	cache := t.Cache
	cache.Logger = redactingLogger{cache.Logger}
	artifact, err := cache.Artifact(dependency)
	if err != nil {
		return t.downloadProblem(uri, err)
	}
	defer artifact.Close()
	downloaded := time.Since(start)

	extraction, err := extractGoroot(artifact, layer.Path)
	if err != nil {
		return fmt.Errorf("unable to extract Go %s\n%w", dependency.Version, err)
	}
	if _, err := os.Stat(t.Go(*layer)); err != nil {
		return fmt.Errorf("the Go %s archive has no bin/go\n%w", dependency.Version, err)
	}
	artifactSBOM, err := dependency.AsSyftArtifact("buildpack.toml")
	if err != nil {
		return fmt.Errorf("unable to describe Go %s for the SBOM\n%w", dependency.Version, err)
	}
	if err := sbom.NewSyftDependency(layer.Path, []sbom.SyftArtifact{artifactSBOM}).WriteTo(layer.SBOMPath(libcnb.SyftJSON)); err != nil {
		return fmt.Errorf("unable to write the Go toolchain SBOM\n%w", err)
	}
	// The download and the extraction apart: the first depends on the
	// network, the second is what every cold build pays.
	t.Logger.Bodyf("Installed Go %s in %s (download %s, extract %s): %d files (%s) that go build and go test read; left out %d (%s): the standard library's tests and testdata, the source of cmd/, and tools such as pprof and trace",
		dependency.Version, round(time.Since(start)), round(downloaded), round(time.Since(start)-downloaded),
		extraction.Files, FormatSize(extraction.Bytes), extraction.Skipped, FormatSize(extraction.Left))
	return nil
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }

// uri joins the proxy to the module path of buildpack.toml. Without a
// proxy, only the buildpack itself (an offline builder carries the zip), a
// dependency-mapping binding or BP_DEPENDENCY_MIRROR can still provide it.
func (t Toolchain) uri() (string, error) {
	if t.Proxy != "" {
		return strings.TrimSuffix(t.Proxy, "/") + "/" + strings.TrimPrefix(t.Dependency.URI, "/"), nil
	}
	carried := filepath.Join(t.Cache.CachePath, t.Dependency.GetChecksum().Hash()+".toml")
	if _, err := os.Stat(carried); err == nil {
		return t.Dependency.URI, nil
	}
	for digest := range t.Cache.Mappings {
		if t.Dependency.GetChecksum().MatchString(digest) {
			return t.Dependency.URI, nil
		}
	}
	if t.Cache.DependencyMirrors["default"] != "" {
		return t.Dependency.URI, nil
	}
	return "", problem.Problem{
		Title: "No Go module proxy for the toolchain",
		Cause: fmt.Sprintf("onbuild/go downloads Go %s from the Go module proxy, and GOPROXY=%q names none (only direct or off).",
			t.Dependency.Version, network.Redact(envvar.Value(t.Env, "GOPROXY"))),
		Fixes: []string{
			"Set a proxy for the build: pack build --env GOPROXY=https://<your proxy>,direct",
			"Build offline with a binding of type dependency-mapping that maps the toolchain's sha256 (in onbuild/go's buildpack.toml) to a file:// URI.",
		},
	}
}

// downloadProblem never shows the URL or error as given: GOPROXY may carry
// a user and password, and the URL and the client's error repeat them.
func (t Toolchain) downloadProblem(uri string, err error) error {
	uri, reason := network.Redact(uri), network.RedactText(err.Error())
	if problem, ok := network.Diagnose("The Go toolchain download", network.Redact(t.Proxy), reason, t.Env); ok {
		return problem
	}
	if strings.Contains(err.Error(), "does not match expected") {
		return problem.Problem{
			Title: "Go toolchain checksum mismatch",
			Cause: fmt.Sprintf("The file served for Go %s is not the one onbuild/go pins (%s):\n%s", t.Dependency.Version, t.Dependency.GetChecksum(), reason),
			Fixes: []string{"Point GOPROXY at a proxy that serves the golang.org/toolchain module unaltered."},
		}
	}
	return problem.Problem{
		Title: "Go toolchain download failed",
		Cause: fmt.Sprintf("onbuild/go could not download Go %s from %s:\n%s", t.Dependency.Version, uri, reason),
		Fixes: []string{
			"Check that the build reaches GOPROXY (the build runs in a container: localhost there is the container).",
			"Build offline with a binding of type dependency-mapping that maps the toolchain's sha256 (in onbuild/go's buildpack.toml) to a file:// URI.",
		},
	}
}

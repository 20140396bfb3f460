package vcs

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	layerspec "github.com/onbuild-buildpacks/onbuild/internal/layer"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/paketo-buildpacks/libpak/v2/sbom"
)

// debianLayout versions how a DebianTool lays out its layer: bump it when
// that changes, so cached layers of the old layout are rebuilt.
const debianLayout = 1

// DebianTool contributes a build-only, cached layer holding a tool's Debian
// packages, extracted as they would be installed under the layer's root.
// The layer is reused while the packages' checksums are unchanged, so a
// second build downloads nothing.
type DebianTool struct {
	// Title names the tool in the log ("Git").
	Title string
	// Packages are buildpack.toml dependencies, uri a pool path.
	Packages []libpak.BuildModuleDependency
	// Mirror is BP_DEBIAN_MIRROR.
	Mirror   string
	Cache    libpak.DependencyCache
	Executor effect.Executor
	Logger   log.Logger
}

// debianKey is the layer's cache key.
type debianKey struct {
	Layout   int                                         `toml:"layout"`
	Packages []libpak.DependencyLayerContributorMetadata `toml:"packages"`
}

// Contribute fills the layer, or reuses it when the packages are unchanged.
// A failure leaves no metadata, so no later build trusts a half-made layer.
func (t DebianTool) Contribute(layer *libcnb.Layer) error {
	key := debianKey{Layout: debianLayout}
	for _, pkg := range t.Packages {
		key.Packages = append(key.Packages, pkg.GetMetadata())
	}
	previous := layer.Metadata
	contributor := libpak.NewLayerContributor(t.Title, key, ToolLayer.Types, t.Logger)
	err := contributor.Contribute(layer, func(layer *libcnb.Layer) error {
		for _, reason := range key.reasons(previous) {
			t.Logger.Bodyf("%s", reason)
		}
		start := time.Now()
		for _, pkg := range t.Packages {
			if err := t.install(pkg, layer.Path); err != nil {
				return err
			}
		}
		// Documentation and translations are most of the bytes and no
		// build step reads them.
		for _, dir := range []string{"usr/share/doc", "usr/share/man", "usr/share/locale"} {
			if err := os.RemoveAll(filepath.Join(layer.Path, dir)); err != nil {
				return fmt.Errorf("unable to remove %s\n%w", dir, err)
			}
		}
		t.Logger.Bodyf("Installed %d Debian packages in %s", len(t.Packages), time.Since(start).Round(100*time.Millisecond))
		return nil
	})
	if err != nil {
		return err
	}
	return t.writeSBOM(*layer)
}

// install downloads one package through libpak's dependency cache (sha256
// check, dependency-mapping bindings for offline builds, BP_DEPENDENCY_MIRROR
// for https mirrors) and extracts it into dir.
func (t DebianTool) install(pkg libpak.BuildModuleDependency, dir string) error {
	uri, err := t.uri(pkg)
	if err != nil {
		return err
	}
	pkg.URI = uri
	artifact, err := t.Cache.Artifact(pkg)
	if err != nil {
		return downloadProblem(pkg, t.Mirror, err)
	}
	defer artifact.Close()

	var out strings.Builder
	err = t.Executor.Execute(effect.Execution{
		Command: "dpkg-deb", Args: []string{"--extract", artifact.Name(), dir}, Stdout: &out, Stderr: &out,
	})
	if err != nil {
		return fmt.Errorf("unable to extract %s %s\n%w\n%s", pkg.Name, pkg.Version, err, out.String())
	}
	return nil
}

// uri joins the mirror and the pool path. Without a mirror the build can
// still succeed offline, when a dependency-mapping binding maps the
// package's checksum to a file.
func (t DebianTool) uri(pkg libpak.BuildModuleDependency) (string, error) {
	if t.Mirror == "" {
		for digest := range t.Cache.Mappings {
			if pkg.GetChecksum().MatchString(digest) {
				return pkg.URI, nil
			}
		}
		return "", problem.Problem{
			Title: "No Debian mirror configured",
			Cause: fmt.Sprintf("onbuild/vcs downloads %s from a Debian mirror, and %s is empty.", pkg.Name, DebianMirrorSetting),
			Fixes: []string{
				fmt.Sprintf("Set the mirror: pack build --env %s=http://<mirror>/debian (the URL in your apt sources).", DebianMirrorSetting),
				"Build offline with a binding of type dependency-mapping that maps each package's sha256 to a file:// URI.",
			},
		}
	}
	base, err := url.Parse(t.Mirror)
	if err != nil || base.Scheme == "" || (base.Host == "" && base.Scheme != "file") {
		return "", problem.Problem{
			Title: "Bad Debian mirror",
			Cause: fmt.Sprintf("%s=%s is not a URL.", DebianMirrorSetting, t.Mirror),
			Fixes: []string{fmt.Sprintf("Set %s to the mirror's base URL, the folder that holds pool/, e.g. http://<mirror>/debian.", DebianMirrorSetting)},
		}
	}
	return strings.TrimSuffix(t.Mirror, "/") + "/" + strings.TrimPrefix(pkg.URI, "/"), nil
}

// downloadProblem explains a failed download; libpak's error names the URL.
func downloadProblem(pkg libpak.BuildModuleDependency, mirror string, err error) problem.Problem {
	if strings.Contains(err.Error(), "does not match expected") {
		return problem.Problem{
			Title: "Debian package checksum mismatch",
			Cause: fmt.Sprintf("%s %s from %s is not the file onbuild/vcs pins (%s):\n%v",
				pkg.Name, pkg.Version, mirror, pkg.GetChecksum(), err),
			Fixes: []string{
				fmt.Sprintf("Point %s at a mirror that serves Debian's own packages, not a rebuilt or altered archive.", DebianMirrorSetting),
				"If buildpack.toml was edited, take the SHA256 from `apt-cache show " + pkg.ID + "=" + pkg.Version + "`.",
			},
		}
	}
	return problem.Problem{
		Title: "Debian package download failed",
		Cause: fmt.Sprintf("onbuild/vcs could not download %s %s:\n%v", pkg.Name, pkg.Version, err),
		Fixes: []string{
			fmt.Sprintf("Check that the build reaches %s=%s (the build runs in a container: localhost there is the container).", DebianMirrorSetting, mirror),
			"A mirror drops superseded versions after a Debian point release: point " + DebianMirrorSetting + " at a snapshot archive that still has " + pkg.URI + ".",
			"Build offline with a binding of type dependency-mapping that maps the package's sha256 to a file:// URI.",
		},
	}
}

// reasons says why a previous layer of this tool is not reused.
func (k debianKey) reasons(previous map[string]interface{}) []string {
	if len(previous) == 0 {
		return nil
	}
	var old debianKey
	if err := layerspec.DecodeMetadata(previous, &old); err != nil {
		return []string{"Previous layer metadata unreadable, rebuilding"}
	}
	var reasons []string
	if old.Layout != k.Layout {
		reasons = append(reasons, fmt.Sprintf("layer layout changed: %d -> %d", old.Layout, k.Layout))
	}
	was := map[string]libpak.DependencyLayerContributorMetadata{}
	for _, pkg := range old.Packages {
		was[pkg.ID] = pkg
	}
	for _, pkg := range k.Packages {
		before, ok := was[pkg.ID]
		switch {
		case !ok:
			reasons = append(reasons, pkg.ID+" added")
		case before.Version != pkg.Version:
			reasons = append(reasons, fmt.Sprintf("%s changed: %s -> %s", pkg.ID, before.Version, pkg.Version))
		case before.Checksum != pkg.Checksum:
			reasons = append(reasons, pkg.ID+" checksum changed")
		}
		delete(was, pkg.ID)
	}
	for id := range was {
		reasons = append(reasons, id+" removed")
	}
	return reasons
}

// writeSBOM lists the layer's packages in the build SBOM. It runs on every
// build, not only when the layer is made, so the SBOM does not depend on
// whether the cache was warm.
func (t DebianTool) writeSBOM(layer libcnb.Layer) error {
	var artifacts []sbom.SyftArtifact
	for _, pkg := range t.Packages {
		artifact, err := pkg.AsSyftArtifact("buildpack.toml")
		if err != nil {
			return fmt.Errorf("unable to describe %s for the SBOM\n%w", pkg.ID, err)
		}
		// Scanners group Debian packages under Syft's "deb" type.
		artifact.Type = "deb"
		if artifact.ID, err = artifact.Hash(); err != nil {
			return fmt.Errorf("unable to describe %s for the SBOM\n%w", pkg.ID, err)
		}
		artifacts = append(artifacts, artifact)
	}
	if err := sbom.NewSyftDependency(layer.Path, artifacts).WriteTo(layer.SBOMPath(libcnb.SyftJSON)); err != nil {
		return fmt.Errorf("unable to write the SBOM of %s\n%w", layer.Name, err)
	}
	return nil
}

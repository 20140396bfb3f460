package golang

import (
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/crush"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/paketo-buildpacks/libpak/v2/sbom"
)

// goDependency is the id of the toolchains in buildpack.toml.
const goDependency = "go"

// Request is the Go version an app asks for and who asks, for messages.
type Request struct {
	// Version is "1.23.4", "1.23" (any patch: the newest known), or ""
	// when nothing asks.
	Version string
	// Source names where it comes from: "BP_GO_VERSION", "go.mod's
	// toolchain line", "go.mod's go line".
	Source string
}

// Requested applies the go command's rules: BP_GO_VERSION first, then the
// toolchain line, unless it is older than the go line (the go command
// ignores such a toolchain line), then the go line.
func Requested(project Project, override string) Request {
	if override = strings.TrimPrefix(strings.TrimSpace(override), "go"); override != "" {
		return Request{Version: override, Source: VersionSetting}
	}
	if project.Toolchain != "" && (project.Go == "" || version.Compare("go"+project.Toolchain, "go"+project.Go) >= 0) {
		return Request{Version: project.Toolchain, Source: project.File + "'s toolchain line"}
	}
	if project.Go != "" {
		return Request{Version: project.Go, Source: project.File + "'s go line"}
	}
	return Request{Source: project.File + ", which has no go line,"}
}

// Versions lists the toolchain versions of buildpack.toml, oldest first.
func Versions(dependencies []libpak.BuildModuleDependency) []string {
	var versions []string
	for _, dependency := range dependencies {
		if dependency.ID == goDependency {
			versions = append(versions, dependency.Version)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return version.Compare("go"+versions[i], "go"+versions[j]) < 0 })
	return versions
}

// Resolve turns a request into a version of known: exactly the one asked
// for, or the newest patch of X.Y when only X.Y is given (a go line such
// as `go 1.24` means "any 1.24"), or the newest when nothing is asked.
func Resolve(request Request, known []string) (string, error) {
	if len(known) == 0 {
		return "", fmt.Errorf("buildpack.toml lists no %q dependency", goDependency)
	}
	if request.Version == "" {
		return known[len(known)-1], nil
	}
	if isMinorVersion(request.Version) {
		newest := ""
		for _, v := range known {
			if strings.HasPrefix(v, request.Version+".") {
				newest = v
			}
		}
		if newest != "" {
			return newest, nil
		}
	}
	for _, v := range known {
		if v == request.Version {
			return v, nil
		}
	}
	return "", unknownGoProblem(request, known)
}

// isMinorVersion reports a bare X.Y, without patch or pre-release.
func isMinorVersion(v string) bool {
	parts := strings.Split(v, ".")
	return len(parts) == 2 && version.IsValid("go"+v) && !strings.ContainsAny(parts[1], "abcdefghijklmnopqrstuvwxyz")
}

func unknownGoProblem(request Request, known []string) problem.Problem {
	newest := known[len(known)-1]
	minor := newest[:strings.LastIndex(newest, ".")]
	suggestion := ""
	if lang := version.Lang("go" + request.Version); lang != "" {
		for _, v := range known {
			if version.Lang("go"+v) == lang {
				suggestion = v
			}
		}
	}
	fixes := []string{}
	if suggestion != "" {
		fixes = append(fixes, fmt.Sprintf("Build with the newest known patch of the same release: pack build --env %s=%s", VersionSetting, suggestion))
	}
	fixes = append(fixes,
		fmt.Sprintf("Ask for a version above in %s, e.g. `go %s` (the newest %s patch, %s) and no toolchain line.", goModFile(request), minor, minor, newest),
		fmt.Sprintf("Set %s to one of them: pack build --env %s=%s", VersionSetting, VersionSetting, newest),
	)
	return problem.Problem{
		Title: "Go version not available",
		Cause: fmt.Sprintf("%s asks for Go %s, and onbuild/go can install only these versions:\n  %s",
			request.Source, request.Version, strings.Join(known, ", ")),
		Fixes: fixes,
	}
}

func goModFile(request Request) string {
	if strings.HasPrefix(request.Source, "go.work") {
		return "go.work"
	}
	return "go.mod"
}

// CheckGoLine refuses a BP_GO_VERSION older than the go line: with
// GOTOOLCHAIN=local the go command would stop with a terser message.
func CheckGoLine(resolved string, request Request, project Project) error {
	if request.Source != VersionSetting || project.Go == "" || version.Compare("go"+resolved, "go"+project.Go) >= 0 {
		return nil
	}
	return problem.Problem{
		Title: "Go version too old for " + project.File,
		Cause: fmt.Sprintf("%s=%s picks Go %s, but %s's go line requires Go %s or newer.", VersionSetting, request.Version, resolved, project.File, project.Go),
		Fixes: []string{
			fmt.Sprintf("Set %s to %s or newer, or unset it to build with what %s asks for.", VersionSetting, project.Go, project.File),
			fmt.Sprintf("Lower the go line of %s, if the code builds with Go %s.", project.File, resolved),
		},
	}
}

// Proxy returns the first GOPROXY entry that is a proxy (not direct or
// off), where the toolchain is downloaded from like any module, or "".
func Proxy(goproxy string) string {
	for _, entry := range strings.FieldsFunc(goproxy, func(r rune) bool { return r == ',' || r == '|' }) {
		entry = strings.TrimSpace(entry)
		if entry != "" && entry != "direct" && entry != "off" {
			return entry
		}
	}
	return ""
}

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

// Go returns the path of the go command in the layer.
func (t Toolchain) Go(layer libcnb.Layer) string {
	return filepath.Join(layer.Path, "bin", "go")
}

// Contribute fills or reuses the layer. A failure leaves no metadata, so no
// later build trusts a half-extracted toolchain.
func (t Toolchain) Contribute(layer *libcnb.Layer) error {
	previous, _ := layer.Metadata["version"].(string)
	contributor := libpak.NewLayerContributor("Go "+t.Dependency.Version, t.Dependency.GetMetadata(),
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

	// Module zips hold every file under golang.org/toolchain@<version>/.
	if err := crush.Extract(artifact, layer.Path, 2); err != nil {
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
	t.Logger.Bodyf("Installed Go %s in %s", dependency.Version, time.Since(start).Round(100*time.Millisecond))
	return nil
}

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

package debpkg

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/onbuild-buildpacks/onbuild/internal/debian"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
	"github.com/onbuild-buildpacks/onbuild/internal/target"
)

// Build is the onbuild/debian-packages build.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{
		Logger:      log.NewPaketoLogger(os.Stdout),
		Environ:     os.Environ(),
		Keyrings:    DebianKeyrings,
		BuildStatus: BuildImageStatus,
		Client:      &http.Client{Timeout: 5 * time.Minute},
	}.Build(ctx)
}

// DebianKeyrings are where the build image keeps Debian's archive keys
// (debian-archive-keyring: .pgp from trixie on, .gpg before).
var DebianKeyrings = []string{
	"/usr/share/keyrings/debian-archive-keyring.pgp",
	"/usr/share/keyrings/debian-archive-keyring.gpg",
}

// BuildImageStatus is the build image's dpkg database.
const BuildImageStatus = "/var/lib/dpkg/status"

// Builder carries what the build needs from the outside, so tests can
// point it at their own keys, mirror and images.
type Builder struct {
	Logger      log.Logger
	Environ     []string
	Keyrings    []string
	BuildStatus string
	Client      *http.Client
}

// suites maps a stack id to its Debian release.
var suites = map[string]string{
	"io.onbuild.stacks.trixie":   "trixie",
	"io.onbuild.stacks.bookworm": "bookworm",
}

// distroVersions maps a release to the purl's distro qualifier.
var distroVersions = map[string]string{"trixie": "debian-13", "bookworm": "debian-12"}

func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return result, err
	}
	s, err := ReadSettings(reader)
	if err != nil {
		return result, err
	}
	requests, err := ReadAptfile(ctx.ApplicationPath)
	if err != nil {
		return result, err
	}
	fromSetting, err := SettingRequests(s.Packages)
	if err != nil {
		return result, err
	}
	requests = append(requests, fromSetting...)
	if planned := PlanRequests(ctx.Plan); s.Auto {
		requests = append(requests, planned...)
	} else {
		for _, r := range planned {
			b.Logger.Bodyf("Not installing %s (%s): %s=false", r.Name, r.Origin, AutoSetting)
		}
	}
	requests = dedupe(requests)
	if len(requests) == 0 {
		b.Logger.Body("No Debian packages asked for")
		return result, nil
	}
	for _, r := range requests {
		b.Logger.Bodyf("%s (%s)", r.Name, r.Origin)
	}

	cacheLayer, archive, index, err := b.readIndex(ctx, s)
	if err != nil {
		return result, err
	}

	buildImage, err := readStatus(b.BuildStatus)
	if err != nil {
		return result, err
	}
	runStatus := filepath.Join(ctx.Buildpack.Path, "run-images", ctx.StackID+".status")
	runImage, err := readStatus(runStatus)
	if err != nil {
		return result, fmt.Errorf("unable to read the run image's packages (%s, written by builder/builder.sh)\n%w", runStatus, err)
	}

	names := make([]string, len(requests))
	for i, r := range requests {
		names[i] = r.Name
	}
	buildSet, err := debian.Resolver{Archive: index, Installed: buildImage}.Resolve(names)
	if err != nil {
		return result, resolveProblem(err, requests)
	}
	launchSet, err := debian.Resolver{
		Archive: index, Installed: runImage, RefuseInstalled: true,
		Leave: func(p *debian.Package) bool { return p.IsDevelopment() },
	}.Resolve(debian.RuntimeRoots(index, runImage, names))
	if err != nil {
		return result, resolveProblem(err, requests)
	}
	b.Logger.Header("Rebase cannot update these packages: rebuild the app to pick up their security updates")

	debs := filepath.Join(cacheLayer.Path, "debs")
	installer := Installer{Archive: archive, Debs: debs, Logger: b.Logger, Distro: distroVersions[suites[ctx.StackID]]}
	buildLayer, err := ctx.Layers.Layer(BuildLayer.Name)
	if err != nil {
		return result, fmt.Errorf("unable to create the %s layer\n%w", BuildLayer.Name, err)
	}
	if err := installer.Contribute(&buildLayer, BuildLayer, buildSet); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, buildLayer)
	if len(launchSet) > 0 {
		launchLayer, err := ctx.Layers.Layer(LaunchLayer.Name)
		if err != nil {
			return result, fmt.Errorf("unable to create the %s layer\n%w", LaunchLayer.Name, err)
		}
		if err := installer.Contribute(&launchLayer, LaunchLayer, launchSet); err != nil {
			return result, err
		}
		result.Layers = append(result.Layers, launchLayer)
	} else {
		b.Logger.Body("The run image has every run-time package already")
	}
	if err := prune(debs, append(buildSet, launchSet...)); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, cacheLayer)
	return result, nil
}

// readIndex reads the stack's suites' package index, verified, through the
// cache layer that keeps the downloaded indexes between builds.
func (b Builder) readIndex(ctx libcnb.BuildContext, s Settings) (libcnb.Layer, debian.Archive, *debian.Index, error) {
	suite, ok := suites[ctx.StackID]
	if !ok {
		return libcnb.Layer{}, debian.Archive{}, nil, unknownStack(ctx.StackID)
	}
	cacheLayer, err := ctx.Layers.Layer(CacheLayer.Name)
	if err != nil {
		return cacheLayer, debian.Archive{}, nil, fmt.Errorf("unable to create the %s layer\n%w", CacheLayer.Name, err)
	}
	cacheLayer.LayerTypes = CacheLayer.Types
	archive, err := b.archive(s, suite, target.Arch(ctx.TargetInfo), filepath.Join(cacheLayer.Path, "indexes"))
	if err != nil {
		return cacheLayer, archive, nil, err
	}
	start := time.Now()
	index, err := archive.Load()
	if err != nil {
		return cacheLayer, archive, nil, archiveProblem(err, s)
	}
	b.Logger.Bodyf("Read %d packages of %s in %s", index.Len(), suiteNames(archive.Suites), time.Since(start).Round(100*time.Millisecond))
	return cacheLayer, archive, index, nil
}

// archive is the suite's archive for arch, the build's architecture: its
// packages are those of the run image's platform.
func (b Builder) archive(s Settings, suite, arch, indexCache string) (debian.Archive, error) {
	if s.Mirror == "" {
		return debian.Archive{}, noMirror()
	}
	// The first that exists: the others are the same keys in another
	// format, or links to them.
	var keyrings []string
	for _, path := range b.Keyrings {
		if _, err := os.Stat(path); err == nil {
			keyrings = append(keyrings, path)
			break
		}
	}
	if len(keyrings) == 0 {
		return debian.Archive{}, fmt.Errorf("no Debian archive keyring in the build image (looked for %s): the stack's build image must have debian-archive-keyring", strings.Join(b.Keyrings, ", "))
	}
	keys, err := debian.ReadKeyring(keyrings...)
	if err != nil {
		return debian.Archive{}, err
	}
	suites := []debian.Suite{{Mirror: s.Mirror, Name: suite}, {Mirror: s.Mirror, Name: suite + "-updates"}}
	if s.SecurityMirror != "" {
		suites = append(suites, debian.Suite{Mirror: s.SecurityMirror, Name: suite + "-security"})
	} else {
		b.Logger.Bodyf("%s is not set: installing from %s and %s-updates only, without the security archive", SecurityMirrorSetting, suite, suite)
	}
	return debian.Archive{
		Suites: suites, Keyring: keys, Arch: arch, Client: b.Client, IndexCache: indexCache,
		Log: func(format string, args ...interface{}) { b.Logger.Bodyf(format, args...) },
	}, nil
}

func readStatus(paths ...string) (*debian.Index, error) {
	var files [][]byte
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		files = append(files, data)
	}
	return debian.ReadStatus(files...)
}

func dedupe(requests []Request) []Request {
	seen := map[string]bool{}
	var out []Request
	for _, r := range requests {
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r)
		}
	}
	return out
}

func suiteNames(suites []debian.Suite) string {
	var names []string
	for _, s := range suites {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// prune drops cached .debs the current packages do not use, so the cache
// holds one set, not every version ever built.
func prune(dir string, keep []*debian.Package) error {
	want := map[string]bool{}
	for _, p := range keep {
		want[p.SHA256+".deb"] = true
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if !want[e.Name()] {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

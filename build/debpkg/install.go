package debpkg

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/paketo-buildpacks/libpak/v2/sbom"

	"github.com/onbuild-buildpacks/onbuild/internal/debian"
	"github.com/onbuild-buildpacks/onbuild/internal/layer"
	"github.com/onbuild-buildpacks/onbuild/internal/target"
)

// layout versions how a layer is laid out: bump it when that changes, so
// cached layers of the old layout are rebuilt.
const layout = 1

// Installer downloads, verifies and extracts resolved packages into a
// layer.
type Installer struct {
	Archive debian.Archive
	// Debs is the folder of cached .debs, named by sha256.
	Debs   string
	Logger log.Logger
	// Distro is the purl's distro qualifier (debian-13).
	Distro string
}

// key is a layer's metadata: its cache key.
type key struct {
	Layout   int          `toml:"layout"`
	Packages []packageKey `toml:"packages"`
}

type packageKey struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	SHA256  string `toml:"sha256"`
}

func keyOf(pkgs []*debian.Package) key {
	k := key{Layout: layout}
	for _, p := range pkgs {
		k.Packages = append(k.Packages, packageKey{Name: p.Name, Version: p.Version.String(), SHA256: p.SHA256})
	}
	return k
}

// Contribute fills the layer with pkgs, or reuses it when the resolved set
// is unchanged: then nothing is downloaded. A failure leaves no metadata,
// so no later build trusts a half-made layer.
func (in Installer) Contribute(l *libcnb.Layer, spec layer.Spec, pkgs []*debian.Package) error {
	k := keyOf(pkgs)
	previous := l.Metadata
	title := fmt.Sprintf("Debian packages for the %s (%d)", map[bool]string{true: "app image", false: "build"}[spec.Types.Launch], len(pkgs))
	reused := true
	contributor := libpak.NewLayerContributor(title, k, spec.Types, in.Logger)
	err := contributor.Contribute(l, func(l *libcnb.Layer) error {
		reused = false
		for _, reason := range k.reasons(previous) {
			in.Logger.Bodyf("%s", reason)
		}
		if err := in.install(l, spec, pkgs); err != nil {
			return err
		}
		// Only here: a reused launch layer must stay empty, or the
		// exporter would replace the previous image's layer with env
		// files alone; env files written before persist on reuse.
		if spec.Types.Launch {
			setLaunchEnvironment(l, target.DebianMultiarch(in.Archive.Arch))
		} else {
			setBuildEnvironment(l, target.DebianMultiarch(in.Archive.Arch))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if reused {
		in.Logger.Bodyf("Unchanged packages: nothing downloaded")
	}
	return in.writeSBOM(*l, pkgs)
}

func (in Installer) install(l *libcnb.Layer, spec layer.Spec, pkgs []*debian.Package) error {
	start := time.Now()
	keep := func(string) bool { return true }
	if spec.Types.Launch {
		keep = debian.Runtime
	}
	downloaded := 0
	var size int64
	for _, p := range pkgs {
		file, fresh, err := in.Archive.Download(p, in.Debs)
		if err != nil {
			return archiveProblem(err, Settings{})
		}
		if fresh {
			downloaded++
			size += p.Size
		}
		files, err := debian.Extract(file, l.Path, keep)
		if err != nil {
			return err
		}
		if err := writeRecord(l.Path, p, files); err != nil {
			return err
		}
		in.Logger.Bodyf("%s %s", p.Name, p.Version)
	}
	if !spec.Types.Launch {
		if err := relocatePkgConfig(l.Path); err != nil {
			return err
		}
		if err := relocateConfigScripts(l.Path); err != nil {
			return err
		}
	}
	in.Logger.Bodyf("Installed %d packages (%d downloaded, %.1f MB) in %s", len(pkgs), downloaded, float64(size)/1e6, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// writeRecord writes the package's dpkg status record where scanners find
// it in an image (var/lib/dpkg/status.d/NAME, as in the run images), and
// its file list beside it.
func writeRecord(root string, p *debian.Package, files []string) error {
	record, err := p.StatusRecord()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "var", "lib", "dpkg", "status.d")
	if err := os.MkdirAll(dir, 0755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, p.Name), []byte(record), 0644); err != nil {
		return err
	}
	list := strings.Join(files, "\n") + "\n"
	return os.WriteFile(filepath.Join(dir, p.Name+".list"), []byte(list), 0644)
}

// relocatePkgConfig points the layer's pkg-config files at the layer:
// Debian's say prefix=/usr, and compilers must find the headers here.
func relocatePkgConfig(root string) error {
	return filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".pc") || info.Mode()&os.ModeSymlink != 0 {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		usr := filepath.Join(root, "usr")
		fixed := bytes.ReplaceAll(data, []byte("=/usr"), []byte("="+usr))
		fixed = bytes.ReplaceAll(fixed, []byte("-I/usr/"), []byte("-I"+usr+"/"))
		fixed = bytes.ReplaceAll(fixed, []byte("-L/usr/"), []byte("-L"+usr+"/"))
		return os.WriteFile(path, fixed, info.Mode().Perm())
	})
}

// usrPath is an absolute path under /usr/include, /usr/lib or /usr/share in
// a script.
var usrPath = regexp.MustCompile(`/usr/(?:include|lib|share)(?:/[A-Za-z0-9_.+-]+)*`)

// relocateConfigScripts points the layer's *-config scripts (pg_config,
// mysql_config, xml2-config, ...) at the layer: builds ask them where the
// headers and libraries are, and they answer /usr. A path is moved only
// when the layer has it, so paths of the build image stay as they are.
func relocateConfigScripts(root string) error {
	bin := filepath.Join(root, "usr", "bin")
	entries, err := os.ReadDir(bin)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.Contains(e.Name(), "config") {
			continue
		}
		path := filepath.Join(bin, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(data, []byte("#!")) {
			continue
		}
		fixed := usrPath.ReplaceAllFunc(data, func(p []byte) []byte {
			if _, err := os.Stat(filepath.Join(root, string(p))); err == nil {
				return []byte(filepath.Join(root, string(p)))
			}
			return p
		})
		if err := os.WriteFile(path, fixed, 0755); err != nil {
			return err
		}
	}
	return nil
}

// setBuildEnvironment points the later buildpacks' compilers, linkers,
// pkg-config and programs at the layer; multiarch is the folder of the
// build's architecture under usr/lib (x86_64-linux-gnu).
func setBuildEnvironment(l *libcnb.Layer, multiarch string) {
	usr := filepath.Join(l.Path, "usr")
	sep := string(os.PathListSeparator)
	env := l.BuildEnvironment
	env.Prepend("PATH", sep, filepath.Join(usr, "bin"))
	env.Prepend("CPATH", sep, filepath.Join(usr, "include")+sep+filepath.Join(usr, "include", multiarch))
	libs := filepath.Join(usr, "lib", multiarch) + sep + filepath.Join(usr, "lib")
	env.Prepend("LIBRARY_PATH", sep, libs)
	env.Prepend("LD_LIBRARY_PATH", sep, libs)
	env.Prepend("PKG_CONFIG_PATH", sep, filepath.Join(usr, "lib", multiarch, "pkgconfig")+sep+
		filepath.Join(usr, "lib", "pkgconfig")+sep+filepath.Join(usr, "share", "pkgconfig"))
}

// setLaunchEnvironment puts the libraries and programs on the app's paths.
func setLaunchEnvironment(l *libcnb.Layer, multiarch string) {
	usr := filepath.Join(l.Path, "usr")
	sep := string(os.PathListSeparator)
	env := l.LaunchEnvironment
	env.Prepend("PATH", sep, filepath.Join(usr, "bin"))
	env.Prepend("LD_LIBRARY_PATH", sep, filepath.Join(usr, "lib", multiarch)+sep+filepath.Join(usr, "lib"))
}

// writeSBOM lists the layer's packages. It runs on every build, so the
// SBOM does not depend on whether the layer was reused.
func (in Installer) writeSBOM(l libcnb.Layer, pkgs []*debian.Package) error {
	var artifacts []sbom.SyftArtifact
	for _, p := range pkgs {
		artifact := sbom.SyftArtifact{
			Name: p.Name, Version: p.Version.String(), Type: "deb", FoundBy: "onbuild/debian-packages",
			Locations: []sbom.SyftLocation{{Path: "var/lib/dpkg/status.d/" + p.Name}},
			PURL:      p.Purl(in.Distro),
		}
		id, err := artifact.Hash()
		if err != nil {
			return fmt.Errorf("unable to describe %s for the SBOM\n%w", p.Name, err)
		}
		artifact.ID = id
		artifacts = append(artifacts, artifact)
	}
	if err := sbom.NewSyftDependency(l.Path, artifacts).WriteTo(l.SBOMPath(libcnb.SyftJSON)); err != nil {
		return fmt.Errorf("unable to write the SBOM of %s\n%w", l.Name, err)
	}
	return nil
}

// reasons says why a previous layer is not reused, one line each.
func (k key) reasons(previous map[string]interface{}) []string {
	if len(previous) == 0 {
		return nil
	}
	var old key
	if err := layer.DecodeMetadata(previous, &old); err != nil {
		return []string{"Previous layer metadata unreadable, rebuilding"}
	}
	var reasons []string
	if old.Layout != k.Layout {
		reasons = append(reasons, fmt.Sprintf("Layer layout changed: %d -> %d", old.Layout, k.Layout))
	}
	was := map[string]packageKey{}
	for _, p := range old.Packages {
		was[p.Name] = p
	}
	for _, p := range k.Packages {
		before, ok := was[p.Name]
		switch {
		case !ok:
			reasons = append(reasons, p.Name+" added")
		case before.Version != p.Version:
			reasons = append(reasons, fmt.Sprintf("%s changed: %s -> %s", p.Name, before.Version, p.Version))
		case before.SHA256 != p.SHA256:
			reasons = append(reasons, p.Name+" checksum changed")
		}
		delete(was, p.Name)
	}
	var removed []string
	for name := range was {
		removed = append(removed, name+" removed")
	}
	sort.Strings(removed)
	reasons = append(reasons, removed...)
	return reasons
}

package debpkg

import (
	"strings"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

const (
	// MirrorSetting is the Debian mirror (the folder holding dists/ and
	// pool/), shared with onbuild/vcs; the builder sets it from the apt
	// sources of the machine that created it.
	MirrorSetting = "BP_DEBIAN_MIRROR"
	// SecurityMirrorSetting is the security archive, which lives on a path
	// of its own; without it the build uses the suite and its -updates.
	SecurityMirrorSetting = "BP_DEBIAN_SECURITY_MIRROR"
	// PackagesSetting lists packages like the Aptfile does.
	PackagesSetting = detect.DebianPackagesSetting
	// AutoSetting=false turns off the packages onbuild finds by itself
	// (the language buildpacks' table of well-known projects): only the
	// Aptfile and BP_DEBIAN_PACKAGES count.
	AutoSetting = "BP_DEBIAN_PACKAGES_AUTO"
)

// Settings are what onbuild/debian-packages reads, declared in
// buildpacks/debian-packages/buildpack.toml.
type Settings struct {
	Mirror         string
	SecurityMirror string
	// Packages is BP_DEBIAN_PACKAGES split on spaces and commas.
	Packages []string
	Auto     bool
}

// ReadSettings reads them.
func ReadSettings(r settings.Reader) (Settings, error) {
	auto, err := r.Bool(AutoSetting)
	if err != nil {
		return Settings{}, err
	}
	return Settings{
		Auto:           auto,
		Mirror:         r.String(MirrorSetting),
		SecurityMirror: r.String(SecurityMirrorSetting),
		Packages: strings.FieldsFunc(r.String(PackagesSetting), func(c rune) bool {
			return c == ',' || c == ' ' || c == '\t' || c == '\n'
		}),
	}, nil
}

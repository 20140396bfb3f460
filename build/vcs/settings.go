package vcs

import "github.com/onbuild-buildpacks/onbuild/internal/settings"

// DebianMirrorSetting is the Debian mirror (the folder holding pool/) the
// git and hg packages come from. The builder sets its default from the apt
// sources of the machine that created it, because the mirror is each
// platform's choice and no host is written in the repo.
const DebianMirrorSetting = "BP_DEBIAN_MIRROR"

// Settings are what onbuild/vcs reads, declared in
// buildpacks/vcs/buildpack.toml.
type Settings struct {
	DebianMirror string
}

// ReadSettings reads them.
func ReadSettings(r settings.Reader) Settings {
	return Settings{DebianMirror: r.String(DebianMirrorSetting)}
}

package certificates

import (
	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// Settings are what onbuild/ca-certificates reads, declared in
// buildpacks/ca-certificates/buildpack.toml: only detect.EmbedCertsSetting
// (BP_EMBED_CERTS), which detection reads too.
type Settings struct {
	// Embed puts the binding's CAs in the app image as well.
	Embed bool
}

// ReadSettings refuses a BP_EMBED_CERTS that is neither true nor false.
func ReadSettings(r settings.Reader) (Settings, error) {
	embed, err := r.Bool(detect.EmbedCertsSetting)
	return Settings{Embed: embed}, err
}

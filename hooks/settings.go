package hooks

import "github.com/onbuild-buildpacks/onbuild/internal/settings"

// DirSetting names the variable that replaces all hook locations with one
// directory of the app. Both hook buildpacks declare it in their
// buildpack.toml, and so does onbuild/go, which keeps the hook files when it
// removes the source.
const DirSetting = "BP_ACTION_HOOKS_DIR"

// Settings are what the hook buildpacks read.
type Settings struct {
	// Dir is the one folder hooks come from; empty means the known
	// locations, searched in order.
	Dir string
}

// ReadSettings reads them.
func ReadSettings(r settings.Reader) Settings {
	return Settings{Dir: r.String(DirSetting)}
}

package hooks

import (
	"time"

	"github.com/onbuild-buildpacks/onbuild/hooks/deploy"
	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// DirSetting names the variable that replaces all hook locations with one
// directory of the app. Both hook buildpacks declare it in their
// buildpack.toml, and so does onbuild/go, which keeps the hook files when it
// removes the source.
const DirSetting = "BP_ACTION_HOOKS_DIR"

// TimeoutSetting bounds how long a pre-build or build hook may run: a hook
// waiting for input or for a server that never answers would otherwise
// hold the build until the platform gives up. Both hook buildpacks declare
// it.
const TimeoutSetting = "BP_HOOK_TIMEOUT"

// DeployTimeoutSetting bounds the deploy hook (package deploy reads it at
// container start too).
const DeployTimeoutSetting = deploy.TimeoutSetting

// Settings are what the hook buildpacks read.
type Settings struct {
	// Dir is the one folder hooks come from; empty means the known
	// locations, searched in order.
	Dir string
	// Timeout bounds a pre-build or build hook; 0 is no limit.
	Timeout time.Duration
}

// ReadSettings reads them.
func ReadSettings(r settings.Reader) (Settings, error) {
	timeout, err := invoke.ParseTimeout(TimeoutSetting, r.String(TimeoutSetting))
	return Settings{Dir: r.String(DirSetting), Timeout: timeout}, err
}

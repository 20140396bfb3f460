package hooks

import (
	"fmt"
	"time"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
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

// DeployTimeoutSetting bounds the deploy hook, which delays every container
// start. onbuild/build-hook declares it; the value is fixed at build time,
// and the same variable in the container's environment overrides it.
const DeployTimeoutSetting = "BP_DEPLOY_HOOK_TIMEOUT"

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
	timeout, err := ParseTimeout(TimeoutSetting, r.String(TimeoutSetting))
	return Settings{Dir: r.String(DirSetting), Timeout: timeout}, err
}

// ParseTimeout reads a Go duration (90s, 10m, 1h30m); 0 or nothing means
// no limit.
func ParseTimeout(name, value string) (time.Duration, error) {
	if value == "" || value == "0" {
		return 0, nil
	}
	timeout, err := time.ParseDuration(value)
	if err != nil || timeout < 0 {
		return 0, problem.Problem{
			Title: "Invalid " + name,
			Cause: fmt.Sprintf("%s=%q is not a duration.", name, value),
			Fixes: []string{fmt.Sprintf("Write it like 90s, 10m or 1h (0 means no limit): pack build --env %s=10m", name)},
		}
	}
	return timeout, nil
}

package start

import "github.com/onbuild-buildpacks/onbuild/internal/settings"

// Every setting the start step reads, each declared with its description
// in buildpacks/python/buildpack.toml and listed in the README.
const (
	// LaunchCommandSetting starts the app when there is no Procfile.
	LaunchCommandSetting = "BP_LAUNCH_COMMAND"
	// DisableCollectStaticSetting switches collectstatic off (true/false).
	DisableCollectStaticSetting = "BP_DISABLE_COLLECTSTATIC"
	// HerokuDisableCollectStatic is Heroku's spelling: any value but 0
	// switches it off.
	HerokuDisableCollectStatic = "DISABLE_COLLECTSTATIC"
)

// Settings are the values of one build's start step.
type Settings struct {
	// LaunchCommand is BP_LAUNCH_COMMAND: the command when there is no
	// Procfile.
	LaunchCommand string
	// DisableCollectStatic names the setting that switched collectstatic
	// off, e.g. "BP_DISABLE_COLLECTSTATIC=true"; "" when it runs.
	DisableCollectStatic string
}

// ReadSettings reads them.
func ReadSettings(r settings.Reader) (Settings, error) {
	s := Settings{LaunchCommand: r.String(LaunchCommandSetting)}
	disabled, err := r.Bool(DisableCollectStaticSetting)
	if err != nil {
		return s, err
	}
	if disabled {
		s.DisableCollectStatic = DisableCollectStaticSetting + "=true"
	} else if value := r.String(HerokuDisableCollectStatic); value != "" && value != "0" {
		s.DisableCollectStatic = HerokuDisableCollectStatic + "=" + value
	}
	return s, nil
}

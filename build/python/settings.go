package python

import (
	"github.com/onbuild-buildpacks/onbuild/build/python/lockfile"
	"github.com/onbuild-buildpacks/onbuild/build/python/pyversion"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// Every setting onbuild/python reads, each declared with its description in
// buildpacks/python/buildpack.toml and listed in the README.
const (
	// PythonVersionSetting is the Python the app asks for, above any file.
	PythonVersionSetting = pyversion.Override
	// GroupsSetting adds dependency groups and extras of a lock file to
	// its production dependencies.
	GroupsSetting = lockfile.GroupsSetting
	// GoProxySetting is the go command's GOPROXY: the Python builds are
	// Go modules, downloaded from its first proxy.
	GoProxySetting = "GOPROXY"
)

// PipIndexVariables are the pip settings that change what an install
// resolves to. Each also has a BP_ spelling (BP_PIP_INDEX_URL, ...) that a
// platform can set without touching the developer's pip variables.
var PipIndexVariables = []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"}

// PipResolutionVariables are pip's own settings that change what an install
// resolves to without naming where packages come from. PIP_CONSTRAINT and
// PIP_CONFIG_FILE name files: the venv key holds a digest of their content.
var PipResolutionVariables = []string{"PIP_CONSTRAINT", "PIP_PRE", "PIP_ONLY_BINARY", "PIP_NO_BINARY", "PIP_CONFIG_FILE"}

// Settings are the values of one build.
type Settings struct {
	PythonVersion string
	// PipIndex maps each of PipIndexVariables that is set to its value: a
	// PIP_ variable wins over its BP_PIP_ spelling.
	PipIndex map[string]string
	// PipResolution maps each of PipResolutionVariables that is set to its
	// value.
	PipResolution map[string]string
	// Groups are the lock file's groups and extras to install besides
	// the production dependencies.
	Groups []string
}

// ReadSettings reads them.
func ReadSettings(r settings.Reader) Settings {
	s := Settings{
		PythonVersion: r.String(PythonVersionSetting),
		PipIndex:      map[string]string{},
		PipResolution: map[string]string{},
		Groups:        lockfile.ParseGroups(r.String(GroupsSetting)),
	}
	for _, name := range PipResolutionVariables {
		if value := r.String(name); value != "" {
			s.PipResolution[name] = value
		}
	}
	for _, name := range PipIndexVariables {
		value := r.String(name)
		if value == "" {
			value = r.String("BP_" + name)
		}
		if value != "" {
			s.PipIndex[name] = value
		}
	}
	return s
}

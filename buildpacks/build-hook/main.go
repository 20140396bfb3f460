// Command onbuild/build-hook: runs the app's build hook after the language
// buildpacks, and installs its deploy hook.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/hooks"
)

func main() {
	libpak.BuildpackMain(detect.BuildHook, hooks.BuildHook)
}

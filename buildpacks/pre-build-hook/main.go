// Command onbuild/pre-build-hook: runs the app's pre-build hook before any
// dependency is installed.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/hooks"
)

func main() {
	libpak.BuildpackMain(detect.PreBuildHook, hooks.PreBuildHook)
}

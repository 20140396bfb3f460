// Command onbuild/vcs: git and hg for builds whose dependencies come from
// repositories.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/build/vcs"
	"github.com/onbuild-buildpacks/onbuild/detect"
)

func main() {
	libpak.BuildpackMain(detect.VCS, vcs.Build)
}

// Command onbuild/debian-packages: Debian packages an app asks for (its
// Aptfile, BP_DEBIAN_PACKAGES) or a language buildpack knows it needs.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/build/debpkg"
	"github.com/onbuild-buildpacks/onbuild/detect"
)

func main() {
	libpak.BuildpackMain(detect.DebianPackages, debpkg.Build)
}

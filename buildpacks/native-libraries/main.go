// Command onbuild/native-libraries: the Debian packages of the shared
// libraries the app's ELF files link that the run image lacks.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/build/debpkg"
	"github.com/onbuild-buildpacks/onbuild/detect"
)

func main() {
	libpak.BuildpackMain(detect.NativeLibraries, debpkg.Libraries)
}

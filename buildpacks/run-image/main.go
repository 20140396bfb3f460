// Command onbuild/run-image: the image extension that switches Go apps to
// the tiny run image.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/build/runimage"
	"github.com/onbuild-buildpacks/onbuild/detect"
)

func main() {
	libpak.ExtensionMain(detect.RunImage, runimage.Generate)
}

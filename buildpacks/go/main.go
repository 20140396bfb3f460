// Command onbuild/go: detect and build for Go apps.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/detect"
)

func main() {
	libpak.BuildpackMain(detect.Go, golang.Build)
}

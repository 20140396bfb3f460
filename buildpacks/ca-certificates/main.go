// Command onbuild/ca-certificates: makes later build steps, and with
// BP_EMBED_CERTS the app, trust the CAs of a ca-certificates binding.
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/build/certificates"
	"github.com/onbuild-buildpacks/onbuild/detect"
)

func main() {
	libpak.BuildpackMain(detect.Certificates, certificates.Build)
}

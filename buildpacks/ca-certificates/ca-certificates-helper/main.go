// Command ca-certificates-helper is onbuild/ca-certificates' exec.d
// program: at container start it points the app's TLS clients at the run
// image's CAs joined with the embedded ones.
package main

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/build/certificates/execd"
)

func main() {
	libcnb.RunExecD(map[string]libcnb.ExecD{execd.Name: execd.New()})
}

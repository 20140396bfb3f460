// Command imageindex publishes a multi-architecture image index of images
// already in a registry (builder/publish.sh):
//
//	imageindex REGISTRY/builder:trixie REGISTRY/builder:trixie-amd64 REGISTRY/builder:trixie-arm64
package main

import (
	"fmt"
	"os"

	"github.com/onbuild-buildpacks/onbuild/builder/index"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: imageindex INDEX IMAGE...")
		os.Exit(2)
	}
	digest, err := index.Write(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "imageindex: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(digest)
}

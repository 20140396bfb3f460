package start

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// Layer is the one layer the start step writes (ARCHITECTURE.md, "Layers").
var Layer = layer.Spec{
	Name:        "start",
	Types:       libcnb.LayerTypes{Launch: true},
	Key:         "the sha256 of the supervisor and web-concurrency programs, the same for every app",
	Invalidated: "another buildpack's programs; unchanged, only its metadata is written and the lifecycle reuses the previous image's layer",
}

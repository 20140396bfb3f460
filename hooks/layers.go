package hooks

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// The layers the hook buildpacks write (ARCHITECTURE.md, "Layers").
var (
	ExportLayerSpec = layer.Spec{
		Name:        "hook-env",
		Types:       libcnb.LayerTypes{Build: true, Launch: true},
		Key:         "the exported variable names",
		Invalidated: "every build: the hooks that fill it run every build",
	}
	BuildExportLayerSpec = layer.Spec{
		Name:        "hook-build-env",
		Types:       libcnb.LayerTypes{Build: true},
		Key:         "the exported variable names",
		Invalidated: "every build; never cached, never in the image",
	}
	DeployLayerSpec = layer.Spec{
		Name:        "deploy-hook",
		Types:       libcnb.LayerTypes{Launch: true},
		Key:         "none: the hook's name and path in deploy-hook.toml",
		Invalidated: "every build",
	}
)

// Layers lists them all.
var Layers = []layer.Spec{ExportLayerSpec, BuildExportLayerSpec, DeployLayerSpec}

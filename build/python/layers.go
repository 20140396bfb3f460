package python

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/build/python/start"
	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// The layers onbuild/python writes (ARCHITECTURE.md, "Layers").
var (
	VenvLayer = layer.Spec{
		Name:        "venv",
		Types:       libcnb.LayerTypes{Build: true, Cache: true, Launch: true},
		Key:         "VenvKey: requirements bytes through -r/-c, declared project dependencies, wheelhouse, Python and pip versions, stack, pip index settings",
		Invalidated: "any key field changing; only the requirements files changed: updated in place to what a new venv would hold (incremental.go), else rebuilt from scratch",
	}
	InterpreterLayer = layer.Spec{
		Name:        "python",
		Types:       libcnb.LayerTypes{Build: true, Cache: true, Launch: true},
		Key:         "the pinned interpreter (version, uri, sha256), the architecture, the layer's contents version",
		Invalidated: "the app asks for another Python the stack does not have, or its pin changes; only written when the stack's Python does not fit",
	}
	PipCacheLayer = layer.Spec{
		Name:        "pip-cache",
		Types:       libcnb.LayerTypes{Cache: true},
		Key:         "none: pip keys its wheels itself",
		Invalidated: "never; pip adds to it",
	}
)

// Layers lists them all.
var Layers = []layer.Spec{InterpreterLayer, VenvLayer, PipCacheLayer, start.Layer}

package golang

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// The layers onbuild/go writes (ARCHITECTURE.md, "Layers").
var (
	// ToolchainLayer is named after the dependency id of buildpack.toml.
	ToolchainLayer = layer.Spec{
		Name:        goDependency,
		Types:       libcnb.LayerTypes{Build: true, Cache: true},
		Key:         "the toolchain dependency: version, sha256, uri",
		Invalidated: "another Go version (go.mod, go.work or BP_GO_VERSION)",
	}
	ModCacheLayer = layer.Spec{
		Name:        "go-mod-cache",
		Types:       libcnb.LayerTypes{Cache: true},
		Key:         "none: GOMODCACHE keys modules by version itself",
		Invalidated: "never; bounded by BP_GO_MOD_CACHE_LIMIT",
	}
	BuildCacheLayer = layer.Spec{
		Name:        "go-build-cache",
		Types:       libcnb.LayerTypes{Cache: true},
		Key:         "none: GOCACHE keys actions by content itself",
		Invalidated: "never; bounded by BP_GO_CACHE_LIMIT",
	}
	BinariesLayer = layer.Spec{
		Name:        "binaries",
		Types:       libcnb.LayerTypes{Launch: true},
		Key:         "Go version and target count, for the record",
		Invalidated: "every build: a warm GOCACHE makes go build a link",
	}
)

// Layers lists them all.
var Layers = []layer.Spec{ToolchainLayer, ModCacheLayer, BuildCacheLayer, BinariesLayer}

package debpkg

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// The layers onbuild/debian-packages writes (ARCHITECTURE.md, "Layers").
var (
	// BuildLayer has every package asked for and what it needs that the
	// build image lacks: headers, pkg-config files, tools, for the later
	// buildpacks' compilers.
	BuildLayer = layer.Spec{
		Name:        "debian-packages",
		Types:       libcnb.LayerTypes{Build: true, Cache: true},
		Key:         "the resolved packages (name, version, sha256) and the layout version",
		Invalidated: "a package asked for, or one of its dependencies, changes (an Aptfile line, a Debian update)",
	}
	// LaunchLayer has the run-time closure less what the run image has:
	// libraries and tools without -dev packages, documentation, headers or
	// static archives.
	LaunchLayer = layer.Spec{
		Name:        "debian-libraries",
		Types:       libcnb.LayerTypes{Launch: true},
		Key:         "the resolved run-time packages (name, version, sha256) and the layout version",
		Invalidated: "a run-time package changes; a rebase never does it, a rebuild does",
	}
	// NativeLayer is onbuild/native-libraries' layer: the packages of the
	// shared libraries the app's ELF files link that the run image and
	// onbuild/debian-packages' layer lack.
	NativeLayer = layer.Spec{
		Name:        "native-libraries",
		Types:       libcnb.LayerTypes{Launch: true},
		Key:         "the resolved packages (name, version, sha256) and the layout version",
		Invalidated: "the app's ELF files link another library, or a package changes; a rebase never does it, a rebuild does",
	}
	// CacheLayer keeps the verified package indexes and .debs, so a new
	// package downloads only itself.
	CacheLayer = layer.Spec{
		Name:        "debian-cache",
		Types:       libcnb.LayerTypes{Cache: true},
		Key:         "none: files are named by their sha256",
		Invalidated: "never; pruned to the current packages every build",
	}
)

// Layers lists them all.
var Layers = []layer.Spec{BuildLayer, LaunchLayer, NativeLayer, CacheLayer}

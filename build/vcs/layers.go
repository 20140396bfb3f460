package vcs

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// The layers onbuild/vcs writes (ARCHITECTURE.md, "Layers").
var (
	// ToolLayer is one per planned tool, named after its plan entry (git,
	// hg).
	ToolLayer = layer.Spec{
		Name:        "<git|hg>",
		Types:       libcnb.LayerTypes{Build: true, Cache: true},
		Key:         "the pinned Debian packages (name, version, sha256) and the layout version",
		Invalidated: "another pinned package in buildpack.toml",
	}
	CredentialsLayer = layer.Spec{
		Name:        "credentials",
		Types:       libcnb.LayerTypes{Build: true},
		Key:         "none: it only points at the mounted bindings",
		Invalidated: "every build; never cached, so a build without the binding cannot point at it",
	}
)

// Layers lists them all.
var Layers = []layer.Spec{ToolLayer, CredentialsLayer}

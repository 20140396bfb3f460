package certificates

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// CertificatesLayer is the one layer onbuild/ca-certificates writes
// (ARCHITECTURE.md, "Layers"); it launches only with BP_EMBED_CERTS=true.
var CertificatesLayer = layer.Spec{
	Name:        "ca-certificates",
	Types:       libcnb.LayerTypes{Build: true, Launch: true},
	Key:         "none: written every build from the bindings",
	Invalidated: "every build; launch only with BP_EMBED_CERTS=true",
}

// Layers lists it.
var Layers = []layer.Spec{CertificatesLayer}

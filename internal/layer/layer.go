// Package layer declares the layers onbuild's buildpacks write, in one
// form: each build package lists its own as Specs, the code creates them
// from those Specs, and ARCHITECTURE.md's layer table is checked against
// them, so the table cannot drift from what the code writes.
package layer

import (
	"strings"

	"github.com/buildpacks/libcnb/v2"
)

// Spec is one layer: its name in the layers directory, what the lifecycle
// does with it, what its metadata (its cache key) holds, and what makes it
// rebuild.
type Spec struct {
	// Name is the layer's directory name; "<tool>" style names stand for a
	// family of layers named at build time (one per Go version, per VCS
	// tool).
	Name  string
	Types libcnb.LayerTypes
	// Key is what the layer's metadata holds.
	Key string
	// Invalidated says what rebuilds it.
	Invalidated string
}

// TypeNames renders the types as ARCHITECTURE.md writes them:
// "build, cache, launch" in that order.
func (s Spec) TypeNames() string {
	var names []string
	if s.Types.Build {
		names = append(names, "build")
	}
	if s.Types.Cache {
		names = append(names, "cache")
	}
	if s.Types.Launch {
		names = append(names, "launch")
	}
	return strings.Join(names, ", ")
}

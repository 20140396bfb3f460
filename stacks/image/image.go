// Package image assembles a stack image from one root filesystem layer and
// its config with go-containerregistry, for `docker load`: the image ID
// (the config's digest) depends only on the layer and the settings, never
// on the clock, so the same packages give the same image.
package image

import (
	"compress/gzip"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Spec is everything a stack image's config holds.
type Spec struct {
	// Layer is the root filesystem as an uncompressed tar.
	Layer string
	// Created is the packages' release time (stacks/build.sh: the newest
	// package file), the image's and its history entry's.
	Created      time.Time
	Architecture string
	User         string
	Env          []string
	WorkingDir   string
	Cmd          []string
	Labels       map[string]string
	// CreatedBy is the history entry's text.
	CreatedBy string
}

// Check names what a Spec lacks, so a bad call fails before any work.
func (s Spec) Check() error {
	var missing []string
	if s.Layer == "" {
		missing = append(missing, "the layer")
	}
	if s.Created.IsZero() {
		missing = append(missing, "the creation time")
	}
	if s.Architecture == "" {
		missing = append(missing, "the architecture")
	}
	if len(missing) > 0 {
		return fmt.Errorf("stack image spec lacks %s", strings.Join(missing, " and "))
	}
	for _, kv := range s.Env {
		if !strings.Contains(kv, "=") || strings.HasPrefix(kv, "=") {
			return fmt.Errorf("environment entry %q is not NAME=VALUE", kv)
		}
	}
	return nil
}

// Build returns the one-layer image of spec.
func Build(spec Spec) (v1.Image, error) {
	if err := spec.Check(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(spec.Layer); err != nil {
		return nil, fmt.Errorf("unable to read the layer\n%w", err)
	}
	// docker load takes gzip; compressing a few hundred MB for a local load
	// only costs time, and the image ID depends on the uncompressed layer.
	layer, err := tarball.LayerFromFile(spec.Layer, tarball.WithCompressionLevel(gzip.NoCompression))
	if err != nil {
		return nil, fmt.Errorf("unable to read the layer %s\n%w", spec.Layer, err)
	}
	created := v1.Time{Time: spec.Created.UTC()}
	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: created, CreatedBy: spec.CreatedBy},
	})
	if err != nil {
		return nil, fmt.Errorf("unable to add the layer\n%w", err)
	}
	config, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("unable to read the config\n%w", err)
	}
	config = config.DeepCopy()
	config.Architecture = spec.Architecture
	config.OS = "linux"
	config.Created = created
	config.Config = v1.Config{
		User:       spec.User,
		Env:        spec.Env,
		WorkingDir: spec.WorkingDir,
		Cmd:        spec.Cmd,
		Labels:     spec.Labels,
	}
	return mutate.ConfigFile(img, config)
}

// Write writes img as a `docker load` tarball tagged tag.
func Write(path, tag string, img v1.Image) error {
	ref, err := name.NewTag(tag, name.WeakValidation)
	if err != nil {
		return fmt.Errorf("bad tag %q\n%w", tag, err)
	}
	if err := tarball.WriteToFile(path, ref, img); err != nil {
		return fmt.Errorf("unable to write %s\n%w", path, err)
	}
	return nil
}

// ParsePairs turns NAME=VALUE arguments into a map; later names win.
func ParsePairs(pairs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not NAME=VALUE", kv)
		}
		m[k] = v
	}
	return m, nil
}

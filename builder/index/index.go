// Package index publishes a multi-architecture image index: one name in a
// registry whose manifests are images of the same thing for different
// platforms, so pack, docker and kpack each pull the one for theirs.
// builder/publish.sh makes the stacks, buildpackages and builders of every
// architecture into one name each with it.
package index

import (
	"fmt"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Write publishes dst as the index of the images srcs name, each listed
// with the platform its config declares (os, architecture, variant).
// Manifests are ordered by platform, so the same images always give the
// same index digest. Two images of one platform are refused: a puller
// would get either.
func Write(dst string, srcs []string, options ...remote.Option) (v1.Hash, error) {
	dstRef, err := name.ParseReference(dst)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("index name %q: %w", dst, err)
	}
	type entry struct {
		platform v1.Platform
		image    v1.Image
		src      string
	}
	var entries []entry
	seen := map[string]string{}
	for _, src := range srcs {
		ref, err := name.ParseReference(src)
		if err != nil {
			return v1.Hash{}, fmt.Errorf("image name %q: %w", src, err)
		}
		image, err := remote.Image(ref, options...)
		if err != nil {
			return v1.Hash{}, fmt.Errorf("read %s: %w", src, err)
		}
		config, err := image.ConfigFile()
		if err != nil {
			return v1.Hash{}, fmt.Errorf("read the config of %s: %w", src, err)
		}
		platform := v1.Platform{OS: config.OS, Architecture: config.Architecture, Variant: config.Variant}
		if platform.OS == "" || platform.Architecture == "" {
			return v1.Hash{}, fmt.Errorf("%s declares no os and architecture in its config", src)
		}
		if other, ok := seen[platform.String()]; ok {
			return v1.Hash{}, fmt.Errorf("%s and %s are both for %s: an index holds one image per platform", other, src, platform.String())
		}
		seen[platform.String()] = src
		entries = append(entries, entry{platform: platform, image: image, src: src})
	}
	if len(entries) == 0 {
		return v1.Hash{}, fmt.Errorf("no images for the index %s", dst)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].platform.String() < entries[j].platform.String() })

	mediaType := types.OCIImageIndex
	var adds []mutate.IndexAddendum
	for _, e := range entries {
		platform := e.platform
		manifestType, err := e.image.MediaType()
		if err != nil {
			return v1.Hash{}, fmt.Errorf("read the media type of %s: %w", e.src, err)
		}
		// Docker's own manifests go in Docker's list type, which every
		// client reads alongside them.
		if manifestType == types.DockerManifestSchema2 {
			mediaType = types.DockerManifestList
		}
		adds = append(adds, mutate.IndexAddendum{Add: e.image, Descriptor: v1.Descriptor{Platform: &platform}})
	}
	idx := mutate.IndexMediaType(mutate.AppendManifests(empty.Index, adds...), mediaType)
	if err := remote.WriteIndex(dstRef, idx, options...); err != nil {
		return v1.Hash{}, fmt.Errorf("write the index %s: %w", dst, err)
	}
	return idx.Digest()
}

// Platforms lists the platforms of the index ref names, as os/arch[/variant].
func Platforms(ref string, options ...remote.Option) ([]string, error) {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("index name %q: %w", ref, err)
	}
	idx, err := remote.Index(parsed, options...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	manifest, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	var platforms []string
	for _, m := range manifest.Manifests {
		if m.Platform != nil {
			platforms = append(platforms, m.Platform.String())
		}
	}
	return platforms, nil
}

// Package kpack reads the kpack resources of builder/kpack/ the way a
// platform team applies them, so tests can check that they parse, that they
// fit together and which images they make kpack pull.
package kpack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// APIVersion is the kpack API the resources are written for: the one
// kpack serves ClusterStore, ClusterStack, ClusterBuilder and Image at.
const APIVersion = "kpack.io/v1alpha2"

// Placeholder stands for REGISTRY in the templates; builder/publish.sh
// replaces it (so does envsubst), so the repo names no registry. Unlike
// @REGISTRY@, it is valid in a plain YAML scalar.
const Placeholder = "${REGISTRY}"

// Resource is the part of a kpack resource the checks need.
type Resource struct {
	File       string `yaml:"-"`
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
	Spec Spec `yaml:"spec"`
}

// Spec holds the fields of the four kinds; each kind uses its own.
type Spec struct {
	// ClusterStore
	Sources []struct {
		Image string `yaml:"image"`
	} `yaml:"sources"`
	// ClusterStack
	ID         string `yaml:"id"`
	BuildImage struct {
		Image string `yaml:"image"`
	} `yaml:"buildImage"`
	RunImage struct {
		Image string `yaml:"image"`
	} `yaml:"runImage"`
	// ClusterBuilder and Image
	Tag               string `yaml:"tag"`
	ServiceAccountRef *struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"serviceAccountRef"`
	ServiceAccountName string `yaml:"serviceAccountName"`
	Stack              Ref    `yaml:"stack"`
	Store              Ref    `yaml:"store"`
	Builder            Ref    `yaml:"builder"`
	Order              []struct {
		Group []struct {
			ID string `yaml:"id"`
		} `yaml:"group"`
	} `yaml:"order"`
	Source struct {
		Registry *struct {
			Image string `yaml:"image"`
		} `yaml:"registry"`
	} `yaml:"source"`
}

// Ref names another resource.
type Ref struct {
	Kind string `yaml:"kind"`
	Name string `yaml:"name"`
}

// Load reads every *.yaml of dir, each holding one or more documents, in
// file name order. Unknown fields are errors: a typo in a field kpack
// reads would otherwise pass unnoticed until the cluster ignores it.
func Load(dir string) ([]Resource, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("kpack: no *.yaml in %s", dir)
	}
	sort.Strings(files)
	var all []Resource
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		decoder := yaml.NewDecoder(bytes.NewReader(content))
		decoder.KnownFields(true)
		for n := 1; ; n++ {
			var r Resource
			err := decoder.Decode(&r)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("kpack: %s, document %d: %w", file, n, err)
			}
			r.File = filepath.Base(file)
			all = append(all, r)
		}
	}
	return all, nil
}

// Check reports every way the resources do not fit together: a wrong API
// version, a reference to a resource that is not there, a builder without
// an order, an image outside registry (the REGISTRY they were published
// with, or Placeholder for the templates).
func Check(resources []Resource, registry string) error {
	var problems []string
	add := func(r Resource, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s %s: %s", r.File, r.Kind, r.Metadata.Name, fmt.Sprintf(format, args...)))
	}
	names := map[string]bool{}
	for _, r := range resources {
		names[r.Kind+"/"+r.Metadata.Name] = true
	}
	for _, r := range resources {
		if r.APIVersion != APIVersion {
			add(r, "apiVersion %q, want %q", r.APIVersion, APIVersion)
		}
		if r.Metadata.Name == "" {
			add(r, "metadata.name is empty")
		}
		switch r.Kind {
		case "ClusterStore":
			if len(r.Spec.Sources) == 0 {
				add(r, "spec.sources is empty")
			}
		case "ClusterStack":
			if r.Spec.ID == "" || r.Spec.BuildImage.Image == "" || r.Spec.RunImage.Image == "" {
				add(r, "spec.id, spec.buildImage.image and spec.runImage.image are all required")
			}
		case "ClusterBuilder":
			for _, ref := range []Ref{r.Spec.Stack, r.Spec.Store} {
				if !names[ref.Kind+"/"+ref.Name] {
					add(r, "refers to %s %q, which no file defines", ref.Kind, ref.Name)
				}
			}
			if len(r.Spec.Order) == 0 || r.Spec.Tag == "" || r.Spec.ServiceAccountRef == nil {
				add(r, "spec.order, spec.tag and spec.serviceAccountRef are all required")
			}
		case "Image":
			if !names[r.Spec.Builder.Kind+"/"+r.Spec.Builder.Name] {
				add(r, "refers to %s %q, which no file defines", r.Spec.Builder.Kind, r.Spec.Builder.Name)
			}
			if r.Spec.Tag == "" || r.Spec.Source.Registry == nil {
				add(r, "spec.tag and spec.source.registry.image are required")
			}
		default:
			add(r, "kind %q is not one onbuild ships", r.Kind)
		}
	}
	for _, r := range resources {
		for _, image := range append(Pulls(r), r.Spec.Tag) {
			if image != "" && !strings.HasPrefix(image, registry+"/") {
				add(r, "image %q is not under %s/", image, registry)
			}
		}
	}
	if len(problems) > 0 {
		return errors.New("kpack resources do not fit together:\n  " + strings.Join(problems, "\n  "))
	}
	return nil
}

// Pulls lists the images kpack pulls for a resource (not the tags it
// pushes to), which must exist before the resources are applied.
func Pulls(r Resource) []string {
	var images []string
	for _, s := range r.Spec.Sources {
		images = append(images, s.Image)
	}
	for _, image := range []string{r.Spec.BuildImage.Image, r.Spec.RunImage.Image} {
		if image != "" {
			images = append(images, image)
		}
	}
	if r.Spec.Source.Registry != nil {
		images = append(images, r.Spec.Source.Registry.Image)
	}
	return images
}

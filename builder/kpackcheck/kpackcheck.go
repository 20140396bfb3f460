// Package kpackcheck decodes kpack resources into kpack's own types and
// runs on them what kpack's admission webhook runs on a create: SetDefaults,
// then Validate.
package kpackcheck

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pivotal/kpack/pkg/apis/build/v1alpha2"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/yaml"
)

// Resource is what the webhook handles: a kpack object it defaults and
// validates.
type Resource interface {
	apis.Defaultable
	apis.Validatable
}

// kinds are the kpack.io/v1alpha2 kinds onbuild ships.
var kinds = map[string]func() Resource{
	"ClusterStore":   func() Resource { return &v1alpha2.ClusterStore{} },
	"ClusterStack":   func() Resource { return &v1alpha2.ClusterStack{} },
	"ClusterBuilder": func() Resource { return &v1alpha2.ClusterBuilder{} },
	"Image":          func() Resource { return &v1alpha2.Image{} },
}

// Checked is one document of a file after the webhook's treatment.
type Checked struct {
	File, Kind, Name string
	Resource         Resource
}

// Check reads every *.yaml of dir, one or more documents each, and returns
// them defaulted and validated, or every problem found, each naming its file
// and document. Unknown fields are problems, as kubectl's default strict
// field validation makes them.
func Check(dir string) ([]Checked, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.yaml in %s", dir)
	}
	sort.Strings(files)
	var checked []Checked
	var problems []string
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
		for n := 1; ; n++ {
			doc, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			where := fmt.Sprintf("%s, document %d", filepath.Base(file), n)
			c, err := checkDocument(doc)
			if err != nil {
				problems = append(problems, where+": "+err.Error())
				continue
			}
			if c == nil {
				continue // only comments
			}
			c.File = filepath.Base(file)
			checked = append(checked, *c)
		}
	}
	if len(problems) > 0 {
		return checked, errors.New("kpack would reject these resources:\n  " + strings.Join(problems, "\n  "))
	}
	return checked, nil
}

func checkDocument(doc []byte) (*Checked, error) {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return nil, err
	}
	if meta.APIVersion == "" && meta.Kind == "" {
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			return nil, nil
		}
	}
	if meta.APIVersion != v1alpha2.SchemeGroupVersion.String() {
		return nil, fmt.Errorf("%s %s: apiVersion %q, want %q", meta.Kind, meta.Metadata.Name, meta.APIVersion, v1alpha2.SchemeGroupVersion.String())
	}
	newResource, ok := kinds[meta.Kind]
	if !ok {
		return nil, fmt.Errorf("kind %q is not one onbuild ships", meta.Kind)
	}
	r := newResource()
	if err := yaml.UnmarshalStrict(doc, r); err != nil {
		return nil, fmt.Errorf("%s %s: %w", meta.Kind, meta.Metadata.Name, err)
	}
	// The webhook defaults, then validates, in a create's context.
	ctx := apis.WithinCreate(context.Background())
	r.SetDefaults(ctx)
	if ferr := r.Validate(ctx); ferr != nil {
		return nil, fmt.Errorf("%s %s: %s", meta.Kind, meta.Metadata.Name, strings.ReplaceAll(ferr.Error(), "\n", "; "))
	}
	return &Checked{Kind: meta.Kind, Name: meta.Metadata.Name, Resource: r}, nil
}

func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
		}
	}
	return out
}

package layout_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/certificates"
	"github.com/onbuild-buildpacks/onbuild/build/debpkg"
	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/build/vcs"
	"github.com/onbuild-buildpacks/onbuild/hooks"
	"github.com/onbuild-buildpacks/onbuild/internal/layer"
)

// documentedLayers reads ARCHITECTURE.md's "Layers" table: layer name →
// types as written.
func documentedLayers(t *testing.T, file string) map[string]string {
	t.Helper()
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(content), "\n## Layers\n")
	if !found {
		t.Fatalf("%s has no \"## Layers\" section", file)
	}
	if next := strings.Index(section, "\n## "); next >= 0 {
		section = section[:next]
	}
	layers := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "/"), "|")
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		layers[strings.ReplaceAll(name, "/", "|")] = strings.TrimSpace(cells[3])
	}
	return layers
}

func testLayers(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("documents every layer the code declares, with its types", func() {
		declared := map[string]string{}
		for _, specs := range [][]layer.Spec{python.Layers, golang.Layers, vcs.Layers, certificates.Layers, hooks.Layers, debpkg.Layers} {
			for _, s := range specs {
				declared[s.Name] = s.TypeNames()
			}
		}
		Expect(documentedLayers(t, filepath.Join(root(t), "ARCHITECTURE.md"))).To(Equal(declared))
	})

	it("creates no layer from a literal name or literal types, only from its spec", func() {
		var offenders []string
		for _, dir := range []string{"build", "hooks"} {
			err := filepath.WalkDir(filepath.Join(root(t), dir), func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
					return err
				}
				content, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				for i, line := range strings.Split(string(content), "\n") {
					if literalLayer.MatchString(line) {
						offenders = append(offenders, fmt.Sprintf("%s:%d: %s", path, i+1, strings.TrimSpace(line)))
					}
				}
				return nil
			})
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(offenders).To(BeEmpty(), "declare the layer in layers.go and use its spec")
	})
}

// literalLayer matches a layer created or typed without its spec.
var literalLayer = regexp.MustCompile(`\.Layer\("|LayerTypes = libcnb\.LayerTypes\{|NewLayerContributor\([^,]+,[^,]+, libcnb\.LayerTypes\{`)

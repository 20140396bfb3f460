package kpack_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/builder/kpack"
)

func TestKpack(t *testing.T) {
	spec.Run(t, "Kpack", testKpack, spec.Report(report.Terminal{}))
}

func testKpack(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("ships templates that parse and fit together, naming only the REGISTRY placeholder", func() {
		resources, err := kpack.Load(".")
		Expect(err).NotTo(HaveOccurred())
		Expect(kpack.Check(resources, kpack.Placeholder)).To(Succeed())

		kinds := map[string]int{}
		for _, r := range resources {
			kinds[r.Kind]++
			if r.Kind == "ClusterStack" {
				// The id both stack images of a flavour carry (stacks/build.sh).
				flavour := "trixie"
				if strings.HasSuffix(r.Metadata.Name, "-bookworm") {
					flavour = "bookworm"
				}
				Expect(r.Spec.ID).To(Equal("io.onbuild.stacks."+flavour), r.Metadata.Name)
				Expect(r.Spec.BuildImage.Image).To(HaveSuffix(":"+flavour), r.Metadata.Name)
				Expect(r.Spec.RunImage.Image).To(HaveSuffix(":"+flavour), r.Metadata.Name)
			}
		}
		Expect(kinds).To(Equal(map[string]int{"ClusterStore": 1, "ClusterStack": 4, "ClusterBuilder": 4, "Image": 2}))
	})

	it("reports a reference to a stack no file defines, and an image outside the registry", func() {
		dir := t.TempDir()
		for _, name := range []string{"store.yaml", "stack.yaml", "builder.yaml", "image.yaml"} {
			content, err := os.ReadFile(name)
			Expect(err).NotTo(HaveOccurred())
			text := strings.ReplaceAll(string(content), "${REGISTRY}", "127.0.0.1:5000/onbuild")
			if name == "stack.yaml" {
				text = strings.Replace(text, "name: onbuild-tiny", "name: onbuild-small", 1)
				text = strings.Replace(text, "127.0.0.1:5000/onbuild/stack-build", "127.0.0.1:5000/other/stack-build", 1)
			}
			Expect(os.WriteFile(filepath.Join(dir, name), []byte(text), 0644)).To(Succeed())
		}
		resources, err := kpack.Load(dir)
		Expect(err).NotTo(HaveOccurred())
		err = kpack.Check(resources, "127.0.0.1:5000/onbuild")
		Expect(err).To(MatchError(ContainSubstring(`builder.yaml: ClusterBuilder onbuild-go: refers to ClusterStack "onbuild-tiny", which no file defines`)))
		Expect(err).To(MatchError(ContainSubstring(`stack.yaml: ClusterStack onbuild-python: image "127.0.0.1:5000/other/stack-build:trixie" is not under 127.0.0.1:5000/onbuild/`)))
	})

	it("rejects a misspelt field with the file and document", func() {
		dir := t.TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "stack.yaml"), []byte("apiVersion: kpack.io/v1alpha2\nkind: ClusterStack\n---\napiVersion: kpack.io/v1alpha2\nkind: ClusterStack\nspec:\n  buildimage: {}\n"), 0644)).To(Succeed())
		_, err := kpack.Load(dir)
		Expect(err).To(MatchError(And(ContainSubstring("stack.yaml, document 2"), ContainSubstring("buildimage"))))
	})
}

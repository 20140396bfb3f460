package kpackcheck_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/pivotal/kpack/pkg/apis/build/v1alpha2"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/builder/kpackcheck"
)

func TestKpackCheck(t *testing.T) {
	spec.Run(t, "KpackCheck", testKpackCheck, spec.Report(report.Terminal{}))
}

// registry is any valid REGISTRY; the check is about the resources' shape.
const registry = "127.0.0.1:5000/onbuild"

func testKpackCheck(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	// render writes the resources the way builder/publish.sh does.
	render := func(suffix string) string {
		dir := t.TempDir()
		out, err := exec.Command("../kpack/render.sh", registry, suffix, dir).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		return dir
	}

	// documents counts the resources of the templates, so a document the
	// check skipped would show.
	documents := func() int {
		files, err := filepath.Glob("../kpack/*.yaml")
		Expect(err).NotTo(HaveOccurred())
		n := 0
		for _, file := range files {
			content, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			n += strings.Count("\n"+string(content), "\nkind: ")
		}
		return n
	}

	for _, suffix := range []string{"", "-offline"} {
		it("passes kpack's defaulting and validation with every resource publish writes (suffix "+suffix+")", func() {
			checked, err := kpackcheck.Check(render(suffix))
			Expect(err).NotTo(HaveOccurred())
			Expect(checked).To(HaveLen(documents()))
			for _, c := range checked {
				switch r := c.Resource.(type) {
				case *v1alpha2.ClusterStore:
					for _, source := range r.Spec.Sources {
						Expect(source.Image).To(HavePrefix(registry+"/buildpacks/"), c.Name)
						Expect(source.Image).To(HaveSuffix(suffix), c.Name)
					}
				case *v1alpha2.ClusterBuilder:
					// Defaulted to the lifecycle kpack installs.
					Expect(r.Spec.Lifecycle.Name).To(Equal(v1alpha2.DefaultLifecycleName), c.Name)
				case *v1alpha2.Image:
					// Not defaulted to "default": the builds run as the
					// service account holding the registry secret.
					Expect(r.Spec.ServiceAccountName).To(Equal("onbuild"), c.Name)
					Expect(r.Spec.Tag).To(HavePrefix(registry+"/"), c.Name)
				}
			}
		})
	}

	it("reports what kpack would reject, naming the file and document", func() {
		dir := render("")
		edit := func(name, old, new string) {
			path := filepath.Join(dir, name)
			content, err := os.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(content)).To(ContainSubstring(old))
			Expect(os.WriteFile(path, []byte(strings.Replace(string(content), old, new, 1)), 0o644)).To(Succeed())
		}
		// A tag kpack cannot push to, a stack without its id, and a field
		// kpack does not have.
		edit("image.yaml", "tag: "+registry+"/apps/go-sample", "tag: "+registry+"/apps/Go-Sample")
		edit("stack.yaml", "id: io.onbuild.stacks.trixie", "id: \"\"")
		edit("builder.yaml", "serviceAccountRef:", "serviceAccount:")
		_, err := kpackcheck.Check(dir)
		Expect(err).To(MatchError(ContainSubstring("image.yaml, document 2: Image go-sample: invalid value: " + registry + "/apps/Go-Sample: spec.tag")))
		Expect(err).To(MatchError(ContainSubstring("stack.yaml, document 1: ClusterStack onbuild-python: missing field(s): spec.id")))
		Expect(err).To(MatchError(ContainSubstring(`builder.yaml, document 1: ClusterBuilder onbuild-python: error unmarshaling JSON: while decoding JSON: json: unknown field "serviceAccount"`)))
	})
}

package detect_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/detect"
)

func testPython(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		ctx    libcnb.DetectContext
	)

	it.Before(func() {
		ctx.ApplicationPath = t.TempDir()
	})

	for _, marker := range []string{"requirements.txt", "setup.py", "pyproject.toml", "Pipfile", "Pipfile.lock", "uv.lock", "poetry.lock"} {
		marker := marker
		it("passes with "+marker, func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, marker), nil, 0644)).To(Succeed())

			result, err := detect.Python(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Pass).To(BeTrue())
			Expect(result.Plans).To(Equal([]libcnb.BuildPlan{{
				Provides: []libcnb.BuildPlanProvide{{Name: "python-venv"}},
				Requires: []libcnb.BuildPlanRequire{{Name: "python-venv", Metadata: map[string]interface{}{}}},
			}}))
		})
	}

	for _, name := range []string{"Requirements.txt", "requirement.txt", "requirements.txt.txt"} {
		name := name
		it("passes with the near-miss "+name+" so the build can name the fix", func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, name), nil, 0644)).To(Succeed())

			result, err := detect.Python(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Pass).To(BeTrue())
			Expect(result.Plans[0].Requires[0].Metadata).To(HaveKeyWithValue("near-miss", name))

			found, err := detect.NearMissRequirements(ctx.ApplicationPath)
			Expect(err).NotTo(HaveOccurred())
			Expect(found).To(Equal(name))
		})
	}

	it("does not take requirements.in for a misspelling", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "requirements.in"), nil, 0644)).To(Succeed())

		result, err := detect.Python(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})

	it("fails without any Python marker", func() {
		Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, "app.py"), nil, 0644)).To(Succeed())

		result, err := detect.Python(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})

	it("ignores a directory named like a marker", func() {
		Expect(os.Mkdir(filepath.Join(ctx.ApplicationPath, "requirements.txt"), 0755)).To(Succeed())

		result, err := detect.Python(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(result.Pass).To(BeFalse())
	})
}

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

	for _, marker := range []string{"requirements.txt", "setup.py", "pyproject.toml"} {
		marker := marker
		it("passes with "+marker, func() {
			Expect(os.WriteFile(filepath.Join(ctx.ApplicationPath, marker), nil, 0644)).To(Succeed())

			result, err := detect.Python(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(result.Pass).To(BeTrue())
			Expect(result.Plans).To(Equal([]libcnb.BuildPlan{{
				Provides: []libcnb.BuildPlanProvide{{Name: "python-venv"}},
				Requires: []libcnb.BuildPlanRequire{{Name: "python-venv"}},
			}}))
		})
	}

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

package settings_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

func TestUnit(t *testing.T) {
	spec.Run(t, "settings", testSettings, spec.Report(report.Terminal{}))
}

func testSettings(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		metadata map[string]interface{}
	)

	it.Before(func() {
		metadata = map[string]interface{}{"configurations": []map[string]interface{}{
			{"name": "BP_A", "default": "fallback"},
			{"name": "BP_FLAG"},
		}}
	})

	it("reads the environment first, then the declared default", func() {
		r, err := settings.New(metadata, []string{"BP_FLAG=true"})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.String("BP_A")).To(Equal("fallback"))
		r, err = settings.New(metadata, []string{"BP_A=x", "BP_A= given "})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.String("BP_A")).To(Equal("given"))
	})

	it("refuses a boolean that is neither true nor false, naming the setting", func() {
		r, err := settings.New(metadata, []string{"BP_FLAG=yes"})
		Expect(err).NotTo(HaveOccurred())
		_, err = r.Bool("BP_FLAG")
		Expect(err).To(MatchError(ContainSubstring(`BP_FLAG="yes" is neither true nor false`)))
		r, _ = settings.New(metadata, []string{"BP_FLAG=TRUE"})
		Expect(r.Bool("BP_FLAG")).To(BeTrue())
	})

	it("panics on a name buildpack.toml does not declare", func() {
		r, err := settings.New(metadata, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(func() { r.String("BP_UNDECLARED") }).To(PanicWith(ContainSubstring("BP_UNDECLARED is read but not declared")))
	})

	it("lets pack build --env values win over the builder's in detection", func() {
		t.Setenv("BP_A", "builder")
		r, err := settings.ForDetect(metadata, map[string]string{"BP_A": "user"})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.String("BP_A")).To(Equal("user"))
	})
}

package debpkg_test

import (
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/debpkg"
	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testAptfile(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
	)

	it.Before(func() {
		app = t.TempDir()
	})

	it("reads one package per line, with comments", func() {
		fake.WriteFiles(t, app, map[string]string{"Aptfile": "# tools\nlibpq-dev\n\n  jq   # for the report\n"})
		requests, err := debpkg.ReadAptfile(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(requests).To(Equal([]debpkg.Request{
			{Name: "libpq-dev", Origin: "Aptfile line 2", Line: "libpq-dev"},
			{Name: "jq", Origin: "Aptfile line 4", Line: "jq"},
		}))
	})

	it("has no requests without an Aptfile", func() {
		requests, err := debpkg.ReadAptfile(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(requests).To(BeEmpty())
	})

	for _, c := range []struct{ line, title string }{
		{"https://example.invalid/tool_1.0_amd64.deb", "Debian package URL"},
		{"tool_1.0_amd64.deb", "Debian package URL"},
		{":repo:deb http://example.invalid/debian trixie main", "Custom Debian repository"},
		{"libpq5=17.2-1", "Unsupported Debian package line"},
		{"libpq*", "Unsupported Debian package line"},
		{"LibPQ", "Invalid Debian package name"},
	} {
		c := c
		it("stops at "+c.line+" with why and what to do", func() {
			fake.WriteFiles(t, app, map[string]string{"Aptfile": "jq\n" + c.line + "\n"})
			_, err := debpkg.ReadAptfile(app)
			var p problem.Problem
			Expect(err).To(BeAssignableToTypeOf(p))
			p = err.(problem.Problem)
			Expect(p.Title).To(Equal(c.title))
			Expect(p.File).To(Equal("Aptfile"))
			Expect(p.Cause).To(ContainSubstring("Aptfile line 2"))
			Expect(p.Fixes).NotTo(BeEmpty())
		})
	}

	it("reads BP_DEBIAN_PACKAGES and the plan's requests", func() {
		requests, err := debpkg.SettingRequests([]string{"jq", "libmagic1"})
		Expect(err).NotTo(HaveOccurred())
		Expect(requests[1]).To(Equal(debpkg.Request{Name: "libmagic1", Origin: "BP_DEBIAN_PACKAGES"}))
		_, err = debpkg.SettingRequests([]string{"http://x/y.deb"})
		Expect(err).To(MatchError(ContainSubstring("BP_DEBIAN_PACKAGES is a .deb URL")))

		plan := libcnb.BuildpackPlan{Entries: []libcnb.BuildpackPlanEntry{{
			Name:     detect.DebianPackagesPlan,
			Metadata: map[string]interface{}{"packages": []interface{}{"libpq-dev"}, "why": "psycopg2 builds from source"},
		}}}
		Expect(debpkg.PlanRequests(plan)).To(Equal([]debpkg.Request{{Name: "libpq-dev", Origin: "psycopg2 builds from source"}}))
	})

	it("detects an Aptfile or the setting, and otherwise only provides", func() {
		result := detect.DebianPackagesPlanFor(app, "")
		Expect(result.Pass).To(BeTrue())
		Expect(result.Plans[0].Requires).To(BeEmpty())
		Expect(detect.DebianPackagesPlanFor(app, "jq").Plans[0].Requires).To(HaveLen(1))
		fake.WriteFiles(t, app, map[string]string{"Aptfile": "jq\n"})
		Expect(detect.DebianPackagesPlanFor(app, "").Plans[0].Requires).To(HaveLen(1))
	})
}

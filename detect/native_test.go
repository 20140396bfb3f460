package detect_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testNative(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
	)

	it.Before(func() {
		app = t.TempDir()
	})

	projects := func(needs []detect.NativeNeed) []string {
		var names []string
		for _, n := range needs {
			names = append(names, n.Project)
		}
		return names
	}

	it("finds the table's projects in requirements files, their includes and pyproject.toml", func() {
		fake.WriteFiles(t, app, map[string]string{
			"requirements.txt": "Django==4.2\n-r more.txt\npsycopg==3.2.9\n",
			"more.txt":         "python_magic>=0.4\n# cairocffi\n",
			"pyproject.toml":   "[project]\nname = \"x\"\ndependencies = [\"psycopg2 >= 2.9\"]\n",
		})
		needs, err := detect.PythonNativeNeeds(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(projects(needs)).To(Equal([]string{"psycopg", "psycopg2", "python-magic"}))
		requires := detect.NativeRequires(needs)
		Expect(requires[0].Name).To(Equal(detect.DebianPackagesPlan))
		Expect(requires[0].Metadata).To(Equal(map[string]interface{}{"packages": []string{"libpq5"}, "why": "psycopg loads libpq with ctypes"}))
	})

	it("leaves out psycopg with its own libpq, and psycopg2-binary", func() {
		fake.WriteFiles(t, app, map[string]string{"requirements.txt": "psycopg[binary]==3.2\npsycopg2-binary\n"})
		needs, err := detect.PythonNativeNeeds(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(needs).To(BeEmpty())
	})

	it("finds GeoDjango in the app's settings", func() {
		fake.WriteFiles(t, app, map[string]string{
			"requirements.txt":   "django\n",
			"mysite/settings.py": "INSTALLED_APPS = ['django.contrib.gis']\n",
		})
		needs, err := detect.PythonNativeNeeds(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(projects(needs)).To(Equal([]string{"django.contrib.gis"}))
		Expect(needs[0].Packages).To(Equal([]string{"libgdal-dev", "libgeos-dev"}))
	})
}

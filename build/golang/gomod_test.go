package golang_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func testGoMod(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
	)

	it.Before(func() {
		app = t.TempDir()
	})

	it("reads the module path, the go line and the toolchain line", func() {
		fake.WriteFiles(t, app, map[string]string{"go.mod": "module example.com/app\n\ngo 1.23.4\n\ntoolchain go1.24.13\n"})
		project, err := golang.ReadProject(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(project).To(Equal(golang.Project{File: "go.mod", Module: "example.com/app", Go: "1.23.4", Toolchain: "1.24.13"}))
	})

	it("ignores `toolchain default` and the suffix of a custom toolchain", func() {
		fake.WriteFiles(t, app, map[string]string{"go.mod": "module m\ngo 1.24\ntoolchain default\n"})
		project, err := golang.ReadProject(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(project.Toolchain).To(BeEmpty())

		fake.WriteFiles(t, app, map[string]string{"go.mod": "module m\ngo 1.24\ntoolchain go1.24.13-corp\n"})
		project, err = golang.ReadProject(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(project.Toolchain).To(Equal("1.24.13"))
	})

	it("takes the version lines of go.work, where the go command runs in workspace mode", func() {
		fake.WriteFiles(t, app, map[string]string{
			"go.mod":  "module example.com/app\ngo 1.22\n",
			"go.work": "go 1.23.4\n\nuse .\n",
		})
		project, err := golang.ReadProject(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(project.File).To(Equal("go.work"))
		Expect(project.Go).To(Equal("1.23.4"))
		Expect(project.Module).To(Equal("example.com/app"))
	})

	it("reads a workspace without a root module", func() {
		fake.WriteFiles(t, app, map[string]string{"go.work": "go 1.24\nuse ./svc\n", "svc/go.mod": "module example.com/svc\ngo 1.24\n"})
		project, err := golang.ReadProject(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(project).To(Equal(golang.Project{File: "go.work", Go: "1.24"}))
	})

	it("notices vendor/modules.txt", func() {
		fake.WriteFiles(t, app, map[string]string{"go.mod": "module m\ngo 1.24\n", "vendor/modules.txt": "# example.com/dep v1.0.0\n"})
		project, err := golang.ReadProject(app)
		Expect(err).NotTo(HaveOccurred())
		Expect(project.Vendored).To(BeTrue())
	})

	it("explains a go.mod without a module line", func() {
		fake.WriteFiles(t, app, map[string]string{"go.mod": "go 1.24\n\nrequire golang.org/x/text v0.21.0\n"})
		_, err := golang.ReadProject(app)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.Error()).To(ContainSubstring("[Error: go.mod has no module line]"))
		Expect(err.Error()).To(ContainSubstring("module example.com/myapp"))
	})

	it("names the line of a go.mod the go command would reject", func() {
		fake.WriteFiles(t, app, map[string]string{"go.mod": "module m\ngo 1.24\nrequire golang.org/x/text\n"})
		_, err := golang.ReadProject(app)
		Expect(err).To(BeAssignableToTypeOf(problem.Problem{}))
		Expect(err.Error()).To(ContainSubstring("[Error: go.mod does not parse]"))
		Expect(err.Error()).To(ContainSubstring("go.mod:3"))
	})

	it("refuses an app with neither go.mod nor go.work", func() {
		_, err := golang.ReadProject(app)
		Expect(err).To(MatchError(ContainSubstring("[Error: No go.mod]")))
	})
}

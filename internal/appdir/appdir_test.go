package appdir_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func TestUnit(t *testing.T) {
	spec.Run(t, "appdir", testAppDir, spec.Report(report.Terminal{}))
}

func testAppDir(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		root   string
	)

	write := func(rel string) {
		t.Helper()
		file := filepath.Join(root, rel)
		Expect(os.MkdirAll(filepath.Dir(file), 0755)).To(Succeed())
		Expect(os.WriteFile(file, []byte(rel), 0644)).To(Succeed())
	}

	it.Before(func() {
		root = t.TempDir()
		write("services/api/requirements.txt")
		write("services/worker/pyproject.toml")
		write("libs/common/pyproject.toml")
		write("tools/gen/go.mod")
		write("node_modules/x/requirements.txt")
		write("README.md")
	})

	context("Resolve", func() {
		it("is the whole upload without a value", func() {
			for _, value := range []string{"", " ", ".", "./"} {
				app, err := appdir.Resolve(root, value)
				Expect(err).NotTo(HaveOccurred())
				Expect(app).To(Equal(appdir.App{Root: root, Dir: root, Rel: "."}))
				Expect(app.InRepo()).To(BeFalse())
			}
		})

		it("names a folder of the upload", func() {
			app, err := appdir.Resolve(root, "./services/api/")
			Expect(err).NotTo(HaveOccurred())
			Expect(app).To(Equal(appdir.App{Root: root, Dir: filepath.Join(root, "services", "api"), Rel: "services/api"}))
			Expect(app.InRepo()).To(BeTrue())
		})

		it("refuses a folder outside the upload: ../, an absolute path, a symbolic link out", func() {
			Expect(os.Symlink(t.TempDir(), filepath.Join(root, "elsewhere"))).To(Succeed())
			for _, value := range []string{"../x", "services/../../x", "/etc", "elsewhere"} {
				_, err := appdir.Resolve(root, value)
				Expect(err).To(BeAssignableToTypeOf(problem.Problem{}), value)
				Expect(err.(problem.Problem).Title).To(Equal("App folder outside the upload"), value)
				Expect(err.Error()).To(ContainSubstring("BP_APP_DIR=" + value))
				Expect(err.Error()).To(ContainSubstring("pack build --path"))
			}
		})

		it("accepts a symbolic link that stays inside", func() {
			Expect(os.Symlink("services/api", filepath.Join(root, "api"))).To(Succeed())
			app, err := appdir.Resolve(root, "api")
			Expect(err).NotTo(HaveOccurred())
			Expect(app.Rel).To(Equal("api"))
		})

		it("names a folder that is not there", func() {
			_, err := appdir.Resolve(root, "services/web")
			Expect(err).To(MatchError(ContainSubstring("BP_APP_DIR=services/web names no folder of the uploaded source")))
			_, err = appdir.Resolve(root, "README.md")
			Expect(err).To(MatchError(ContainSubstring("names no folder")))
		})
	})

	it("lists the folders that have an app, skipping tools' folders", func() {
		Expect(appdir.Candidates(root, []string{"requirements.txt", "pyproject.toml", "go.mod"})).To(Equal([]string{
			"libs/common (pyproject.toml)", "services/api (requirements.txt)", "services/worker (pyproject.toml)", "tools/gen (go.mod)",
		}))
	})

	context("keeping", func() {
		it("reads BP_APP_KEEP and refuses paths out of the upload", func() {
			Expect(appdir.KeepPaths(" libs/common/ : ./data ")).To(Equal([]string{"libs/common", "data"}))
			_, err := appdir.KeepPaths("libs:../secrets")
			Expect(err).To(MatchError(ContainSubstring(`BP_APP_KEEP entry "../secrets" is not a path inside the uploaded source`)))
		})

		it("removes everything but the app folder and the kept ones", func() {
			write("libs/other/x.py")
			app, err := appdir.Resolve(root, "services/api")
			Expect(err).NotTo(HaveOccurred())
			removed, err := appdir.RemoveSiblings(app, []string{"libs/common"})
			Expect(err).NotTo(HaveOccurred())
			Expect(removed).To(ConsistOf("README.md", "libs/other", "node_modules", "services/worker", "tools"))
			Expect(filepath.Join(root, "services/api/requirements.txt")).To(BeAnExistingFile())
			Expect(filepath.Join(root, "libs/common/pyproject.toml")).To(BeAnExistingFile())
			Expect(filepath.Join(root, "services/worker")).NotTo(BeAnExistingFile())
		})

		it("removes nothing for a single app", func() {
			app, _ := appdir.Resolve(root, "")
			removed, err := appdir.RemoveSiblings(app, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(removed).To(BeEmpty())
			Expect(filepath.Join(root, "README.md")).To(BeAnExistingFile())
		})
	})
}

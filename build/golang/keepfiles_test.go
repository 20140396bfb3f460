package golang_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testKeepFiles(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		app    string
	)

	left := func() []string {
		var files []string
		Expect(filepath.Walk(app, func(path string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(app, path)
				files = append(files, filepath.ToSlash(rel))
			}
			return err
		})).To(Succeed())
		sort.Strings(files)
		return files
	}

	it.Before(func() {
		app = t.TempDir()
		fake.WriteFiles(t, app, map[string]string{
			"main.go": "", "go.mod": "", "config.yaml": "", "README.md": "",
			"static/app.css": "", "static/img/logo.png": "",
			"templates/index.html": "", "templates/index.go": "",
			".cnb/action_hooks/build": "", ".cnb/action_hooks/notes.txt": "",
			"vendor/example.com/x/x.go": "",
		})
	})

	it("removes everything when nothing is kept", func() {
		removed, err := golang.RemoveSource(app, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(removed).To(Equal(8))
		Expect(left()).To(BeEmpty())
		Expect(app).To(BeADirectory())
	})

	it("keeps matched files and whole matched folders", func() {
		patterns, err := golang.KeepPatterns("static:templates/*.html: ./config.yaml :.cnb/action_hooks/build")
		Expect(err).NotTo(HaveOccurred())
		_, err = golang.RemoveSource(app, patterns)
		Expect(err).NotTo(HaveOccurred())
		Expect(left()).To(Equal([]string{".cnb/action_hooks/build", "config.yaml", "static/app.css", "static/img/logo.png", "templates/index.html"}))
	})

	it("removes read-only folders too", func() {
		Expect(os.Chmod(filepath.Join(app, "vendor", "example.com"), 0555)).To(Succeed())
		_, err := golang.RemoveSource(app, []string{"*.md"})
		Expect(err).NotTo(HaveOccurred())
		Expect(left()).To(Equal([]string{"README.md"}))
	})

	it("refuses a malformed glob or one outside the app", func() {
		_, err := golang.KeepPatterns("static/[")
		Expect(err).To(MatchError(ContainSubstring(`BP_KEEP_FILES entry "static/[" is not a glob relative to the app`)))
		_, err = golang.KeepPatterns("../secrets")
		Expect(err).To(HaveOccurred())
		Expect(strings.Contains(err.Error(), "[Error: Bad BP_KEEP_FILES]")).To(BeTrue())
	})
}

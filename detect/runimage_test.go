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

func testRunImage(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		app      string
		write    func(name, content string)
		detectIn func() libcnb.DetectResult
	)

	it.Before(func() {
		app = t.TempDir()
		write = func(name, content string) {
			Expect(os.WriteFile(filepath.Join(app, name), []byte(content), 0644)).To(Succeed())
		}
		detectIn = func() libcnb.DetectResult {
			result, err := detect.RunImage(libcnb.DetectContext{ApplicationPath: app})
			Expect(err).NotTo(HaveOccurred())
			return result
		}
	})

	it("passes with no plan for an app with go.mod", func() {
		write("go.mod", "module example.com/hello\n\ngo 1.23\n")
		Expect(detectIn()).To(Equal(libcnb.DetectResult{Pass: true}))
	})

	it("passes for a workspace with only go.work", func() {
		write("go.work", "go 1.23\n\nuse ./cmd\n")
		Expect(detectIn().Pass).To(BeTrue())
	})

	it("fails for a Python app", func() {
		write("requirements.txt", "flask==2.2.2\n")
		Expect(detectIn().Pass).To(BeFalse())
	})

	it("fails for an empty app", func() {
		Expect(detectIn().Pass).To(BeFalse())
	})

	it("leaves an app Python claims on the default run image, even with go.mod", func() {
		write("go.mod", "module example.com/hello\n")
		write("pyproject.toml", "[project]\nname = \"hello\"\n")
		Expect(detectIn().Pass).To(BeFalse())
	})

	it("leaves an app with a misspelt requirements file to Python, which reports it", func() {
		write("go.mod", "module example.com/hello\n")
		write("requirement.txt", "flask\n")
		Expect(detectIn().Pass).To(BeFalse())
	})

	it("does not take a go.mod directory for a Go app", func() {
		Expect(os.Mkdir(filepath.Join(app, "go.mod"), 0755)).To(Succeed())
		Expect(detectIn().Pass).To(BeFalse())
	})

	it("reports an unreadable app directory", func() {
		_, err := detect.RunImage(libcnb.DetectContext{ApplicationPath: filepath.Join(app, "missing", "\x00")})
		Expect(err).To(HaveOccurred())
	})
}

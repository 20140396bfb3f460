package requirements_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/detect/requirements"
)

func TestUnit(t *testing.T) {
	spec.Run(t, "Requirements", testWalk, spec.Report(report.Terminal{}))
}

func testWalk(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		appDir string
		write  = func(name, content string) {
			path := filepath.Join(appDir, name)
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte(content), 0644)).To(Succeed())
		}
		walk = func() ([]string, error) {
			var visited []string
			err := requirements.Walk(appDir, "requirements.txt", func(rel string, content []byte) error {
				visited = append(visited, rel+"="+string(content))
				return nil
			})
			return visited, err
		}
	)

	it.Before(func() {
		appDir = t.TempDir()
	})

	it("visits each file once, depth first, relative to the including file", func() {
		write("requirements.txt", "-r reqs/a.txt\n-c c.txt # pins\n-r reqs/a.txt\n")
		write("reqs/a.txt", "--requirement=b.txt\n")
		write("reqs/b.txt", "-r ../requirements.txt\nsix\n")
		write("c.txt", "six==1.16.0\n")

		visited, err := walk()
		Expect(err).NotTo(HaveOccurred())
		Expect(visited).To(Equal([]string{
			"requirements.txt=-r reqs/a.txt\n-c c.txt # pins\n-r reqs/a.txt\n",
			"reqs/a.txt=--requirement=b.txt\n",
			"reqs/b.txt=-r ../requirements.txt\nsix\n",
			"c.txt=six==1.16.0\n",
		}))
	})

	it("stops at a missing include, naming the including file", func() {
		write("requirements.txt", "-r sub/x.txt\n")
		write("sub/x.txt", "-rmissing.txt\n")

		visited, err := walk()
		var include requirements.IncludeError
		Expect(errors.As(err, &include)).To(BeTrue(), "%v", err)
		Expect(include).To(Equal(requirements.IncludeError{Kind: requirements.IncludeMissing, File: "sub/x.txt", Include: "sub/missing.txt", Resolved: "sub/missing.txt"}))
		Expect(visited).To(HaveLen(2))
	})

	it("refuses absolute, remote and climbing includes", func() {
		for include, kind := range map[string]requirements.IncludeKind{
			"/etc/reqs.txt":             requirements.IncludeRemote,
			"https://example.com/r.txt": requirements.IncludeRemote,
			"../../outside.txt":         requirements.IncludeOutside,
		} {
			write("requirements.txt", "-r "+include+"\n")
			_, err := walk()
			var found requirements.IncludeError
			Expect(errors.As(err, &found)).To(BeTrue(), include)
			Expect(found.Kind).To(Equal(kind), include)
			Expect(found.File).To(Equal("requirements.txt"))
			Expect(found.Include).To(Equal(include))
		}
	})

	it("refuses an include that a symlink leads out of the app, without reading it", func() {
		outside := t.TempDir()
		Expect(os.WriteFile(filepath.Join(outside, "x.txt"), []byte("secret==1 --index-url https://u:p@h/\n"), 0644)).To(Succeed())
		Expect(os.Symlink(outside, filepath.Join(appDir, "pins"))).To(Succeed())
		write("requirements.txt", "-c pins/x.txt\n")

		visited, err := walk()
		var found requirements.IncludeError
		Expect(errors.As(err, &found)).To(BeTrue(), "%v", err)
		Expect(found.Kind).To(Equal(requirements.IncludeLink))
		Expect(found.File).To(Equal("requirements.txt"))
		Expect(found.Include).To(Equal("pins/x.txt"))
		Expect(visited).To(Equal([]string{"requirements.txt=-c pins/x.txt\n"}))
	})

	it("refuses a root requirements file that is a symlink out of the app", func() {
		outside := t.TempDir()
		Expect(os.WriteFile(filepath.Join(outside, "r.txt"), []byte("six\n"), 0644)).To(Succeed())
		Expect(os.Symlink(filepath.Join(outside, "r.txt"), filepath.Join(appDir, "requirements.txt"))).To(Succeed())

		visited, err := walk()
		var found requirements.IncludeError
		Expect(errors.As(err, &found)).To(BeTrue(), "%v", err)
		Expect(found.Kind).To(Equal(requirements.IncludeLink))
		Expect(found.File).To(Equal("requirements.txt"))
		Expect(visited).To(BeEmpty())
	})

	it("follows a symlink that stays inside the app", func() {
		write("real/pins.txt", "six==1.16.0\n")
		Expect(os.Symlink("real", filepath.Join(appDir, "pins"))).To(Succeed())
		write("requirements.txt", "-c pins/pins.txt\n")

		visited, err := walk()
		Expect(err).NotTo(HaveOccurred())
		Expect(visited).To(ContainElement("pins/pins.txt=six==1.16.0\n"))
	})

	it("follows a file inside the app whose name starts with two dots", func() {
		write("requirements.txt", "-r ..extra.txt\n")
		write("..extra.txt", "six\n")

		visited, err := walk()
		Expect(err).NotTo(HaveOccurred())
		Expect(visited).To(ContainElement("..extra.txt=six\n"))
	})

	it("reads includes after a line longer than 64 KiB", func() {
		write("requirements.txt", "# "+strings.Repeat("x", 100*1024)+"\n-r more.txt\n")
		write("more.txt", "six\n")

		visited, err := walk()
		Expect(err).NotTo(HaveOccurred())
		Expect(visited).To(ContainElement("more.txt=six\n"))
	})

	it("returns a missing root as a not-exist error, not an include problem", func() {
		_, err := walk()
		Expect(errors.Is(err, os.ErrNotExist)).To(BeTrue())
		var include requirements.IncludeError
		Expect(errors.As(err, &include)).To(BeFalse())
	})

	it("passes on what visit returns", func() {
		write("requirements.txt", "six\n")
		stop := errors.New("stop")
		Expect(requirements.Walk(appDir, "requirements.txt", func(string, []byte) error { return stop })).To(MatchError(stop))
	})
}

package python_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
)

func testRequirements(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		appDir string
		write  = func(name, content string) {
			path := filepath.Join(appDir, name)
			Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
			Expect(os.WriteFile(path, []byte(content), 0644)).To(Succeed())
		}
	)

	it.Before(func() {
		appDir = t.TempDir()
	})

	it("follows -r and -c includes in every spelling, relative to the including file", func() {
		write("requirements.txt", "flask==2.2.2\n-r reqs/base.txt\n--constraint=constraints.txt # pinned\n")
		write("reqs/base.txt", "--requirement more.txt\n-rlast.txt\n")
		write("reqs/more.txt", "click==8.1.3\n")
		write("reqs/last.txt", "-r more.txt\n")
		write("constraints.txt", "jinja2==3.1.2\n")

		files, lines, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(HaveLen(5))
		Expect(files).To(HaveKey("reqs/more.txt"))
		Expect(files).To(HaveKey("constraints.txt"))
		Expect(files["reqs/more.txt"]).To(HaveLen(64))
		Expect(lines).To(HaveLen(5))
		Expect(lines["requirements.txt"]).To(Equal([]string{"flask==2.2.2", "-r reqs/base.txt", "--constraint=constraints.txt"}))
		Expect(lines["reqs/more.txt"]).To(Equal([]string{"click==8.1.3"}))
	})

	it("changes the digest when a nested include changes", func() {
		write("requirements.txt", "-r base.txt\n")
		write("base.txt", "flask==2.2.2\n")
		before, _, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).NotTo(HaveOccurred())

		write("base.txt", "flask==2.2.3\n")
		after, _, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(after["base.txt"]).NotTo(Equal(before["base.txt"]))
		Expect(after["requirements.txt"]).To(Equal(before["requirements.txt"]))
	})

	it("names the including file when an include is missing", func() {
		write("requirements.txt", "-r missing.txt\n")

		_, _, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).To(MatchError(ContainSubstring("requirements.txt includes missing.txt, but there is no such file")))
		Expect(err.Error()).To(ContainSubstring("[Error: Missing requirements file]"))
	})

	it("refuses includes outside the app", func() {
		write("requirements.txt", "-r ../elsewhere.txt\n")

		_, _, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).To(MatchError(ContainSubstring("outside the app directory")))
	})

	it("refuses an include a symlink leads out of the app, and keeps none of its lines", func() {
		outside := t.TempDir()
		Expect(os.WriteFile(filepath.Join(outside, "x.txt"), []byte("--index-url https://u:hunter2@h/simple\n"), 0644)).To(Succeed())
		Expect(os.Symlink(outside, filepath.Join(appDir, "pins"))).To(Succeed())
		write("requirements.txt", "-c pins/x.txt\n")

		files, lines, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).To(MatchError(ContainSubstring("[Error: Requirements include outside the app]")))
		Expect(err.Error()).To(ContainSubstring("requirements.txt includes pins/x.txt through a symbolic link that leads out of the app"))
		Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
		Expect(files).To(BeNil())
		Expect(lines).To(BeNil())
	})

	it("keeps no password of a requirement line in the lines it keys on", func() {
		write("requirements.txt", "--extra-index-url https://user:hunter2@127.0.0.1/simple\nshop @ https://user:hunter2@127.0.0.1/shop-1.0.tar.gz\n")

		_, lines, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(lines["requirements.txt"]).To(Equal([]string{
			"--extra-index-url https://user:xxxxx@127.0.0.1/simple",
			"shop @ https://user:xxxxx@127.0.0.1/shop-1.0.tar.gz",
		}))
	})

	it("says so when requirements.txt itself is a symlink out of the app", func() {
		outside := t.TempDir()
		Expect(os.WriteFile(filepath.Join(outside, "r.txt"), []byte("six\n"), 0644)).To(Succeed())
		Expect(os.Symlink(filepath.Join(outside, "r.txt"), filepath.Join(appDir, "requirements.txt"))).To(Succeed())

		_, _, err := python.RequirementsFiles(appDir, "requirements.txt")
		Expect(err).To(MatchError(ContainSubstring("[Error: Requirements file outside the app]")))
		Expect(err.Error()).To(ContainSubstring("requirements.txt is a symbolic link that leads out of the app"))
	})

	it("names a project file that is a symlink out of the app", func() {
		outside := t.TempDir()
		Expect(os.WriteFile(filepath.Join(outside, "pyproject.toml"), []byte("[project]\nname = 'x'\n"), 0644)).To(Succeed())
		Expect(os.Symlink(filepath.Join(outside, "pyproject.toml"), filepath.Join(appDir, "pyproject.toml"))).To(Succeed())

		_, err := python.ProjectDependencies(appDir)
		Expect(err).To(MatchError(ContainSubstring("[Error: Project file unreadable]")))
		Expect(err.Error()).To(ContainSubstring("pyproject.toml cannot be read inside the app"))
	})
}

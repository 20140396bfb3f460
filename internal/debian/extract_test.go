package debian_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/internal/debian"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testExtract(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	download := func(files map[string]string) string {
		archive := fake.NewDebianArchive(t, map[string][]fake.DebPackage{"trixie": {{Name: "libfoo1", Version: "1", Files: files}}})
		keys, err := debian.ReadKeyring(archive.Keyring)
		Expect(err).NotTo(HaveOccurred())
		reader := debian.Archive{Suites: []debian.Suite{{Mirror: archive.URL, Name: "trixie"}}, Keyring: keys, Arch: "amd64"}
		index, err := reader.Load()
		Expect(err).NotTo(HaveOccurred())
		file, _, err := reader.Download(index.Newest("libfoo1"), t.TempDir())
		Expect(err).NotTo(HaveOccurred())
		return file
	}

	it("writes files and links under the root, absolute links moved inside it", func() {
		deb := download(map[string]string{
			"./usr/lib/x86_64-linux-gnu/libfoo.so.1.0": "elf",
			"./usr/lib/x86_64-linux-gnu/libfoo.so.1":   "->libfoo.so.1.0",
			"./usr/lib/x86_64-linux-gnu/libfoo.so":     "->/usr/lib/x86_64-linux-gnu/libfoo.so.1",
			"./usr/include/foo.h":                      "int foo(void);",
			"./usr/share/doc/libfoo1/copyright":        "MIT",
			"./usr/share/doc/libfoo1/changelog.gz":     "log",
		})
		root := t.TempDir()
		files, err := debian.Extract(deb, root, debian.Runtime)
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(ConsistOf("/usr/lib/x86_64-linux-gnu/libfoo.so.1.0", "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
			"/usr/lib/x86_64-linux-gnu/libfoo.so", "/usr/share/doc/libfoo1/copyright"))
		content, err := os.ReadFile(filepath.Join(root, "usr/lib/x86_64-linux-gnu/libfoo.so"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(Equal("elf"))
		link, err := os.Readlink(filepath.Join(root, "usr/lib/x86_64-linux-gnu/libfoo.so"))
		Expect(err).NotTo(HaveOccurred())
		Expect(link).To(Equal(filepath.Join(root, "usr/lib/x86_64-linux-gnu/libfoo.so.1")))
		Expect(filepath.Join(root, "usr/include/foo.h")).NotTo(BeAnExistingFile())
	})

	it("refuses a file outside the root", func() {
		deb := download(map[string]string{"../../etc/passwd": "x"})
		_, err := debian.Extract(deb, t.TempDir(), nil)
		Expect(err).To(MatchError(ContainSubstring("has a file outside its root")))
	})
}

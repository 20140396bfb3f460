package debian_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/internal/debian"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testArchive(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect  = NewWithT(t).Expect
		archive *fake.DebianArchive
		reader  debian.Archive
	)

	it.Before(func() {
		archive = fake.NewDebianArchive(t, map[string][]fake.DebPackage{
			"trixie": {
				{Name: "libpq5", Version: "17.1-1", Files: map[string]string{"./usr/lib/x86_64-linux-gnu/libpq.so.5.17": "elf"}},
			},
			"trixie-updates": {
				{Name: "libpq5", Version: "17.2-1", Files: map[string]string{"./usr/lib/x86_64-linux-gnu/libpq.so.5.17": "elf2"}},
			},
		})
		keys, err := debian.ReadKeyring(archive.Keyring)
		Expect(err).NotTo(HaveOccurred())
		reader = debian.Archive{
			Suites:  []debian.Suite{{Mirror: archive.URL, Name: "trixie"}, {Mirror: archive.URL, Name: "trixie-updates"}},
			Keyring: keys, Arch: "amd64", IndexCache: t.TempDir(),
		}
	})

	it("reads every suite and picks the newest version", func() {
		index, err := reader.Load()
		Expect(err).NotTo(HaveOccurred())
		pkg := index.Newest("libpq5")
		Expect(pkg.Version.String()).To(Equal("17.2-1"))
		Expect(pkg.Suite).To(Equal("trixie-updates"))
		Expect(pkg.Purl("debian-13")).To(Equal("pkg:deb/debian/libpq5@17.2-1?arch=amd64&distro=debian-13"))

		file, fresh, err := reader.Download(pkg, t.TempDir())
		Expect(err).NotTo(HaveOccurred())
		Expect(fresh).To(BeTrue())
		Expect(filepath.Base(file)).To(Equal(pkg.SHA256 + ".deb"))
	})

	it("reuses a cached index whose sha256 InRelease lists, and downloads a .deb once", func() {
		var logged []string
		reader.Log = func(format string, args ...interface{}) { logged = append(logged, format) }
		_, err := reader.Load()
		Expect(err).NotTo(HaveOccurred())
		Expect(logged).To(BeEmpty())
		index, err := reader.Load()
		Expect(err).NotTo(HaveOccurred())
		Expect(logged).To(HaveLen(2))

		debs := t.TempDir()
		_, fresh, err := reader.Download(index.Newest("libpq5"), debs)
		Expect(err).NotTo(HaveOccurred())
		Expect(fresh).To(BeTrue())
		_, fresh, err = reader.Download(index.Newest("libpq5"), debs)
		Expect(err).NotTo(HaveOccurred())
		Expect(fresh).To(BeFalse())
	})

	it("refuses an InRelease signed by another key", func() {
		other := fake.NewDebianArchive(t, map[string][]fake.DebPackage{"trixie": nil})
		keys, err := debian.ReadKeyring(other.Keyring)
		Expect(err).NotTo(HaveOccurred())
		reader.Keyring = keys
		_, err = reader.Load()
		var archiveErr debian.ArchiveError
		Expect(errors.As(err, &archiveErr)).To(BeTrue())
		Expect(archiveErr.URL).To(Equal(archive.URL + "/dists/trixie/InRelease"))
		Expect(archiveErr.Reason).To(ContainSubstring("signature check against the Debian archive keys failed"))
	})

	it("refuses an unsigned Release", func() {
		archive.Tamper = func(path string, content []byte) []byte {
			if filepath.Base(path) == "InRelease" {
				_, body, _ := bytes.Cut(content, []byte("\n\n"))
				return body
			}
			return content
		}
		_, err := reader.Load()
		Expect(err).To(MatchError(ContainSubstring("is not a signed InRelease file")))
	})

	it("refuses a Packages index that is not the one InRelease signs", func() {
		archive.Tamper = func(path string, content []byte) []byte {
			if filepath.Base(path) == "Packages.gz" {
				return append(content, 0)
			}
			return content
		}
		_, err := reader.Load()
		Expect(err).To(MatchError(ContainSubstring("Packages.gz: sha256")))
		Expect(err).To(MatchError(ContainSubstring("is not the")))
	})

	it("refuses a .deb that is not the one the index lists", func() {
		index, err := reader.Load()
		Expect(err).NotTo(HaveOccurred())
		archive.Tamper = func(path string, content []byte) []byte {
			if filepath.Ext(path) == ".deb" {
				return append(content, 0)
			}
			return content
		}
		debs := t.TempDir()
		_, _, err = reader.Download(index.Newest("libpq5"), debs)
		Expect(err).To(MatchError(ContainSubstring("the signed index lists")))
		entries, _ := os.ReadDir(debs)
		Expect(entries).To(BeEmpty())
	})

	it("names the URL of a mirror that answers an error", func() {
		reader.Suites = []debian.Suite{{Mirror: archive.URL, Name: "nosuch"}}
		_, err := reader.Load()
		Expect(err).To(MatchError(ContainSubstring(archive.URL + "/dists/nosuch/InRelease: answered 404")))
	})
}

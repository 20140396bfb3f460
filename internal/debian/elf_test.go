package debian_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/internal/debian"
)

func testELF(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	// copyLib puts a real shared library of this machine into a tree.
	copyLib := func(to string) {
		content, err := os.ReadFile("/usr/lib/x86_64-linux-gnu/libz.so.1")
		Expect(err).NotTo(HaveOccurred())
		Expect(os.MkdirAll(filepath.Dir(to), 0755)).To(Succeed())
		Expect(os.WriteFile(to, content, 0755)).To(Succeed())
	}

	it("lists the sonames ELF files link, with the files, less what the trees ship", func() {
		venv := filepath.Join(t.TempDir(), "venv")
		copyLib(filepath.Join(venv, "lib/python3.13/site-packages/zmod/_z.cpython-313-x86_64-linux-gnu.so"))
		Expect(os.WriteFile(filepath.Join(venv, "lib/python3.13/site-packages/zmod/__init__.py"), []byte(""), 0644)).To(Succeed())
		needs, err := debian.ScanELF(venv)
		Expect(err).NotTo(HaveOccurred())
		Expect(needs.Sonames()).To(Equal([]string{"libc.so.6"}))
		Expect(needs["libc.so.6"]).To(Equal([]string{"venv/lib/python3.13/site-packages/zmod/_z.cpython-313-x86_64-linux-gnu.so"}))

		// A wheel that bundles the library (auditwheel's .libs) needs nothing.
		copyLib(filepath.Join(venv, "lib/python3.13/site-packages/zmod.libs/libc.so.6"))
		needs, err = debian.ScanELF(venv)
		Expect(err).NotTo(HaveOccurred())
		Expect(needs).To(BeEmpty())
	})

	it("finds the packages a soname may be in by Debian's naming", func() {
		index, err := debian.ReadStatus([]byte("Package: libpq5\nVersion: 1\n\nPackage: libpango-1.0-0\nVersion: 1\n\nPackage: libgeos-c1t64\nVersion: 1\n\nPackage: libssl3t64\nVersion: 1\n"))
		Expect(err).NotTo(HaveOccurred())
		name := func(soname string) string {
			found := index.SonameCandidates(soname)
			if len(found) == 0 {
				return ""
			}
			return found[0].Name
		}
		Expect(name("libpq.so.5")).To(Equal("libpq5"))
		Expect(name("libpango-1.0.so.0")).To(Equal("libpango-1.0-0"))
		Expect(name("libgeos_c.so.1")).To(Equal("libgeos-c1t64"))
		Expect(name("libssl.so.3")).To(Equal("libssl3t64"))
		Expect(name("libnothing.so.1")).To(BeEmpty())
	})
}

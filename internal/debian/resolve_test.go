package debian_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/internal/debian"
)

func testResolver(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect  = NewWithT(t).Expect
		archive *debian.Index
		image   *debian.Index
		names   = func(pkgs []*debian.Package) []string {
			var out []string
			for _, p := range pkgs {
				out = append(out, p.Name)
			}
			return out
		}
	)

	it.Before(func() {
		var err error
		archive, err = debian.ReadStatus([]byte(`Package: libpq-dev
Version: 17.2-1
Architecture: amd64
Section: libdevel
Depends: libpq5 (= 17.2-1), libssl-dev

Package: libpq5
Version: 17.2-1
Architecture: amd64
Depends: libc6 (>= 2.38), libgssapi-krb5-2 (>= 1.17) | libheimdal, libssl3t64

Package: libssl-dev
Version: 3.5-1
Architecture: amd64
Section: libdevel
Depends: libssl3t64 (= 3.5-1)

Package: libssl3t64
Version: 3.5-1
Architecture: amd64

Package: libgssapi-krb5-2
Version: 1.21-1
Architecture: amd64
Depends: libc6 (>= 2.40)

Package: libc6
Version: 2.41-12
Architecture: amd64

Package: newlib
Version: 1.0-1
Architecture: amd64
Depends: libc6 (>= 2.42)

Package: jq
Version: 1.7-1
Architecture: amd64
Depends: libjq1, awk

Package: libjq1
Version: 1.7-1
Architecture: amd64

Package: mawk
Version: 1.3-1
Architecture: amd64
Provides: awk
`))
		Expect(err).NotTo(HaveOccurred())
		image, err = debian.ReadStatus([]byte(`Package: libc6
Status: install ok installed
Version: 2.41-12
Architecture: amd64

Package: libssl3t64
Status: install ok installed
Version: 3.5-1
Architecture: amd64

Package: removed
Status: deinstall ok config-files
Version: 1
Architecture: amd64
`))
		Expect(err).NotTo(HaveOccurred())
	})

	it("follows Depends less what the image has, taking the first alternative and providers", func() {
		pkgs, err := debian.Resolver{Archive: archive, Installed: image}.Resolve([]string{"libpq-dev", "jq"})
		Expect(err).NotTo(HaveOccurred())
		Expect(names(pkgs)).To(Equal([]string{"jq", "libgssapi-krb5-2", "libjq1", "libpq-dev", "libpq5", "libssl-dev", "mawk"}))
		Expect(image.Has("removed")).To(BeFalse())
	})

	it("leaves development packages out of a run-time closure, keeping the libraries they stand for", func() {
		roots := debian.RuntimeRoots(archive, image, []string{"libpq-dev"})
		Expect(roots).To(Equal([]string{"libpq5"}))
		pkgs, err := debian.Resolver{Archive: archive, Installed: image, RefuseInstalled: true,
			Leave: func(p *debian.Package) bool { return p.IsDevelopment() }}.Resolve(roots)
		Expect(err).NotTo(HaveOccurred())
		Expect(names(pkgs)).To(Equal([]string{"libgssapi-krb5-2", "libpq5"}))
	})

	it("refuses a package the run image has, and a dependency on another version of one", func() {
		_, err := debian.Resolver{Archive: archive, Installed: image, RefuseInstalled: true}.Resolve([]string{"libc6"})
		var conflict debian.StackConflictError
		Expect(errors.As(err, &conflict)).To(BeTrue())
		Expect(conflict.Package).To(Equal("libc6"))
		Expect(conflict.By).To(BeEmpty())

		_, err = debian.Resolver{Archive: archive, Installed: image}.Resolve([]string{"newlib"})
		Expect(errors.As(err, &conflict)).To(BeTrue())
		Expect(conflict.By).To(Equal("newlib"))
		Expect(conflict.Needed).To(Equal("libc6 (>= 2.42)"))
		Expect(err).To(MatchError("newlib needs libc6 (>= 2.42), but the stack has libc6 2.41-12"))
	})

	it("skips a root the build image has when asked not to refuse it", func() {
		pkgs, err := debian.Resolver{Archive: archive, Installed: image}.Resolve([]string{"libc6"})
		Expect(err).NotTo(HaveOccurred())
		Expect(pkgs).To(BeEmpty())
	})

	it("names the nearest packages of an unknown one", func() {
		_, err := debian.Resolver{Archive: archive, Installed: image}.Resolve([]string{"libpq"})
		var notFound debian.NotFoundError
		Expect(errors.As(err, &notFound)).To(BeTrue())
		Expect(notFound.Nearest).To(ContainElements("libpq5", "libpq-dev"))
	})
}

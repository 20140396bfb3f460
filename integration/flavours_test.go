package integration_test

import (
	gocontext "context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

// testFlavours builds on the bookworm flavour's builder (`make builder
// STACK=bookworm`), whatever flavour the rest of the suite tests: a Python
// app whose compiled wheels come from bookworm's CPython, and a Go app on
// bookworm's tiny run image.
func testFlavours(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect
	bookworm := flavours["bookworm"]

	it.Before(func() {
		f, err := builderFlavour(bookwormBuilder)
		Expect(err).NotTo(HaveOccurred(), "make builder STACK=bookworm makes it")
		Expect(f).To(Equal(bookworm), bookwormBuilder)
	})

	it("builds a Python app that asks for 3.11 on bookworm's own Python", func() {
		wheels, err := pyindex.Build(gocontext.Background(), pyindex.Options{
			CacheDir: filepath.Join(root, ".cache", "pyindex"),
			Image:    bookworm.image("build"),
			Packages: pyindex.DefaultPackages,
			Stdout:   os.Stderr,
			Stderr:   os.Stderr,
		})
		Expect(err).NotTo(HaveOccurred())
		bookwormIndex, err := pyindex.Serve(wheels)
		Expect(err).NotTo(HaveOccurred())
		defer bookwormIndex.Close()

		a := newApp(t, "flavours/bookworm-python")
		a.write(".python-version", "# the Python this app is tested on\n3.11\n")
		// The later --env wins: this index instead of the suite's.
		out := a.mustBuild("--builder", bookwormBuilder, "--env", "PIP_INDEX_URL="+bookwormIndex.URL())
		Expect(out).To(MatchRegexp(`\.python-version asks for 3\.11; using Python 3\.11\.\d+ from the bookworm stack`))
		Expect(runImageOf(t, a.image)).To(Equal(bookworm.image("run-python")))
		Expect(a.get(a.start() + "/")).To(Equal("python 3.11, markupsafe speedups: True"))
	})

	it("builds a Go app on bookworm's tiny run image that answers", func() {
		a := newApp(t, "go/web")
		a.mustBuild(append([]string{"--builder", bookwormBuilder, "--run-image", bookworm.image("run-tiny")}, caBinding(t)...)...)
		Expect(runImageOf(t, a.image)).To(Equal(bookworm.image("run-tiny")))
		Expect(a.get(a.start() + "/")).To(Equal("Hello From Onbuild"))
	})
}

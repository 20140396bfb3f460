package golang_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
)

func testGoFlags(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("trims paths, skips VCS stamping and strips symbols by default", func() {
		Expect(golang.BuildFlags(golang.FlagsInput{})).To(Equal([]string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w"}))
	})

	it("builds a vendored app from vendor/", func() {
		Expect(golang.BuildFlags(golang.FlagsInput{Vendored: true})).To(Equal([]string{"-trimpath", "-mod=vendor", "-buildvcs=false", "-ldflags=-s -w"}))
	})

	it("adds BP_GO_BUILD_FLAGS, leaving -mod and -buildvcs to the developer", func() {
		flags, err := golang.BuildFlags(golang.FlagsInput{BuildFlags: `-tags "netgo osusergo" -mod=mod -buildvcs=true`, Vendored: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(flags).To(Equal([]string{"-trimpath", "-tags", "netgo osusergo", "-mod=mod", "-buildvcs=true", "-ldflags=-s -w"}))

		flags, err = golang.BuildFlags(golang.FlagsInput{GOFLAGS: "-mod=readonly -buildvcs=auto", Vendored: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(flags).To(Equal([]string{"-trimpath", "-ldflags=-s -w"}))
	})

	it("merges every linker flag into one -ldflags, since go build keeps only the last", func() {
		flags, err := golang.BuildFlags(golang.FlagsInput{
			LDFlags:    "-X main.version=1.2.3",
			BuildFlags: `-ldflags "-X main.commit=abc" -race --ldflags=-X=main.x=y`,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(flags).To(Equal([]string{"-trimpath", "-buildvcs=false", "-race", "-ldflags=-s -w -X main.version=1.2.3 -X main.commit=abc -X=main.x=y"}))
	})

	it("refuses -o, packages and unbalanced quotes", func() {
		_, err := golang.BuildFlags(golang.FlagsInput{BuildFlags: "-o /tmp/app"})
		Expect(err).To(MatchError(ContainSubstring("BP_GO_BUILD_FLAGS sets -o")))
		_, err = golang.BuildFlags(golang.FlagsInput{BuildFlags: "./cmd/api"})
		Expect(err).To(MatchError(ContainSubstring(`holds "./cmd/api", which is not a flag`)))
		_, err = golang.BuildFlags(golang.FlagsInput{BuildFlags: `-tags "netgo`})
		Expect(err).To(MatchError(ContainSubstring("[Error: Bad BP_GO_BUILD_FLAGS]")))
		_, err = golang.BuildFlags(golang.FlagsInput{BuildFlags: `-ldflags`})
		Expect(err).To(MatchError(ContainSubstring("ends with -ldflags and no value")))
	})

	it("prepares the go command's environment", func() {
		env := golang.Environment([]string{"PATH=/usr/bin", "GOROOT=/elsewhere", "GOFLAGS=-mod=mod"}, "/layers/go/bin", "/layers/mod", "/layers/build")
		Expect(env).To(ConsistOf(
			"PATH=/layers/go/bin:/usr/bin", "GOMODCACHE=/layers/mod", "GOCACHE=/layers/build",
			"GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOFLAGS=-mod=mod -modcacherw",
		))
		Expect(golang.Environment([]string{"CGO_ENABLED=1"}, "", "", "")).To(ContainElement("CGO_ENABLED=1"))
	})
}

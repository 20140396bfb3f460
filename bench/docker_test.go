package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testDocker(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	var b *bench
	it.Before(func() {
		root, err := filepath.Abs("..")
		Expect(err).NotTo(HaveOccurred())
		b = &bench{root: root, started: time.Now().UTC().Format(time.RFC3339Nano), mounts: map[string]string{}}
	})

	it("gives every cache mount of the careful Dockerfiles an id of its own per prefix", func() {
		for _, dockerfile := range []string{"bench/go/multistage.Dockerfile", "bench/python/multistage.Dockerfile"} {
			file, err := b.withMountIDs(dockerfile, "bench-1-")
			Expect(err).NotTo(HaveOccurred())
			text, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			Expect(os.Remove(file)).To(Succeed())
			Expect(string(text)).NotTo(ContainSubstring("type=cache,target="), dockerfile)
			Expect(strings.Count(string(text), "type=cache,id=bench-1-/home/cnb/")).To(BeNumerically(">", 0), dockerfile)
		}
		file, err := b.withMountIDs("bench/go/multistage.Dockerfile", "bench-1-")
		Expect(err).NotTo(HaveOccurred())
		defer os.Remove(file)
		text, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(text)).To(ContainSubstring("--mount=type=cache,id=bench-1-/home/cnb/go/pkg/mod,target=/home/cnb/go/pkg/mod,uid=1000"))
		Expect(string(text)).To(ContainSubstring("--mount=type=cache,id=bench-1-/home/cnb/.cache/go-build,target=/home/cnb/.cache/go-build,uid=1000"))
	})

	it("makes rebuild edits no earlier bench made", func() {
		later := &bench{started: time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)}
		Expect(b.edit(1)).NotTo(Equal(later.edit(1)))
		Expect(b.edit(1)).NotTo(Equal(b.edit(2)))
	})
}

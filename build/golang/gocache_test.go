package golang_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/golang"
)

func testGoCache(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		dir    string
	)

	it.Before(func() {
		dir = t.TempDir()
	})

	// entry writes a file of size bytes, last used age ago.
	entry := func(name string, size int, age time.Duration) string {
		path := filepath.Join(dir, filepath.FromSlash(name))
		Expect(os.MkdirAll(filepath.Dir(path), 0755)).To(Succeed())
		Expect(os.WriteFile(path, []byte(strings.Repeat("x", size)), 0644)).To(Succeed())
		when := time.Now().Add(-age)
		Expect(os.Chtimes(path, when, when)).To(Succeed())
		return path
	}

	it("reads sizes with a unit, and refuses a bare number", func() {
		Expect(golang.ParseSize("BP_GO_CACHE_LIMIT", "512M")).To(Equal(int64(512 << 20)))
		Expect(golang.ParseSize("BP_GO_CACHE_LIMIT", "2g")).To(Equal(int64(2 << 30)))
		Expect(golang.ParseSize("BP_GO_CACHE_LIMIT", "100KiB")).To(Equal(int64(100 << 10)))
		_, err := golang.ParseSize("BP_GO_CACHE_LIMIT", "500")
		Expect(err).To(MatchError(ContainSubstring(`BP_GO_CACHE_LIMIT="500" is not a size such as 512M or 2G`)))
		_, err = golang.ParseSize("BP_GO_CACHE_LIMIT", "99999999999G")
		Expect(err).To(HaveOccurred())
		Expect(golang.FormatSize(3 << 29)).To(Equal("1.5 GiB"))
	})

	context("the build cache", func() {
		it("leaves a cache under its limit alone", func() {
			entry("ab/1-a", 100, time.Hour)
			eviction, err := golang.EvictBuildCache(dir, 1000)
			Expect(err).NotTo(HaveOccurred())
			Expect(eviction).To(Equal(golang.Eviction{Before: 100, After: 100}))
		})

		it("removes the least recently used entries down to three quarters of the limit, never its bookkeeping", func() {
			oldest := entry("ab/1-d", 400, 72*time.Hour)
			older := entry("cd/2-d", 400, 48*time.Hour)
			recent := entry("ef/3-d", 400, time.Minute)
			readme := entry("README", 50, 1000*time.Hour)
			eviction, err := golang.EvictBuildCache(dir, 1000)
			Expect(err).NotTo(HaveOccurred())
			Expect(eviction).To(Equal(golang.Eviction{Before: 1250, After: 450, Removed: 2}))
			Expect(oldest).NotTo(BeAnExistingFile())
			Expect(older).NotTo(BeAnExistingFile())
			Expect(recent).To(BeAnExistingFile())
			Expect(readme).To(BeAnExistingFile())
		})

		it("treats a missing cache as empty", func() {
			eviction, err := golang.EvictBuildCache(filepath.Join(dir, "none"), 10)
			Expect(err).NotTo(HaveOccurred())
			Expect(eviction.Before).To(BeZero())
			Expect(golang.AgeBuildCache(filepath.Join(dir, "none"))).To(Succeed())
		})

		it("keeps, after aging, only the entries the build read or wrote", func() {
			read := entry("ab/1-a", 100, 0)
			unread := entry("cd/2-d", 300, 0)
			trim := entry("trim.txt", 10, 0)
			Expect(golang.AgeBuildCache(dir)).To(Succeed())
			info, err := os.Stat(unread)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.ModTime().Year()).To(Equal(2000))

			start := time.Now()
			// What the go command does to an entry it reads, and one it writes.
			Expect(os.Chtimes(read, start, start)).To(Succeed())
			written := entry("ef/3-d", 50, 0)

			eviction, err := golang.TrimBuildCache(dir, start.Add(-time.Minute))
			Expect(err).NotTo(HaveOccurred())
			Expect(eviction).To(Equal(golang.Eviction{Before: 450, After: 150, Removed: 1}))
			Expect(unread).NotTo(BeAnExistingFile())
			Expect(read).To(BeAnExistingFile())
			Expect(written).To(BeAnExistingFile())
			Expect(trim).To(BeAnExistingFile())
		})
	})

	context("the module cache", func() {
		var inUse map[string]bool

		it.Before(func() {
			entry("golang.org/x/text@v0.21.0/go.mod", 300, 0)
			entry("golang.org/x/text@v0.20.0/go.mod", 300, 0)
			entry("cache/download/golang.org/x/text/@v/v0.21.0.zip", 200, 0)
			entry("cache/download/golang.org/x/text/@v/v0.20.0.zip", 200, 0)
			entry("cache/download/golang.org/x/text/@v/v0.20.0.ziphash", 10, 0)
			entry("cache/download/golang.org/x/text/@v/v0.20.0.mod", 10, 0)
			entry("cache/download/golang.org/x/text/@v/v0.20.0.info", 10, 0)
			inUse = map[string]bool{"golang.org/x/text@v0.21.0": true}
		})

		it("drops the zips of extracted modules that have their .ziphash, the one thing go build checks", func() {
			entry("cache/download/golang.org/x/text/@v/v0.21.0.ziphash", 10, 0)
			entry("cache/download/example.com/only/@v/v1.0.0.zip", 70, 0)
			entry("cache/download/example.com/only/@v/v1.0.0.ziphash", 10, 0)
			dropped, err := golang.DropModuleZips(dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(dropped).To(Equal(golang.Eviction{Before: 400, Removed: 2}))
			Expect(filepath.Join(dir, "cache/download/golang.org/x/text/@v/v0.21.0.zip")).NotTo(BeAnExistingFile())
			Expect(filepath.Join(dir, "cache/download/golang.org/x/text/@v/v0.20.0.zip")).NotTo(BeAnExistingFile())
			Expect(filepath.Join(dir, "cache/download/golang.org/x/text/@v/v0.21.0.ziphash")).To(BeAnExistingFile())
			Expect(filepath.Join(dir, "cache/download/example.com/only/@v/v1.0.0.zip")).To(BeAnExistingFile(), "not extracted")
		})

		it("leaves a cache under its limit alone", func() {
			eviction, err := golang.EvictModuleCache(dir, 10000, inUse)
			Expect(err).NotTo(HaveOccurred())
			Expect(eviction.Removed).To(BeZero())
			Expect(filepath.Join(dir, "golang.org/x/text@v0.20.0")).To(BeADirectory())
		})

		it("removes the modules and zips the build does not use, keeping every .mod and .info", func() {
			Expect(os.Chmod(filepath.Join(dir, "golang.org/x/text@v0.20.0"), 0555)).To(Succeed())
			eviction, err := golang.EvictModuleCache(dir, 1000, inUse)
			Expect(err).NotTo(HaveOccurred())
			Expect(eviction).To(Equal(golang.Eviction{Before: 1030, After: 520, Removed: 3}))
			Expect(filepath.Join(dir, "golang.org/x/text@v0.20.0")).NotTo(BeADirectory())
			Expect(filepath.Join(dir, "golang.org/x/text@v0.21.0/go.mod")).To(BeAnExistingFile())
			Expect(filepath.Join(dir, "cache/download/golang.org/x/text/@v/v0.21.0.zip")).To(BeAnExistingFile())
			Expect(filepath.Join(dir, "cache/download/golang.org/x/text/@v/v0.20.0.zip")).NotTo(BeAnExistingFile())
			Expect(filepath.Join(dir, "cache/download/golang.org/x/text/@v/v0.20.0.mod")).To(BeAnExistingFile())
			Expect(filepath.Join(dir, "cache/download/golang.org/x/text/@v/v0.20.0.info")).To(BeAnExistingFile())
		})
	})
}

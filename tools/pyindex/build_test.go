package pyindex_test

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

func TestBuild(t *testing.T) {
	spec.Run(t, "Build", testBuild, spec.Report(report.Terminal{}))
}

// fakeDocker stands in for the docker CLI: it knows images named img-*,
// and its `run` unpacks, for each python3-NAME asked for, a tree like
// Debian's with NAME 1.0 in an egg-info. It logs its arguments to LOG.
const fakeDocker = `#!/bin/sh
echo "$*" >> LOG
case "$1" in
image)
  case "$5" in img-*) echo "sha256:$5-id" ;; *) echo "Error: No such image: $5" >&2; exit 1 ;; esac ;;
run)
  pkgs=""; vol=""; seen=""
  while [ $# -gt 0 ]; do
    if [ -n "$seen" ]; then pkgs="$pkgs $1"; fi
    case "$1" in -v) vol=$2 ;; pyindex-fetch) seen=1 ;; esac
    shift
  done
  out=${vol%:/out}
  : > "$out/debs.txt"
  for p in $pkgs; do
    [ "$p" = python3-broken ] && { echo "E: Unable to locate package $p" >&2; exit 100; }
    name=${p#python3-}
    sp="$out/root/$p/usr/lib/python3/dist-packages"
    if [ "$p" = python3-pkg-resources ]; then
      # A split part, as trixie ships it: modules of its own and vendored
      # code inside setuptools' package, no metadata.
      mkdir -p "$sp/pkg_resources" "$sp/setuptools/_vendor"
      echo "x = 1" > "$sp/pkg_resources/__init__.py"
      echo "y = 2" > "$sp/setuptools/_vendor/jaraco.py"
      echo "$p 1.0-1" >> "$out/debs.txt"
      continue
    fi
    mkdir -p "$sp/$name" "$sp/$name-1.0.egg-info"
    echo "x = 1" > "$sp/$name/__init__.py"
    printf 'Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n' "$name" > "$sp/$name-1.0.egg-info/PKG-INFO"
    echo "$p 1.0-1" >> "$out/debs.txt"
  done ;;
*) exit 2 ;;
esac
`

func testBuild(t *testing.T, when spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	var (
		cache, docker, log string
		ctx                = context.Background()
	)

	runs := func() int {
		data, err := os.ReadFile(log)
		if os.IsNotExist(err) {
			return 0
		}
		Expect(err).NotTo(HaveOccurred())
		return strings.Count(string(data), "\nrun ") + map[bool]int{true: 1}[strings.HasPrefix(string(data), "run ")]
	}

	it.Before(func() {
		tmp := t.TempDir()
		cache = filepath.Join(tmp, "cache")
		docker = filepath.Join(tmp, "docker")
		log = filepath.Join(tmp, "docker.log")
		Expect(os.WriteFile(docker, []byte(strings.ReplaceAll(fakeDocker, "LOG", log)), 0o755)).To(Succeed())
	})

	when("keying the cache", func() {
		it("ignores the order and repetition of packages", func() {
			Expect(pyindex.CacheKey([]string{"b", "a"}, "sha256:1")).To(Equal(pyindex.CacheKey([]string{"a", "b", "a"}, "sha256:1")))
		})

		it("changes with the packages and the image", func() {
			k := pyindex.CacheKey([]string{"a"}, "sha256:1")
			Expect(k).To(MatchRegexp(`^[0-9a-f]{64}$`))
			Expect(pyindex.CacheKey([]string{"a", "b"}, "sha256:1")).NotTo(Equal(k))
			Expect(pyindex.CacheKey([]string{"a"}, "sha256:2")).NotTo(Equal(k))
		})
	})

	when("building", func() {
		it("fetches, converts and caches the wheels under the key", func() {
			dir, err := pyindex.Build(ctx, pyindex.Options{CacheDir: cache, Image: "img-a", Docker: docker,
				Packages: []string{"python3-foo", "python3-bar.baz", "python3-foo"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(dir).To(Equal(filepath.Join(cache, pyindex.CacheKey([]string{"python3-bar.baz", "python3-foo"}, "sha256:img-a-id"))))
			Expect(filepath.Join(dir, "foo-1.0-py3-none-any.whl")).To(BeARegularFile())
			Expect(filepath.Join(dir, "bar_baz-1.0-py3-none-any.whl")).To(BeARegularFile())
			Expect(pyindex.ReadDebs(dir)).To(Equal(map[string]string{"python3-foo": "1.0-1", "python3-bar.baz": "1.0-1"}))
			entries, err := os.ReadDir(cache)
			Expect(err).NotTo(HaveOccurred())
			Expect(entries).To(HaveLen(1), "no work or temp dirs left behind")

			logged, err := os.ReadFile(log)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(logged)).To(ContainSubstring("--user 0:0"))
			Expect(string(logged)).To(ContainSubstring(" img-a -c "))
		})

		it("merges a split part into its owner's wheel, into the owner's packages too", func() {
			dir, err := pyindex.Build(ctx, pyindex.Options{CacheDir: cache, Image: "img-a", Docker: docker,
				Packages: []string{"python3-setuptools", "python3-pkg-resources"}})
			Expect(err).NotTo(HaveOccurred())
			wheel, err := zip.OpenReader(filepath.Join(dir, "setuptools-1.0-py3-none-any.whl"))
			Expect(err).NotTo(HaveOccurred())
			defer wheel.Close()
			var names []string
			for _, f := range wheel.File {
				names = append(names, f.Name)
			}
			Expect(names).To(ContainElements("setuptools/__init__.py", "setuptools/_vendor/jaraco.py", "pkg_resources/__init__.py"))
			Expect(filepath.Join(dir, "pkg_resources-1.0-py3-none-any.whl")).NotTo(BeAnExistingFile())
		})

		it("reuses a cached build without running a container", func() {
			opts := pyindex.Options{CacheDir: cache, Image: "img-a", Docker: docker, Packages: []string{"python3-foo"}}
			first, err := pyindex.Build(ctx, opts)
			Expect(err).NotTo(HaveOccurred())
			Expect(runs()).To(Equal(1))
			second, err := pyindex.Build(ctx, opts)
			Expect(err).NotTo(HaveOccurred())
			Expect(second).To(Equal(first))
			Expect(runs()).To(Equal(1))
		})

		it("builds again for another image", func() {
			a, err := pyindex.Build(ctx, pyindex.Options{CacheDir: cache, Image: "img-a", Docker: docker, Packages: []string{"python3-foo"}})
			Expect(err).NotTo(HaveOccurred())
			b, err := pyindex.Build(ctx, pyindex.Options{CacheDir: cache, Image: "img-b", Docker: docker, Packages: []string{"python3-foo"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(b).NotTo(Equal(a))
			Expect(runs()).To(Equal(2))
		})

		it("leaves nothing in the cache when apt fails", func() {
			_, err := pyindex.Build(ctx, pyindex.Options{CacheDir: cache, Image: "img-a", Docker: docker, Packages: []string{"python3-broken"}})
			Expect(err).To(MatchError(ContainSubstring("fetching")))
			entries, err := os.ReadDir(cache)
			Expect(err).NotTo(HaveOccurred())
			Expect(entries).To(BeEmpty())
		})

		it("says an image must exist locally", func() {
			_, err := pyindex.Build(ctx, pyindex.Options{CacheDir: cache, Image: "nope", Docker: docker, Packages: []string{"python3-foo"}})
			Expect(err).To(MatchError(ContainSubstring("never pulled")))
		})

		it("rejects what is not a Debian package name before running anything", func() {
			_, err := pyindex.Build(ctx, pyindex.Options{CacheDir: cache, Image: "img-a", Docker: docker, Packages: []string{"-o=Debug::pkgAcquire"}})
			Expect(err).To(MatchError(ContainSubstring("not a Debian package name")))
			_, err = os.Stat(log)
			Expect(os.IsNotExist(err)).To(BeTrue())
		})
	})
}

package golang

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

var sizePattern = regexp.MustCompile(`^(\d+)\s*([KMGT])(IB|B)?$`)

// ParseSize reads a size such as 512M or 2G (powers of 1024). The unit is
// required: a bare 500 would be read as bytes and empty the cache.
func ParseSize(name, value string) (int64, error) {
	match := sizePattern.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(value)))
	if match != nil {
		n, err := strconv.ParseInt(match[1], 10, 64)
		shift := 10 * (1 + strings.Index("KMGT", match[2]))
		if err == nil && n < 1<<(62-shift) {
			return n << shift, nil
		}
	}
	return 0, problem.Problem{
		Title: "Bad " + name,
		Cause: fmt.Sprintf("%s=%q is not a size such as 512M or 2G.", name, value),
		Fixes: []string{fmt.Sprintf("Set %s to a number followed by K, M, G or T, e.g. %s=2G", name, name)},
	}
}

// FormatSize writes bytes the way ParseSize reads them, for the log.
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	value, exp := float64(n)/unit, 0
	for value >= unit && exp < 3 {
		value /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", value, "KMGT"[exp])
}

// DirSize adds up the sizes of the regular files under dir.
func DirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entry.Type().IsRegular() {
			info, err := entry.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	if os.IsNotExist(err) {
		return 0, nil
	}
	return total, err
}

// Eviction says what a cache eviction did, for the log.
type Eviction struct {
	Before, After int64
	Removed       int
}

// evictTarget is where an eviction stops: below the limit with room to
// spare, so that the next builds do not evict again at once.
func evictTarget(limit int64) int64 {
	return limit / 4 * 3
}

// EvictBuildCache removes GOCACHE entries, least recently used first, when
// the cache is over limit. The go command refreshes an entry's mtime when
// it uses it, so mtime order is use order; an entry missing later is a
// cache miss, never an error.
func EvictBuildCache(dir string, limit int64) (Eviction, error) {
	type entry struct {
		path string
		size int64
		used int64
	}
	var entries []entry
	var eviction Eviction
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		eviction.Before += info.Size()
		// Entries live in two-hex-digit folders; README and the trim
		// stamps at the top are the cache's own bookkeeping.
		if len(filepath.Base(filepath.Dir(path))) == 2 && filepath.Dir(filepath.Dir(path)) == dir {
			entries = append(entries, entry{path, info.Size(), info.ModTime().UnixNano()})
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return eviction, fmt.Errorf("unable to read the Go build cache\n%w", err)
	}
	eviction.After = eviction.Before
	if eviction.Before <= limit {
		return eviction, nil
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used < entries[j].used })
	for _, e := range entries {
		if eviction.After <= evictTarget(limit) {
			break
		}
		if err := os.Remove(e.path); err != nil {
			return eviction, fmt.Errorf("unable to evict %s\n%w", e.path, err)
		}
		eviction.After -= e.size
		eviction.Removed++
	}
	return eviction, nil
}

// EvictModuleCache removes, when GOMODCACHE is over limit, the extracted
// modules and their zips that the build did not use (inUse holds their
// folders relative to dir, "golang.org/x/text@v0.21.0"): old versions left
// behind by go.mod changes. The small .mod and .info files stay, since the
// go command reads those of every module in the graph, used or not, and
// would download them again.
func EvictModuleCache(dir string, limit int64, inUse map[string]bool) (Eviction, error) {
	before, err := DirSize(dir)
	if err != nil {
		return Eviction{}, fmt.Errorf("unable to read the Go module cache\n%w", err)
	}
	eviction := Eviction{Before: before, After: before}
	if before <= limit {
		return eviction, nil
	}
	var unused []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir() && rel == "cache":
			return filepath.SkipDir
		case d.IsDir() && strings.Contains(d.Name(), "@"):
			// Module paths cannot hold '@': this is a module's root.
			if !inUse[rel] {
				unused = append(unused, path)
			}
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return eviction, fmt.Errorf("unable to read the Go module cache\n%w", err)
	}
	downloads, err := unusedZips(dir, inUse)
	if err != nil {
		return eviction, err
	}
	for _, path := range append(unused, downloads...) {
		size, err := DirSize(path)
		if err != nil {
			return eviction, err
		}
		if err := removeWritable(path); err != nil {
			return eviction, fmt.Errorf("unable to evict %s\n%w", path, err)
		}
		eviction.After -= size
		eviction.Removed++
	}
	return eviction, nil
}

// unusedZips lists cache/download/<module>/@v/<version>.zip (and .ziphash)
// of modules not in use.
func unusedZips(dir string, inUse map[string]bool) ([]string, error) {
	downloads := filepath.Join(dir, "cache", "download")
	var unused []string
	err := filepath.WalkDir(downloads, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || !(strings.HasSuffix(name, ".zip") || strings.HasSuffix(name, ".ziphash")) {
			return nil
		}
		rel, _ := filepath.Rel(downloads, path)
		module, version, ok := strings.Cut(filepath.ToSlash(rel), "/@v/")
		version = strings.TrimSuffix(strings.TrimSuffix(version, ".ziphash"), ".zip")
		if ok && !inUse[module+"@"+version] {
			unused = append(unused, path)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("unable to read the Go module download cache\n%w", err)
	}
	return unused, nil
}

// removeWritable removes a tree the go command may have made read-only
// (module folders are, unless -modcacherw).
func removeWritable(path string) error {
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0755)
		}
		return nil
	})
	return os.RemoveAll(path)
}

// agedTime is the mtime AgeBuildCache gives every entry: old enough that
// the go command refreshes it on use (it skips entries used in the last
// hour), and far older than any build.
var agedTime = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// AgeBuildCache marks every GOCACHE entry as unused before the build, so
// that afterwards the mtime tells what the build read. The restored cache
// cannot tell: the lifecycle writes it out anew at restore, so every
// entry looks used within the hour and the go command leaves it alone.
func AgeBuildCache(dir string) error {
	return walkEntries(dir, func(path string, _ fs.FileInfo) error {
		return os.Chtimes(path, agedTime, agedTime)
	})
}

// TrimBuildCache removes the GOCACHE entries the build did not read (an
// mtime before since, after AgeBuildCache): the outputs of source that
// has changed since, of targets no longer built, of flags no longer used.
// Each is a cache miss at worst, while every byte kept is restored and
// saved again on every build.
func TrimBuildCache(dir string, since time.Time) (Eviction, error) {
	var eviction Eviction
	err := walkEntries(dir, func(path string, info fs.FileInfo) error {
		eviction.Before += info.Size()
		if !info.ModTime().Before(since) {
			return nil
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		eviction.Removed++
		eviction.After -= info.Size()
		return nil
	})
	eviction.After += eviction.Before
	if err != nil {
		return eviction, fmt.Errorf("unable to trim the Go build cache\n%w", err)
	}
	return eviction, nil
}

// walkEntries calls f on each GOCACHE entry: the files in its two-hex-digit
// folders, not the cache's own bookkeeping (README, trim.txt).
func walkEntries(dir string, f func(path string, info fs.FileInfo) error) error {
	folders, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, folder := range folders {
		if !folder.IsDir() || len(folder.Name()) != 2 {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(dir, folder.Name()))
		if err != nil {
			return err
		}
		for _, entry := range entries {
			if !entry.Type().IsRegular() {
				continue
			}
			info, err := entry.Info()
			if err != nil {
				return err
			}
			if err := f(filepath.Join(dir, folder.Name(), entry.Name()), info); err != nil {
				return err
			}
		}
	}
	return nil
}

// DropModuleZips removes from GOMODCACHE the zip of every module that is
// also there extracted, with its .ziphash: the go command builds from the
// extracted folder and checks go.sum against the .ziphash, and reads the
// zip again only to extract it anew. It would be restored and saved on
// every build for nothing; go mod verify checks the folder without it.
func DropModuleZips(dir string) (Eviction, error) {
	var eviction Eviction
	downloads := filepath.Join(dir, "cache", "download")
	err := filepath.WalkDir(downloads, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".zip") {
			return err
		}
		rel, _ := filepath.Rel(downloads, path)
		module, version, ok := strings.Cut(filepath.ToSlash(rel), "/@v/")
		if !ok {
			return nil
		}
		extracted := filepath.Join(dir, filepath.FromSlash(module+"@"+strings.TrimSuffix(version, ".zip")))
		if _, err := os.Stat(strings.TrimSuffix(path, ".zip") + ".ziphash"); err != nil {
			return nil
		}
		if info, err := os.Stat(extracted); err != nil || !info.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		eviction.Removed++
		eviction.Before += info.Size()
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return eviction, fmt.Errorf("unable to drop module zips from the Go module cache\n%w", err)
	}
	return eviction, nil
}

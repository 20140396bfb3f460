package debian

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"pault.ag/go/debian/control"
	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// Package is one binary package of an index (or of a dpkg database).
type Package struct {
	Name    string
	Version version.Version
	Arch    string
	// Mirror is the base URL Filename is under; Suite the suite it came
	// from. Both are empty for an installed package.
	Mirror   string
	Suite    string
	Filename string
	SHA256   string
	Size     int64
	Section  string
	// Paragraph is the whole record, for the dpkg status a scanner reads.
	Paragraph control.Paragraph
}

// Purl is the package's package URL, as scanners and the run images'
// own SBOM write it.
func (p Package) Purl(distro string) string {
	purl := fmt.Sprintf("pkg:deb/debian/%s@%s?arch=%s", p.Name, strings.ReplaceAll(p.Version.String(), ":", "%3A"), p.Arch)
	if distro != "" {
		purl += "&distro=" + distro
	}
	return purl
}

// URL is where the package is downloaded from.
func (p Package) URL() string {
	return strings.TrimSuffix(p.Mirror, "/") + "/" + p.Filename
}

// Relations parses a relation field (Depends, Pre-Depends, Provides).
func (p Package) Relations(field string) (dependency.Dependency, error) {
	value := strings.TrimSpace(p.Paragraph.Values[field])
	if value == "" {
		return dependency.Dependency{}, nil
	}
	dep, err := dependency.Parse(value)
	if err != nil {
		return dependency.Dependency{}, fmt.Errorf("%s %s has an unreadable %s field %q\n%w", p.Name, p.Version, field, value, err)
	}
	return *dep, nil
}

// IsDevelopment reports a package only a build needs: headers, static
// libraries, pkg-config files, documentation.
func (p Package) IsDevelopment() bool {
	return strings.HasSuffix(p.Name, "-dev") || strings.HasSuffix(p.Name, "-doc") ||
		p.Section == "libdevel" || p.Section == "doc" || strings.HasSuffix(p.Section, "/libdevel")
}

// Index is the packages of some suites, or of a dpkg database: every
// version of each name, and who provides each virtual name. A suite's
// index has some 70,000 records and a build reads a few dozen: records
// are split and keyed by name up front, and parsed only when asked for.
type Index struct {
	raw       map[string][]rawRecord
	byName    map[string][]*Package
	providers map[string][]string
	// IndexFiles are the sha256 names of the Packages files read, for
	// pruning a cache of them.
	IndexFiles []string
}

type rawRecord struct {
	data          []byte
	mirror, suite string
}

func newIndex() *Index {
	return &Index{raw: map[string][]rawRecord{}, byName: map[string][]*Package{}, providers: map[string][]string{}}
}

// add reads a Packages (or dpkg status) file.
func (ix *Index) add(data []byte, mirror, suite string) error {
	for _, record := range bytes.Split(data, []byte("\n\n")) {
		name := field(record, "Package")
		if name == "" {
			continue
		}
		ix.raw[name] = append(ix.raw[name], rawRecord{data: record, mirror: mirror, suite: suite})
		delete(ix.byName, name)
		if provides := field(record, "Provides"); provides != "" {
			dep, err := dependency.Parse(provides)
			if err != nil {
				return fmt.Errorf("package %s has an unreadable Provides field %q\n%w", name, provides, err)
			}
			for _, rel := range dep.Relations {
				for _, poss := range rel.Possibilities {
					ix.providers[poss.Name] = append(ix.providers[poss.Name], name)
				}
			}
		}
	}
	return nil
}

// field is the one-line value of a field of a record, for keying records
// before they are parsed.
func field(record []byte, name string) string {
	key := []byte(name + ": ")
	at := 0
	if !bytes.HasPrefix(record, key) {
		at = bytes.Index(record, append([]byte("\n"), key...))
		if at < 0 {
			return ""
		}
		at++
	}
	value := record[at+len(key):]
	if end := bytes.IndexByte(value, '\n'); end >= 0 {
		value = value[:end]
	}
	return string(bytes.TrimSpace(value))
}

// packages parses the records of name, once. Installed packages in a
// dpkg status keep only records whose Status says installed.
func (ix *Index) packages(name string) []*Package {
	if pkgs, ok := ix.byName[name]; ok {
		return pkgs
	}
	var pkgs []*Package
	for _, record := range ix.raw[name] {
		pkg, err := parseRecord(record)
		if err != nil || pkg == nil {
			continue
		}
		pkgs = append(pkgs, pkg)
	}
	ix.byName[name] = pkgs
	return pkgs
}

func parseRecord(record rawRecord) (*Package, error) {
	reader, err := control.NewParagraphReader(bufio.NewReader(bytes.NewReader(record.data)), nil)
	if err != nil {
		return nil, err
	}
	para, err := reader.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if para == nil {
		return nil, nil
	}
	if status, ok := para.Values["Status"]; ok && !strings.HasSuffix(status, " installed") {
		return nil, nil
	}
	ver, err := version.Parse(para.Values["Version"])
	if err != nil {
		return nil, err
	}
	var size int64
	fmt.Sscan(para.Values["Size"], &size)
	return &Package{
		Name: para.Values["Package"], Version: ver, Arch: para.Values["Architecture"],
		Mirror: record.mirror, Suite: record.suite, Filename: para.Values["Filename"], SHA256: para.Values["SHA256"],
		Size: size, Section: para.Values["Section"], Paragraph: *para,
	}, nil
}

// Newest is the highest version of name, nil when there is none.
func (ix *Index) Newest(name string) *Package {
	var best *Package
	for _, p := range ix.packages(name) {
		if best == nil || version.Compare(p.Version, best.Version) > 0 {
			best = p
		}
	}
	return best
}

// Has reports whether name is there, as a package or a virtual name.
func (ix *Index) Has(name string) bool {
	return len(ix.packages(name)) > 0 || len(ix.providers[name]) > 0
}

// Satisfies reports whether a possibility of a relation is met by this
// index (an installed set): a package of that name in the version range,
// or (without a version) anything providing the name.
func (ix *Index) Satisfies(poss dependency.Possibility) bool {
	for _, p := range ix.packages(poss.Name) {
		if poss.Version == nil || poss.Version.SatisfiedBy(p.Version) {
			return true
		}
	}
	if poss.Version == nil && len(ix.providers[poss.Name]) > 0 {
		return true
	}
	return false
}

// Candidate is the package apt would pick for a possibility: the newest
// version of the name that fits, else the first provider (by name) of a
// virtual name.
func (ix *Index) Candidate(poss dependency.Possibility) *Package {
	var best *Package
	for _, p := range ix.packages(poss.Name) {
		if poss.Version != nil && !poss.Version.SatisfiedBy(p.Version) {
			continue
		}
		if best == nil || version.Compare(p.Version, best.Version) > 0 {
			best = p
		}
	}
	if best != nil || poss.Version != nil {
		return best
	}
	providers := append([]string(nil), ix.providers[poss.Name]...)
	sort.Strings(providers)
	for _, name := range providers {
		if p := ix.Newest(name); p != nil {
			return p
		}
	}
	return nil
}

// Names lists every package name, sorted.
func (ix *Index) Names() []string {
	names := make([]string, 0, len(ix.raw))
	for name := range ix.raw {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Len is how many names the index has.
func (ix *Index) Len() int { return len(ix.raw) }

// ReadStatus reads dpkg databases: status files, or status.d folders of
// one record per package as distroless images (and onbuild's run images)
// keep them.
func ReadStatus(files ...[]byte) (*Index, error) {
	ix := newIndex()
	for _, data := range files {
		if err := ix.add(data, "", ""); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// Nearest returns up to n names of the index closest to name: those that
// contain it or that it contains first, then by edit distance.
func (ix *Index) Nearest(name string, n int) []string {
	type scored struct {
		name  string
		score int
	}
	var all []scored
	for candidate := range ix.raw {
		score := editDistance(name, candidate)
		if strings.Contains(candidate, name) || strings.Contains(name, candidate) {
			score -= 100 - len(candidate)
		}
		all = append(all, scored{candidate, score})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score < all[j].score
		}
		return all[i].name < all[j].name
	})
	var names []string
	for i := 0; i < len(all) && i < n; i++ {
		if all[i].score > len(name)/2+2 {
			break
		}
		names = append(names, all[i].name)
	}
	return names
}

// editDistance is Levenshtein's, on bytes: package names are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

package pyindex

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ConverterVersion is part of the cache key: bump it whenever the wheels
// this file writes would differ, so stale caches are not reused.
const ConverterVersion = "2"

// sitePackages is where Debian's python3-* packages put importable code.
const sitePackages = "usr/lib/python3/dist-packages"

// Wheel describes one wheel written by ConvertTree.
type Wheel struct {
	Name     string // as spelled in the metadata, e.g. "Flask"
	Version  string
	Project  string // normalized, e.g. "flask"
	Filename string // e.g. "flask-2.2.2-py3-none-any.whl"
}

// zipEpoch makes wheels byte-for-byte reproducible: the same .deb gives the
// same file and so the same #sha256 in the index, whatever the cache age.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// metadata files of an installed dist-info that belong to an installation,
// not to a wheel; WHEEL and RECORD are rewritten by us.
var droppedDistInfo = map[string]bool{
	"RECORD": true, "RECORD.jws": true, "RECORD.p7s": true, "WHEEL": true,
	"INSTALLER": true, "REQUESTED": true, "direct_url.json": true,
}

// egg-info files that have a dist-info meaning; the rest (SOURCES.txt,
// dependency_links.txt, not-zip-safe, ...) means nothing to pip.
var keptEggInfo = map[string]bool{"entry_points.txt": true, "top_level.txt": true}

type member struct {
	name string // path inside the wheel
	data []byte
	exec bool
}

// ConvertTree turns the extracted contents of one Debian python3-* package
// (root is where `dpkg-deb -x` unpacked it) into a wheel in outDir.
// Files that cannot be carried over (symlinks leaving the package) are
// reported on warn and left out.
func ConvertTree(root, outDir string, warn io.Writer) (Wheel, error) {
	if warn == nil {
		warn = io.Discard
	}
	sp := filepath.Join(root, filepath.FromSlash(sitePackages))
	entries, err := os.ReadDir(sp)
	if err != nil {
		return Wheel{}, fmt.Errorf("no %s in %s: %w", sitePackages, root, err)
	}
	var metaEntries []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".dist-info") || strings.HasSuffix(e.Name(), ".egg-info") {
			metaEntries = append(metaEntries, e.Name())
		}
	}
	// Splitting a package's files between several distributions would need
	// a guess; no package this tool is meant for needs one.
	if len(metaEntries) != 1 {
		return Wheel{}, fmt.Errorf("%s: want exactly one .dist-info or .egg-info, found %d %v", sp, len(metaEntries), metaEntries)
	}
	metaEntry := metaEntries[0]

	meta, err := readMetadata(filepath.Join(sp, metaEntry))
	if err != nil {
		return Wheel{}, err
	}
	meta.metadata = Unpin(meta.metadata)
	name, version := headerValue(meta.metadata, "Name"), headerValue(meta.metadata, "Version")
	if name == "" || version == "" {
		return Wheel{}, fmt.Errorf("%s: metadata lacks Name or Version", metaEntry)
	}
	w := Wheel{Name: name, Version: version, Project: NormalizeName(name), Filename: WheelFilename(name, version)}
	distInfo := distInfoDirName(name, version)

	var members []member
	err = filepath.WalkDir(sp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(sp, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == metaEntry || strings.HasPrefix(rel, metaEntry+"/") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		// Bytecode is compiled for Debian's interpreter at install time;
		// pip compiles its own.
		if d.IsDir() && d.Name() == "__pycache__" {
			return fs.SkipDir
		}
		if strings.HasSuffix(rel, ".pyc") || strings.HasSuffix(rel, ".pyo") || d.IsDir() {
			return nil
		}
		m, ok, err := readMember(root, p, rel, warn)
		if err != nil || !ok {
			return err
		}
		members = append(members, m)
		return nil
	})
	if err != nil {
		return Wheel{}, err
	}

	for _, f := range meta.files {
		members = append(members, member{name: distInfo + "/" + f.name, data: f.data})
	}
	members = append(members, member{name: distInfo + "/METADATA", data: meta.metadata})
	members = append(members, member{name: distInfo + "/WHEEL", data: wheelFile()})

	if err := writeWheel(filepath.Join(outDir, w.Filename), members, distInfo+"/RECORD"); err != nil {
		return Wheel{}, err
	}
	return w, nil
}

// readMember reads one file of the package. Debian replaces vendored files
// by symlinks into other packages (werkzeug's jquery.js); those targets are
// not in this tree, so they are left out rather than shipped dangling.
func readMember(root, p, rel string, warn io.Writer) (member, bool, error) {
	target := p
	for hops := 0; ; hops++ {
		fi, err := os.Lstat(target)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(warn, "pyindex: skipping %s: its symlink target is not in this package\n", rel)
				return member{}, false, nil
			}
			return member{}, false, err
		}
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(target)
			return member{name: rel, data: data, exec: fi.Mode()&0o111 != 0}, err == nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 || hops > 16 {
			fmt.Fprintf(warn, "pyindex: skipping %s: not a regular file\n", rel)
			return member{}, false, nil
		}
		link, err := os.Readlink(target)
		if err != nil {
			return member{}, false, err
		}
		// Absolute links name the installed system, i.e. this root.
		if filepath.IsAbs(link) {
			target = filepath.Join(root, link)
		} else {
			target = filepath.Join(filepath.Dir(target), link)
		}
		if r, err := filepath.Rel(root, target); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			fmt.Fprintf(warn, "pyindex: skipping %s: its symlink leaves the package\n", rel)
			return member{}, false, nil
		}
	}
}

func wheelFile() []byte {
	return []byte("Wheel-Version: 1.0\n" +
		"Generator: onbuild-pyindex " + ConverterVersion + "\n" +
		"Root-Is-Purelib: true\n" +
		"Tag: " + WheelTag + "\n")
}

// RecordHash is the hash field of a RECORD line: the algorithm, then the
// urlsafe base64 digest without padding, as the wheel spec wants.
func RecordHash(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func writeWheel(dest string, members []member, recordName string) error {
	// Code first, dist-info last and RECORD at the very end, as the spec
	// recommends, so installers can stream the archive.
	sort.SliceStable(members, func(i, j int) bool {
		di, dj := strings.Contains(members[i].name, ".dist-info/"), strings.Contains(members[j].name, ".dist-info/")
		if di != dj {
			return dj
		}
		return members[i].name < members[j].name
	})
	var record bytes.Buffer
	rw := csv.NewWriter(&record)

	tmp, err := os.CreateTemp(filepath.Dir(dest), ".wheel-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	zw := zip.NewWriter(tmp)
	add := func(m member) error {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: zipEpoch}
		mode := fs.FileMode(0o644)
		if m.exec {
			mode = 0o755
		}
		h.SetMode(mode)
		f, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		_, err = f.Write(m.data)
		return err
	}
	for _, m := range members {
		if err := add(m); err != nil {
			return err
		}
		if err := rw.Write([]string{m.name, RecordHash(m.data), strconv.Itoa(len(m.data))}); err != nil {
			return err
		}
	}
	if err := rw.Write([]string{recordName, "", ""}); err != nil {
		return err
	}
	rw.Flush()
	if err := rw.Error(); err != nil {
		return err
	}
	if err := add(member{name: recordName, data: record.Bytes()}); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}

type metaFile struct {
	name string
	data []byte
}

type distMetadata struct {
	metadata []byte     // METADATA
	files    []metaFile // other dist-info files, paths relative to it
}

// readMetadata loads a .dist-info dir as it is, or converts an .egg-info
// (a dir, or a single PKG-INFO file) to what a .dist-info would hold.
func readMetadata(p string) (distMetadata, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return distMetadata{}, err
	}
	if strings.HasSuffix(p, ".egg-info") && !fi.IsDir() {
		data, err := os.ReadFile(p)
		return distMetadata{metadata: data}, err
	}
	if strings.HasSuffix(p, ".egg-info") {
		return readEggInfo(p)
	}
	var dm distMetadata
	err = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(p, f)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if droppedDistInfo[rel] {
			return nil
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if rel == "METADATA" {
			dm.metadata = data
		} else {
			dm.files = append(dm.files, metaFile{rel, data})
		}
		return nil
	})
	if err == nil && dm.metadata == nil {
		err = fmt.Errorf("%s has no METADATA", p)
	}
	return dm, err
}

func readEggInfo(dir string) (distMetadata, error) {
	var dm distMetadata
	pkgInfo, err := os.ReadFile(filepath.Join(dir, "PKG-INFO"))
	if err != nil {
		return dm, err
	}
	requires, err := os.ReadFile(filepath.Join(dir, "requires.txt"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return dm, err
	}
	dm.metadata = EggInfoToMetadata(pkgInfo, requires)
	for name := range keptEggInfo {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return dm, err
		}
		dm.files = append(dm.files, metaFile{name, data})
	}
	sort.Slice(dm.files, func(i, j int) bool { return dm.files[i].name < dm.files[j].name })
	return dm, nil
}

// EggInfoToMetadata turns an egg-info PKG-INFO into a dist-info METADATA.
// setuptools keeps requirements out of PKG-INFO, in requires.txt, so they
// are added back as Requires-Dist/Provides-Extra headers; without them
// `pip install gunicorn[gevent]` would not know the extra exists.
func EggInfoToMetadata(pkgInfo, requiresTxt []byte) []byte {
	head, body := splitHeaders(pkgInfo)
	have := map[string]bool{}
	for _, v := range headerValues(head, "Provides-Extra") {
		have[NormalizeName(v)] = true
	}
	var extra bytes.Buffer
	for _, r := range requiresTxtHeaders(requiresTxt) {
		if r.key == "Provides-Extra" {
			if have[r.value] {
				continue
			}
			have[r.value] = true
		}
		fmt.Fprintf(&extra, "%s: %s\n", r.key, r.value)
	}
	out := append([]byte{}, head...)
	out = append(out, extra.Bytes()...)
	return append(out, body...)
}

type header struct{ key, value string }

var requiresDist = regexp.MustCompile(`^(?i:Requires-Dist):\s*([A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?)\s*([^;]*?)\s*(;.*)?$`)

// Unpin drops the version bounds of every Requires-Dist header, keeping
// the name, extras and marker. Debian chose versions that work together
// and patches a package when a bound is too tight (bookworm's fastapi 0.92
// asks for starlette<0.26 and runs on Debian's 0.26.1); upstream's bounds
// would make pip refuse the very set Debian ships.
func Unpin(metadata []byte) []byte {
	head, body := splitHeaders(metadata)
	lines := strings.Split(string(head), "\n")
	for i, line := range lines {
		m := requiresDist.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		lines[i] = "Requires-Dist: " + strings.ReplaceAll(m[1], " ", "")
		if m[3] != "" {
			lines[i] += "; " + strings.TrimSpace(m[3][1:])
		}
	}
	return append([]byte(strings.Join(lines, "\n")), body...)
}

// requiresTxtHeaders reads pkg_resources' requires.txt: plain lines are
// requirements, and a "[extra:marker]" line makes the following ones apply
// only with that extra and/or marker.
func requiresTxtHeaders(requiresTxt []byte) []header {
	var out []header
	var cond string
	sc := bufio.NewScanner(bytes.NewReader(requiresTxt))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section := strings.TrimSpace(line[1 : len(line)-1])
			extra, marker, _ := strings.Cut(section, ":")
			extra, marker = strings.TrimSpace(extra), strings.TrimSpace(marker)
			var conds []string
			if marker != "" {
				conds = append(conds, "("+marker+")")
			}
			if extra != "" {
				extra = NormalizeName(extra)
				out = append(out, header{"Provides-Extra", extra})
				conds = append(conds, fmt.Sprintf("extra == %q", extra))
			}
			cond = strings.Join(conds, " and ")
			continue
		}
		req, inline, hasInline := strings.Cut(line, ";")
		req = strings.TrimSpace(req)
		switch {
		case hasInline && cond != "":
			req += "; (" + strings.TrimSpace(inline) + ") and " + cond
		case hasInline:
			req += "; " + strings.TrimSpace(inline)
		case cond != "":
			req += "; " + cond
		}
		out = append(out, header{"Requires-Dist", req})
	}
	return out
}

// splitHeaders splits an RFC 822 style metadata file into its header block
// (ending in a newline) and the rest (the blank line and the description).
func splitHeaders(data []byte) (head, body []byte) {
	s := string(data)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return data[:i+1], data[i+1:]
	}
	if len(s) > 0 && !strings.HasSuffix(s, "\n") {
		return append(append([]byte{}, data...), '\n'), nil
	}
	return data, nil
}

func headerValues(data []byte, key string) []string {
	head, _ := splitHeaders(data)
	var vals []string
	for _, line := range strings.Split(string(head), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "\t") {
			vals = append(vals, strings.TrimSpace(v))
		}
	}
	return vals
}

func headerValue(data []byte, key string) string {
	if v := headerValues(data, key); len(v) > 0 {
		return v[0]
	}
	return ""
}

package python

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// The two forms a python-build-standalone build is pinned in
// (docs/python.md, "Where the Python comes from"):
//
//   - a github.com/kluctl/go-embed-python module zip, served by any Go
//     module proxy: every platform's tree under python/internal/data/<os>-<arch>/,
//     its large files gzipped, modes and symlinks listed in files.json
//     (a module zip holds neither), and pip under pip/internal/data/;
//   - python-build-standalone's own install_only tarball (.tar.gz), one
//     platform, everything under python/, pip included.
const (
	embedModule    = "github.com/kluctl/go-embed-python"
	embedPythonDir = "python/internal/data/"
	embedPipDir    = "pip/internal/data/"
)

// Extraction counts what an extraction wrote and left out, for the log.
type Extraction struct {
	Files, Skipped int
	Bytes          int64
}

// skipped are parts of a CPython install no server app uses: Tcl/Tk and
// tkinter, IDLE, turtle demos, the test suite, and the console scripts of
// pip, pydoc, idle and 2to3, whose shebangs name the build machine's paths.
var skipped = regexp.MustCompile(`^(lib/(tcl|tk|itcl|thread|libtcl|libtk|Tix)[^/]*(/|$)|` +
	`lib/python3\.\d+/(tkinter|idlelib|turtledemo|test|lib2to3/tests)(/|$)|` +
	`lib/python3\.\d+/lib-dynload/_tkinter|` +
	`bin/(pip|pydoc|idle|2to3)[^/]*$|share/)`)

// Needed reports whether a file of the interpreter's tree, by its slash
// path relative to the prefix, goes into the python layer.
func Needed(name string) bool { return !skipped.MatchString(name) }

// embedFile is one entry of a go-embed-python files.json.
type embedFile struct {
	Name       string      `json:"name"`
	Size       int64       `json:"size"`
	Perm       fs.FileMode `json:"perm"`
	Symlink    string      `json:"symlink"`
	Compressed bool        `json:"compressed"`
}

// extractEmbedModule writes the platform's interpreter tree (platform as
// go-embed-python names it: linux-amd64, linux-arm64) of a module zip to
// dir, un-gzipping what the module gzipped, and puts the module's pip in
// site-packages, where the venv's pip runs from.
func extractEmbedModule(archive *os.File, platform, dir string) (Extraction, error) {
	var extraction Extraction
	info, err := archive.Stat()
	if err != nil {
		return extraction, err
	}
	reader, err := zip.NewReader(archive, info.Size())
	if err != nil {
		return extraction, err
	}
	entries := map[string]*zip.File{}
	prefix := ""
	for _, f := range reader.File {
		name := f.Name
		if prefix == "" {
			at := strings.Index(name, "@")
			slash := strings.Index(name[max(at, 0):], "/")
			if at < 0 || slash < 0 || !strings.HasPrefix(name, embedModule+"@") {
				return extraction, fmt.Errorf("%s is not a %s module zip", name, embedModule)
			}
			prefix = name[:at+slash+1]
		}
		entries[strings.TrimPrefix(name, prefix)] = f
	}
	tree := embedPythonDir + platform + "/"
	list, ok := entries[tree+"files.json"]
	if !ok {
		return extraction, fmt.Errorf("the module has no Python for %s (no %sfiles.json)", platform, tree)
	}
	var files struct {
		Files []embedFile `json:"files"`
	}
	if err := readJSON(list, &files); err != nil {
		return extraction, fmt.Errorf("unable to read %sfiles.json\n%w", tree, err)
	}
	minor := ""
	for _, f := range files.Files {
		if !filepath.IsLocal(f.Name) || strings.Contains(f.Name, "\\") {
			return extraction, fmt.Errorf("files.json names %q, outside the tree", f.Name)
		}
		if m := libMinor.FindStringSubmatch(f.Name); m != nil {
			minor = m[1]
		}
		if !Needed(f.Name) {
			extraction.Skipped++
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(f.Name))
		switch {
		case f.Perm.IsDir():
			err = os.MkdirAll(target, 0755)
		case f.Perm&fs.ModeSymlink != 0:
			err = symlink(dir, f.Name, f.Symlink)
		default:
			name := tree + f.Name
			if f.Compressed {
				name += ".gz"
			}
			entry, ok := entries[name]
			if !ok {
				return extraction, fmt.Errorf("files.json lists %s, which the module zip does not hold", name)
			}
			var n int64
			n, err = writeZipEntry(entry, target, f.Perm.Perm()|0644, f.Compressed)
			extraction.Files++
			extraction.Bytes += n
		}
		if err != nil {
			return extraction, fmt.Errorf("unable to extract %s\n%w", f.Name, err)
		}
	}
	if minor == "" {
		return extraction, fmt.Errorf("the module's %s tree has no lib/python3.X", platform)
	}
	sitePackages := filepath.Join(dir, "lib", "python"+minor, "site-packages")
	for name, entry := range entries {
		rest, ok := strings.CutPrefix(name, embedPipDir)
		if !ok || strings.HasSuffix(name, "/") || !(strings.HasPrefix(rest, "pip/") || strings.HasPrefix(rest, "pip-")) {
			continue
		}
		n, err := writeZipEntry(entry, filepath.Join(sitePackages, filepath.FromSlash(rest)), 0644, false)
		if err != nil {
			return extraction, fmt.Errorf("unable to extract pip's %s\n%w", rest, err)
		}
		extraction.Files++
		extraction.Bytes += n
	}
	return extraction, nil
}

var libMinor = regexp.MustCompile(`^lib/python(3\.\d+)/`)

func readJSON(f *zip.File, into interface{}) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return json.NewDecoder(r).Decode(into)
}

func writeZipEntry(f *zip.File, target string, perm fs.FileMode, gzipped bool) (int64, error) {
	r, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var in io.Reader = r
	if gzipped {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return 0, err
		}
		defer gz.Close()
		in = gz
	}
	return writeFile(in, target, perm)
}

func writeFile(in io.Reader, target string, perm fs.FileMode) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(target), 0755); err != nil {
		return 0, err
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, perm)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err != nil {
		out.Close()
		return n, err
	}
	return n, out.Close()
}

// symlink makes name (a slash path in dir) point at target, which must
// stay inside dir: an archive must not reach outside its layer.
func symlink(dir, name, target string) error {
	if path.IsAbs(target) || !filepath.IsLocal(path.Join(path.Dir(name), target)) {
		return fmt.Errorf("link to %q leaves the interpreter's tree", target)
	}
	link := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(link), 0755); err != nil {
		return err
	}
	return os.Symlink(target, link)
}

// extractInstallOnly writes a python-build-standalone install_only
// tarball (everything under python/) to dir.
func extractInstallOnly(archive *os.File, dir string) (Extraction, error) {
	var extraction Extraction
	gz, err := gzip.NewReader(archive)
	if err != nil {
		return extraction, fmt.Errorf("not a gzipped tarball\n%w", err)
	}
	defer gz.Close()
	reader := tar.NewReader(gz)
	for {
		header, err := reader.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return extraction, err
		}
		name, ok := strings.CutPrefix(strings.TrimPrefix(header.Name, "./"), "python/")
		if !ok || name == "" {
			continue
		}
		name = strings.TrimSuffix(name, "/")
		if !filepath.IsLocal(name) {
			return extraction, fmt.Errorf("the tarball names %q, outside its tree", header.Name)
		}
		if !Needed(name) {
			extraction.Skipped++
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch header.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0755)
		case tar.TypeSymlink:
			err = symlink(dir, name, header.Linkname)
		case tar.TypeReg:
			var n int64
			n, err = writeFile(reader, target, fs.FileMode(header.Mode).Perm()|0644)
			extraction.Files++
			extraction.Bytes += n
		case tar.TypeLink:
			linked, ok := strings.CutPrefix(strings.TrimPrefix(header.Linkname, "./"), "python/")
			if !ok || !filepath.IsLocal(linked) {
				return extraction, fmt.Errorf("the tarball links %q to %q, outside its tree", header.Name, header.Linkname)
			}
			err = os.Link(filepath.Join(dir, filepath.FromSlash(linked)), target)
		}
		if err != nil {
			return extraction, fmt.Errorf("unable to extract %s\n%w", name, err)
		}
	}
	if extraction.Files == 0 {
		return extraction, fmt.Errorf("the tarball has no python/ tree, as python-build-standalone's install_only builds do")
	}
	return extraction, nil
}

package debian

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"pault.ag/go/debian/deb"
)

// Extract unpacks a .deb's files under root, as dpkg would under /, but
// without dpkg, root or maintainer scripts: regular files (without setuid
// bits), folders, and links, whose absolute targets are moved under root
// so that they stay inside it. keep, when set, chooses which files to
// write (by their path in the package, "usr/lib/..."). It returns the
// paths it wrote, for the package's file list.
func Extract(debFile, root string, keep func(name string) bool) ([]string, error) {
	f, err := os.Open(debFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pkg, err := deb.Load(f, debFile)
	if err != nil {
		return nil, fmt.Errorf("unable to read %s as a Debian package\n%w", filepath.Base(debFile), err)
	}
	defer pkg.Close()
	var written []string
	for {
		hdr, err := pkg.Data.Next()
		if errors.Is(err, io.EOF) {
			return written, nil
		}
		if err != nil {
			return written, fmt.Errorf("unable to read the files of %s\n%w", filepath.Base(debFile), err)
		}
		name := path.Clean(strings.TrimPrefix(strings.TrimPrefix(hdr.Name, "."), "/"))
		if name == "." || name == "" {
			continue
		}
		if name == ".." || strings.HasPrefix(name, "../") {
			return written, fmt.Errorf("%s has a file outside its root: %s", filepath.Base(debFile), hdr.Name)
		}
		if hdr.Typeflag != tar.TypeDir && keep != nil && !keep(name) {
			continue
		}
		target := filepath.Join(root, filepath.FromSlash(name))
		if err := writeEntry(pkg.Data, hdr, root, target); err != nil {
			return written, fmt.Errorf("unable to extract %s from %s\n%w", name, filepath.Base(debFile), err)
		}
		if hdr.Typeflag != tar.TypeDir {
			written = append(written, "/"+name)
		}
	}
}

func writeEntry(r io.Reader, hdr *tar.Header, root, target string) error {
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(target, 0755)
	case tar.TypeReg:
		if err := os.MkdirAll(filepath.Dir(target), 0755); err != nil {
			return err
		}
		_ = os.Remove(target)
		mode := os.FileMode(0644)
		if hdr.Mode&0111 != 0 {
			mode = 0755
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	case tar.TypeSymlink:
		if err := os.MkdirAll(filepath.Dir(target), 0755); err != nil {
			return err
		}
		link := hdr.Linkname
		if strings.HasPrefix(link, "/") {
			link = filepath.Join(root, filepath.FromSlash(link))
		}
		_ = os.Remove(target)
		return os.Symlink(link, target)
	case tar.TypeLink:
		from := filepath.Join(root, filepath.FromSlash(path.Clean(strings.TrimPrefix(strings.TrimPrefix(hdr.Linkname, "."), "/"))))
		if !strings.HasPrefix(from, root+string(filepath.Separator)) {
			return fmt.Errorf("hard link outside the root: %s", hdr.Linkname)
		}
		_ = os.Remove(target)
		return os.Link(from, target)
	}
	// Device nodes and fifos have no place in a layer.
	return nil
}

// Runtime reports whether a file of a package belongs in a launch layer:
// not documentation, headers, static archives or pkg-config files, which
// only a build reads. Copyright files stay, as the licences ask.
func Runtime(name string) bool {
	if strings.HasPrefix(name, "usr/share/doc/") {
		return strings.HasSuffix(name, "/copyright")
	}
	for _, prefix := range []string{"usr/share/man/", "usr/share/info/", "usr/share/lintian/", "usr/include/", "usr/share/pkgconfig/"} {
		if strings.HasPrefix(name, prefix) {
			return false
		}
	}
	return !strings.HasSuffix(name, ".a") && !strings.Contains(name, "/pkgconfig/")
}

package debian

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"pault.ag/go/debian/deb"
)

// Needs maps each shared library soname that ELF files of a tree ask for
// (DT_NEEDED) to the files that ask, relative to the tree's parent.
type Needs map[string][]string

// ScanELF reads the ELF files under each root and returns the sonames they
// need that no file of the trees provides: a wheel's bundled libraries
// (auditwheel's .libs folders) are found through their RPATH, not the
// loader's folders.
func ScanELF(roots ...string) (Needs, error) {
	needs := Needs{}
	provided := map[string]bool{}
	for _, root := range roots {
		parent := filepath.Dir(root)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
					return nil
				}
				return err
			}
			if !d.Type().IsRegular() {
				if d.Type()&fs.ModeSymlink != 0 {
					provided[d.Name()] = true
				}
				return nil
			}
			if strings.Contains(d.Name(), ".so") {
				provided[d.Name()] = true
			}
			if !isELF(path) {
				return nil
			}
			f, err := elf.Open(path)
			if err != nil {
				return nil
			}
			defer f.Close()
			if sonames, err := f.DynString(elf.DT_SONAME); err == nil {
				for _, s := range sonames {
					provided[s] = true
				}
			}
			libs, err := f.ImportedLibraries()
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(parent, path)
			for _, lib := range libs {
				needs[lib] = append(needs[lib], rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for soname := range needs {
		if provided[soname] {
			delete(needs, soname)
		}
	}
	return needs, nil
}

func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		return false
	}
	return bytes.Equal(magic, []byte(elf.ELFMAG))
}

// Sonames lists them sorted.
func (n Needs) Sonames() []string {
	names := make([]string, 0, len(n))
	for name := range n {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// SonameCandidates are the packages that, by Debian's library package
// naming (policy 8.1), may ship soname: libpq.so.5 in libpq5,
// libpango-1.0.so.0 in libpango-1.0-0, libgeos_c.so.1 in libgeos-c1t64,
// with the suffixes transitions added (t64, v5). Which one really ships it
// is checked against the package's files (PackageShips).
func (ix *Index) SonameCandidates(soname string) []*Package {
	base, ver, ok := strings.Cut(soname, ".so")
	if !ok {
		return nil
	}
	ver = strings.TrimPrefix(ver, ".")
	name := strings.ToLower(strings.ReplaceAll(base, "_", "-"))
	if ver != "" {
		if last := name[len(name)-1]; last >= '0' && last <= '9' {
			name += "-" + ver
		} else {
			name += ver
		}
	}
	var found []*Package
	for _, suffix := range []string{"", "t64", "v5", "c2", "a", "-0", "-turbo", "-gnutls", "-openssl"} {
		if p := ix.Newest(name + suffix); p != nil {
			found = append(found, p)
		}
	}
	return found
}

// PackageShips reports whether a .deb has a file named soname.
func PackageShips(debFile, soname string) (bool, error) {
	f, err := os.Open(debFile)
	if err != nil {
		return false, err
	}
	defer f.Close()
	pkg, err := deb.Load(f, debFile)
	if err != nil {
		return false, err
	}
	defer pkg.Close()
	for {
		hdr, err := pkg.Data.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if filepath.Base(hdr.Name) == soname {
			return true, nil
		}
	}
}

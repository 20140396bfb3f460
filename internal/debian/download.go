package debian

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"pault.ag/go/debian/control"
)

// Download returns the .deb of pkg in dir (named by its sha256), checked
// against the sha256 and size of the verified index; it downloads only
// what dir does not already hold. It reports whether it downloaded.
func (a Archive) Download(pkg *Package, dir string) (string, bool, error) {
	if pkg.SHA256 == "" {
		return "", false, ArchiveError{URL: pkg.URL(), Reason: "the index gives no SHA256 for " + pkg.Name}
	}
	file := filepath.Join(dir, pkg.SHA256+".deb")
	if data, err := os.ReadFile(file); err == nil && checksum(data) == pkg.SHA256 {
		return file, false, nil
	}
	data, err := a.get(pkg.URL())
	if err != nil {
		return "", false, err
	}
	if sum := checksum(data); sum != pkg.SHA256 || (pkg.Size > 0 && int64(len(data)) != pkg.Size) {
		return "", false, ArchiveError{URL: pkg.URL(), Reason: fmt.Sprintf("sha256 %s (%d bytes) is not the %s (%d bytes) the signed index lists", sum, len(data), pkg.SHA256, pkg.Size)}
	}
	if err := os.MkdirAll(dir, 0755); err != nil {
		return "", false, err
	}
	// Written aside and renamed, so a broken build leaves no partial file
	// a later one would read.
	tmp := file + ".part"
	if err := os.WriteFile(tmp, data, 0644); err != nil {
		return "", false, err
	}
	return file, true, os.Rename(tmp, file)
}

// statusFields are the fields of an index record that a dpkg status record
// carries; download fields (Filename, SHA256, Size) are the archive's.
var statusFields = []string{"Package", "Status", "Priority", "Section", "Installed-Size", "Maintainer",
	"Architecture", "Multi-Arch", "Source", "Version", "Replaces", "Provides", "Depends", "Pre-Depends",
	"Recommends", "Suggests", "Breaks", "Conflicts", "Description", "Homepage"}

// StatusRecord is the package's dpkg status record, as dpkg writes it in
// /var/lib/dpkg/status and distroless images in status.d/NAME: what
// scanners read to list an image's Debian packages.
func (p Package) StatusRecord() (string, error) {
	record := control.Paragraph{Values: map[string]string{}}
	for _, field := range statusFields {
		value := p.Paragraph.Values[field]
		if field == "Status" {
			value = "install ok installed"
		}
		if value == "" {
			continue
		}
		record.Set(field, value)
	}
	var b strings.Builder
	if err := record.WriteTo(&b); err != nil {
		return "", fmt.Errorf("unable to write the status record of %s\n%w", p.Name, err)
	}
	return b.String(), nil
}

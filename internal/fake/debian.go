package fake

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// DebPackage is a package of a DebianArchive: its control fields and its
// files (path → content; a content starting with "->" makes a symlink).
// Arch is its architecture's index (default amd64).
type DebPackage struct {
	Name, Version, Depends, Section, Provides, Arch string
	Files                                           map[string]string
}

func (p DebPackage) arch() string {
	if p.Arch == "" {
		return "amd64"
	}
	return p.Arch
}

// DebianArchive is a Debian mirror on 127.0.0.1 with one suite per name,
// signed by a key made for the test, whose public part Keyring holds.
type DebianArchive struct {
	URL     string
	Keyring string
	files   map[string][]byte
	// Tamper, when set, changes a served file after signing.
	Tamper func(path string, content []byte) []byte
}

// NewDebianArchive serves suites (name → packages) until the test ends.
func NewDebianArchive(t *testing.T, suites map[string][]DebPackage) *DebianArchive {
	t.Helper()
	entity, err := openpgp.NewEntity("onbuild test archive", "", "archive@example.invalid", &packet.Config{RSABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	a := &DebianArchive{files: map[string][]byte{}}
	names := make([]string, 0, len(suites))
	for name := range suites {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, suite := range names {
		// One Packages index per architecture, amd64's and arm64's even
		// when empty, as a real suite has them.
		indexes := map[string]*strings.Builder{"amd64": {}, "arm64": {}}
		for _, p := range suites[suite] {
			if indexes[p.arch()] == nil {
				indexes[p.arch()] = &strings.Builder{}
			}
		}
		for _, p := range suites[suite] {
			index := indexes[p.arch()]
			deb := buildDeb(t, p)
			pool := fmt.Sprintf("pool/main/%s/%s_%s_%s.deb", p.Name[:1], p.Name, p.Version, p.arch())
			a.files[pool] = deb
			sum := sha256.Sum256(deb)
			fmt.Fprintf(index, "Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: Test <t@example.invalid>\n", p.Name, p.Version, p.arch())
			for field, value := range map[string]string{"Depends": p.Depends, "Provides": p.Provides, "Section": p.Section} {
				if value != "" {
					fmt.Fprintf(index, "%s: %s\n", field, value)
				}
			}
			fmt.Fprintf(index, "Filename: %s\nSize: %d\nSHA256: %s\nDescription: test package %s\n\n", pool, len(deb), hex.EncodeToString(sum[:]), p.Name)
		}
		arches := make([]string, 0, len(indexes))
		for arch := range indexes {
			arches = append(arches, arch)
		}
		sort.Strings(arches)
		release := fmt.Sprintf("Origin: Test\nSuite: %s\nCodename: %s\nSHA256:\n", suite, suite)
		for _, arch := range arches {
			var gz bytes.Buffer
			w := gzip.NewWriter(&gz)
			w.Write([]byte(indexes[arch].String()))
			w.Close()
			packages := "main/binary-" + arch + "/Packages.gz"
			a.files["dists/"+suite+"/"+packages] = gz.Bytes()
			sum := sha256.Sum256(gz.Bytes())
			release += fmt.Sprintf(" %s %d %s\n", hex.EncodeToString(sum[:]), gz.Len(), packages)
		}
		var signed bytes.Buffer
		sw, err := clearsign.Encode(&signed, entity.PrivateKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		sw.Write([]byte(release))
		sw.Close()
		a.files["dists/"+suite+"/InRelease"] = signed.Bytes()
	}
	var pub bytes.Buffer
	if err := entity.Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	a.Keyring = filepath.Join(t.TempDir(), "test-archive.gpg")
	if err := os.WriteFile(a.Keyring, pub.Bytes(), 0644); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/debian/")
		content, ok := a.files[path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if a.Tamper != nil {
			content = a.Tamper(path, content)
		}
		w.Write(content)
	}))
	t.Cleanup(server.Close)
	a.URL = server.URL + "/debian"
	return a
}

// buildDeb writes a .deb: an ar archive of debian-binary, control.tar.gz
// and data.tar.gz.
func buildDeb(t *testing.T, p DebPackage) []byte {
	t.Helper()
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: Test <t@example.invalid>\nDescription: test\n", p.Name, p.Version, p.arch())
	controlTar := tarGz(t, map[string]string{"./control": control})
	dataTar := tarGz(t, p.Files)
	var ar bytes.Buffer
	ar.WriteString("!<arch>\n")
	for _, member := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.gz", controlTar}, {"data.tar.gz", dataTar}} {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", member.name, 0, 0, 0, "100644", len(member.data))
		ar.Write(member.data)
		if len(member.data)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	return ar.Bytes()
}

func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := files[name]
		hdr := &tar.Header{Name: name, Mode: 0644, Typeflag: tar.TypeReg, Size: int64(len(content))}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			hdr = &tar.Header{Name: name, Mode: 0777, Typeflag: tar.TypeSymlink, Linkname: target}
			content = ""
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(content))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

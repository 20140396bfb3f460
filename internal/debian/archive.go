package debian

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/xi2/xz"
	"pault.ag/go/debian/control"

	"github.com/onbuild-buildpacks/onbuild/internal/network"
)

// Suite is one apt source line: a mirror's base URL (the folder holding
// dists/ and pool/) and a suite name (trixie, trixie-updates,
// trixie-security).
type Suite struct {
	Mirror string
	Name   string
}

// Archive reads suites the way apt does: InRelease checked against the
// archive keys, each Packages index against InRelease's SHA256, and each
// package against the index's. Nothing it returns is unverified.
type Archive struct {
	Suites  []Suite
	Keyring openpgp.EntityList
	Arch    string
	Client  *http.Client
	// IndexCache keeps verified Packages files by their sha256, so a
	// rebuild whose suites did not move downloads only the InRelease files.
	IndexCache string
	// Log reports what is downloaded or reused.
	Log func(format string, args ...interface{})
}

// release is the part of a Release file the index check needs.
type release struct {
	control.Paragraph
	Suite      string
	Codename   string
	ValidUntil string                   `control:"Valid-Until"`
	SHA256     []control.SHA256FileHash `delim:"\n" strip:"\n\r\t "`
}

// ArchiveError is a suite that could not be read or verified; the build
// stops with it, since installing from an unverified index is what apt
// refuses too.
type ArchiveError struct {
	URL    string
	Reason string
}

func (e ArchiveError) Error() string {
	return fmt.Sprintf("%s: %s", network.Redact(e.URL), e.Reason)
}

// ReadKeyring reads OpenPGP keyrings, binary (.gpg, .pgp) or armored
// (.asc), such as Debian's archive keyring in /usr/share/keyrings.
func ReadKeyring(paths ...string) (openpgp.EntityList, error) {
	var keys openpgp.EntityList
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("unable to read keyring %s\n%w", path, err)
		}
		var list openpgp.EntityList
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN PGP")) {
			list, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
		} else {
			list, err = openpgp.ReadKeyRing(bytes.NewReader(data))
		}
		if err != nil {
			return nil, fmt.Errorf("unable to read keyring %s\n%w", path, err)
		}
		keys = append(keys, list...)
	}
	return keys, nil
}

// Load reads every suite's package index into one Index.
func (a Archive) Load() (*Index, error) {
	index := newIndex()
	for _, suite := range a.Suites {
		if err := a.loadSuite(suite, index); err != nil {
			return nil, err
		}
	}
	return index, nil
}

func (a Archive) loadSuite(suite Suite, index *Index) error {
	base := strings.TrimSuffix(suite.Mirror, "/")
	inRelease := base + "/dists/" + suite.Name + "/InRelease"
	raw, err := a.get(inRelease)
	if err != nil {
		return err
	}
	rel, err := a.verifyRelease(inRelease, raw)
	if err != nil {
		return err
	}
	// gzip first: it decompresses about ten times faster than xz.
	var entry *control.SHA256FileHash
	for _, name := range []string{"Packages.gz", "Packages.xz", "Packages"} {
		want := "main/binary-" + a.Arch + "/" + name
		for i := range rel.SHA256 {
			if rel.SHA256[i].Filename == want {
				entry = &rel.SHA256[i]
				break
			}
		}
		if entry != nil {
			break
		}
	}
	if entry == nil {
		return ArchiveError{URL: inRelease, Reason: "lists no main/binary-" + a.Arch + "/Packages index"}
	}
	indexURL := base + "/dists/" + suite.Name + "/" + entry.Filename
	data, err := a.index(indexURL, entry.Hash, entry.Size)
	if err != nil {
		return err
	}
	plain, err := decompress(entry.Filename, data)
	if err != nil {
		return ArchiveError{URL: indexURL, Reason: err.Error()}
	}
	index.IndexFiles = append(index.IndexFiles, entry.Hash)
	if err := index.add(plain, base, suite.Name); err != nil {
		return ArchiveError{URL: indexURL, Reason: err.Error()}
	}
	return nil
}

// verifyRelease checks InRelease's signature against the keyring and its
// Valid-Until, then reads it.
func (a Archive) verifyRelease(url string, raw []byte) (release, error) {
	var rel release
	block, _ := clearsign.Decode(raw)
	if block == nil {
		return rel, ArchiveError{URL: url, Reason: "is not a signed InRelease file (no OpenPGP clear signature)"}
	}
	if _, err := openpgp.CheckDetachedSignature(a.Keyring, bytes.NewReader(block.Bytes), block.ArmoredSignature.Body, nil); err != nil {
		return rel, ArchiveError{URL: url, Reason: "signature check against the Debian archive keys failed: " + err.Error()}
	}
	if err := control.Unmarshal(&rel, bytes.NewReader(block.Bytes)); err != nil {
		return rel, ArchiveError{URL: url, Reason: "unreadable after a good signature: " + err.Error()}
	}
	if rel.ValidUntil != "" {
		until, err := time.Parse(time.RFC1123, strings.Replace(rel.ValidUntil, "UTC", "GMT", 1))
		if err == nil && time.Now().After(until) {
			return rel, ArchiveError{URL: url, Reason: "expired on " + rel.ValidUntil + " (Valid-Until): the mirror is stale or replaying an old release"}
		}
	}
	return rel, nil
}

// index returns a Packages file whose sha256 and size InRelease gave,
// from IndexCache when it holds it.
func (a Archive) index(url, sum string, size int64) ([]byte, error) {
	cached := ""
	if a.IndexCache != "" {
		cached = filepath.Join(a.IndexCache, sum)
		if data, err := os.ReadFile(cached); err == nil && checksum(data) == sum {
			a.logf("Reusing %s (unchanged)", strings.TrimPrefix(url, a.mirrorOf(url)))
			return data, nil
		}
	}
	data, err := a.get(url)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != size || checksum(data) != sum {
		return nil, ArchiveError{URL: url, Reason: fmt.Sprintf("sha256 %s (%d bytes) is not the %s (%d bytes) that the signed InRelease lists: the index was altered or is out of date", checksum(data), len(data), sum, size)}
	}
	if cached != "" {
		if err := os.MkdirAll(a.IndexCache, 0755); err == nil {
			_ = os.WriteFile(cached, data, 0644)
		}
	}
	return data, nil
}

func (a Archive) mirrorOf(url string) string {
	for _, s := range a.Suites {
		if strings.HasPrefix(url, strings.TrimSuffix(s.Mirror, "/")+"/") {
			return strings.TrimSuffix(s.Mirror, "/") + "/"
		}
	}
	return ""
}

func (a Archive) logf(format string, args ...interface{}) {
	if a.Log != nil {
		a.Log(format, args...)
	}
}

// get downloads a file whole. Index files are verified against InRelease
// (and .debs against the index) after download, which libpak's dependency
// cache cannot do for a file whose checksum only a signed file knows.
func (a Archive) get(url string) ([]byte, error) {
	client := a.Client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := client.Get(url)
	if err != nil {
		return nil, ArchiveError{URL: url, Reason: "unreachable: " + network.RedactText(err.Error())}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, ArchiveError{URL: url, Reason: "answered " + resp.Status}
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, ArchiveError{URL: url, Reason: "download broke off: " + network.RedactText(err.Error())}
	}
	return data, nil
}

func decompress(name string, data []byte) ([]byte, error) {
	switch {
	case strings.HasSuffix(name, ".gz"):
		r, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	case strings.HasSuffix(name, ".xz"):
		r, err := xz.NewReader(bytes.NewReader(data), 0)
		if err != nil {
			return nil, err
		}
		return io.ReadAll(bufio.NewReader(r))
	}
	return data, nil
}

func checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

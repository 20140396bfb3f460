package lockfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// SourceKind says where pip gets a distribution from.
type SourceKind string

const (
	// SourceIndex is a release from the package index pip is configured with.
	SourceIndex SourceKind = "index"
	// SourceURL is an archive at a direct URL.
	SourceURL SourceKind = "url"
	SourceGit SourceKind = "git"
	SourceHg  SourceKind = "hg"
	// SourcePath is a directory or archive inside the app (a path
	// dependency or a workspace member).
	SourcePath SourceKind = "path"
)

// Source is where a locked distribution comes from.
type Source struct {
	Kind SourceKind
	// URL is the repository (git, hg) or archive (url) location.
	URL string
	// Commit is the locked revision of a git or hg repository.
	Commit       string
	Subdirectory string
	// Path is relative to the app directory, with forward slashes.
	Path     string
	Editable bool
}

// Package is one locked distribution to install.
type Package struct {
	// Name is normalized per PEP 503.
	Name    string
	Version string
	// Hashes are "sha256:<hex>" (or sha384/sha512), sorted.
	Hashes []string
	// Marker is the PEP 508 environment marker under which pip installs
	// it; "" means always.
	Marker string
	Source Source
}

// RootKind says what to do with the project itself.
type RootKind string

const (
	// RootNone: the lock has no root project (Pipfile.lock).
	RootNone RootKind = ""
	// RootEditable: install the app with `pip install --no-deps -e .` after
	// the Set, as the lock's own tool would.
	RootEditable RootKind = "editable"
	// RootVirtual: the project is not a package (uv `package = false` or no
	// build system, Poetry `package-mode = false`): install nothing for it.
	RootVirtual RootKind = "virtual"
)

// Root is the project the lock belongs to.
type Root struct {
	Name string
	Kind RootKind
}

// Set is what a lock resolves to for the selected groups.
type Set struct {
	// Packages are sorted by name, then version.
	Packages []Package
	Root     Root
}

// Hashed is the part of the set that `pip install --require-hashes` takes.
func (s Set) Hashed() Set {
	return s.filter(func(p Package) bool { return p.hashed() })
}

// Unhashed is the rest: VCS checkouts and local paths, which pip cannot
// hash, to install in a second pip call without --require-hashes (still
// with --no-deps: their dependencies are in Hashed).
func (s Set) Unhashed() Set {
	return s.filter(func(p Package) bool { return !p.hashed() })
}

func (s Set) filter(keep func(Package) bool) Set {
	out := Set{Root: s.Root}
	for _, p := range s.Packages {
		if keep(p) {
			out.Packages = append(out.Packages, p)
		}
	}
	return out
}

func (p Package) hashed() bool {
	return (p.Source.Kind == SourceIndex || p.Source.Kind == SourceURL) && len(p.Hashes) > 0
}

// NeedsVCS tells whether installing the set runs git or hg.
func (s Set) NeedsVCS() (git, hg bool) {
	for _, p := range s.Packages {
		git = git || p.Source.Kind == SourceGit
		hg = hg || p.Source.Kind == SourceHg
	}
	return git, hg
}

// Requirements renders the set as a pip requirements file. Render Hashed()
// and Unhashed() apart: pip refuses a file that mixes hashed and VCS or
// directory requirements under --require-hashes. URLs keep the
// credentials the lock has, since pip needs them: write the file outside
// the image and never log it (Key is the loggable form).
func (s Set) Requirements() string {
	var b strings.Builder
	for _, p := range s.Packages {
		b.WriteString(p.requirement(false))
		b.WriteByte('\n')
	}
	return b.String()
}

func (p Package) requirement(redact bool) string {
	marker := ""
	if p.Marker != "" {
		marker = " ; " + p.Marker
	}
	var line string
	switch p.Source.Kind {
	case SourceGit, SourceHg:
		u := vcsURL(p.Source, redact)
		if p.Source.Editable {
			// pip names an editable VCS checkout by its egg fragment.
			return "-e " + u + fragment(p.Source.Subdirectory, p.Name)
		}
		line = p.Name + " @ " + u + fragment(p.Source.Subdirectory, "") + marker
	case SourcePath:
		path := localPath(p.Source.Path)
		if p.Source.Editable {
			// An editable line takes no marker; the lock tools write one
			// only for platform-specific members, which pip would install anyway.
			return "-e " + path
		}
		line = path + marker
	case SourceURL:
		u := p.Source.URL
		if redact {
			u = redactURL(u)
		}
		line = p.Name + " @ " + u + marker
	default:
		line = p.Name + "==" + p.Version + marker
	}
	for _, h := range p.Hashes {
		line += " \\\n    --hash=" + h
	}
	return line
}

func vcsURL(src Source, redact bool) string {
	u := src.URL
	if redact {
		u = redactURL(u)
	}
	// pip takes no scp-like "git@host:org/repo" address; ssh:// says the same.
	if m := scpLike.FindStringSubmatch(u); m != nil {
		u = "ssh://" + m[1] + "/" + m[2]
	}
	scheme := string(src.Kind) + "+"
	if !strings.HasPrefix(u, scheme) {
		u = scheme + u
	}
	return u + "@" + src.Commit
}

func fragment(subdirectory, egg string) string {
	var parts []string
	if egg != "" {
		parts = append(parts, "egg="+egg)
	}
	if subdirectory != "" {
		parts = append(parts, "subdirectory="+subdirectory)
	}
	if len(parts) == 0 {
		return ""
	}
	return "#" + strings.Join(parts, "&")
}

// localPath makes a relative path look like a path to pip, which otherwise
// reads "libs" as a project name.
func localPath(path string) string {
	if path == "." || strings.HasPrefix(path, "./") {
		return path
	}
	return "./" + path
}

// Key is a stable, line-per-package summary of the set (names, versions,
// markers, sources and a digest of the hashes) for a layer's cache key:
// it changes when the lock pins something else, and is unaffected by
// groups left out. URLs carry no credentials. The content of local path
// dependencies is not in it: a caller installing them non-editable must
// add their files to its key.
func (s Set) Key() string {
	var b strings.Builder
	kind := s.Root.Kind
	if kind == RootNone {
		kind = "none"
	}
	fmt.Fprintf(&b, "root %s %s\n", kind, s.Root.Name)
	for _, p := range s.Packages {
		bare := p
		bare.Hashes = nil
		b.WriteString(bare.requirement(true))
		if len(p.Hashes) > 0 {
			sum := sha256.Sum256([]byte(strings.Join(p.Hashes, "\n")))
			b.WriteString(" hashes:" + hex.EncodeToString(sum[:8]))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

var scpLike = regexp.MustCompile(`^([A-Za-z0-9._-]+@[^:/]+):(.*)$`)

// redactURL drops a password or token from a URL so it can reach a log,
// an error or an image.
func redactURL(raw string) string {
	prefix := ""
	rest := raw
	for _, vcs := range []string{"git+", "hg+"} {
		if strings.HasPrefix(rest, vcs) {
			prefix, rest = vcs, rest[len(vcs):]
		}
	}
	u, err := url.Parse(rest)
	if err != nil || u.User == nil {
		if scpLike.MatchString(rest) {
			return raw
		}
		if err != nil {
			return prefix + "<unparseable URL>"
		}
		return raw
	}
	// url.URL escapes "*", so a plain placeholder is swapped in afterwards.
	const hidden = "REDACTED"
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), hidden)
	} else if u.User.Username() != "git" {
		// A lone user name in an https URL is usually a token.
		u.User = url.User(hidden)
	}
	return prefix + strings.Replace(u.String(), hidden, "****", 1)
}

func sortPackages(pkgs []Package) {
	for i := range pkgs {
		sort.Strings(pkgs[i].Hashes)
	}
	sort.Slice(pkgs, func(i, j int) bool {
		if pkgs[i].Name != pkgs[j].Name {
			return pkgs[i].Name < pkgs[j].Name
		}
		return pkgs[i].Version < pkgs[j].Version
	})
}

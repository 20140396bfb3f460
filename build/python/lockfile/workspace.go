package lockfile

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// FindIn is Find for an app folder inside a larger upload (root): its path
// sources may lead out of the app into the rest of the upload, which the
// build has; the caller decides how to install them.
func FindIn(appDir, root string) (Lock, bool, error) {
	return find(appDir, root)
}

// FindMember reads the uv.lock of the workspace at dir for one member,
// member being its folder relative to dir ("services/api"): the roots of
// the install are that member alone, so only its closure is installed,
// and its pyproject.toml is the manifest the lock is checked against.
func FindMember(dir, member, root string) (Lock, bool, error) {
	member = path.Clean(member)
	l := Lock{Tool: UV, File: "uv.lock", Manifest: path.Join(member, "pyproject.toml"), appDir: dir, root: root, member: member}
	exists, err := fileExists(filepath.Join(dir, filepath.FromSlash(l.Manifest)))
	if err != nil {
		return Lock{}, false, err
	}
	if !exists {
		return Lock{}, false, fmt.Errorf("the uv workspace member %s has no pyproject.toml", member)
	}
	if err := loadUV(&l); err != nil {
		return Lock{}, false, err
	}
	return l, true, nil
}

// memberPath is the path source of the project to install: "." for the
// lock's own folder, else the workspace member.
func (l Lock) memberPath() string {
	if l.member == "" {
		return "."
	}
	return l.member
}

// Dir is the folder the lock file is in; its path sources are relative
// to it.
func (l Lock) Dir() string {
	return l.appDir
}

// inUpload reports whether a relative path source that climbs out of the
// lock's folder stays inside the upload.
func (l Lock) inUpload(clean string) bool {
	if l.root == "" || path.IsAbs(clean) {
		return false
	}
	rel, err := filepath.Rel(l.root, filepath.Join(l.appDir, filepath.FromSlash(clean)))
	return err == nil && (rel == "." || filepath.IsLocal(rel)) && !strings.HasPrefix(rel, "..")
}

package python

import (
	"fmt"
	"path/filepath"

	"github.com/onbuild-buildpacks/onbuild/build/python/lockfile"
	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
)

// FindLock reads the app's lock file, or, for a member of a uv workspace,
// the workspace's uv.lock with the member's closure only. Path sources are
// made relative to the app folder, where pip runs; those outside it
// (siblings in the repository) are installed non-editable unless their
// folder is kept, and their content joins the venv key either way.
func (m Monorepo) FindLock(groups []string) (*LockInstall, error) {
	appDir := m.App.Dir
	lockDir := appDir
	var lock lockfile.Lock
	var found bool
	workspace, err := detect.UVWorkspace(m.App.Root, appDir)
	if err != nil {
		return nil, err
	}
	if workspace != "" {
		member, err := filepath.Rel(workspace, appDir)
		if err != nil {
			return nil, err
		}
		lockDir = workspace
		lock, found, err = lockfile.FindMember(workspace, filepath.ToSlash(member), m.App.Root)
		if err != nil {
			return nil, err
		}
	} else if m.App.InRepo() {
		lock, found, err = lockfile.FindIn(appDir, m.App.Root)
	} else {
		lock, found, err = lockfile.Find(appDir)
	}
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, pipfileWithoutLock(appDir)
	}
	set, err := lock.Resolve(groups)
	if err != nil {
		return nil, err
	}
	install := &LockInstall{File: lock.File, Tool: lock.Tool, Set: set, Paths: map[string]string{}}
	if workspace != "" {
		install.File = m.App.RelToRoot(filepath.Join(workspace, lock.File))
		install.Workspace = m.App.RelToRoot(workspace)
	}
	for i, p := range set.Packages {
		if p.Source.Kind != lockfile.SourcePath {
			continue
		}
		abs := filepath.Join(lockDir, filepath.FromSlash(p.Source.Path))
		sibling, err := m.sibling(lock.File, p.Source.Path, abs)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(appDir, abs)
		if err != nil {
			return nil, err
		}
		src := &set.Packages[i].Source
		src.Path = filepath.ToSlash(rel)
		if sibling != "" && src.Editable && !appdir.Within(m.Keep, sibling) {
			src.Editable = false
		}
		if src.Editable {
			continue
		}
		sum, err := treeDigest(abs)
		if err != nil {
			return nil, fmt.Errorf("unable to read %s, a path dependency in %s\n%w", p.Source.Path, lock.File, err)
		}
		install.Paths[src.Path] = sum
	}
	install.Set = set
	if err := install.agreesWithRequirements(appDir); err != nil {
		return nil, err
	}
	return install, nil
}

// workspaceName says where a uv workspace is, for the log.
func workspaceName(rel string) string {
	if rel == "." {
		return "uv workspace at the upload root"
	}
	return "uv workspace at " + rel
}

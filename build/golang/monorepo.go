package golang

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// Monorepo is where the Go app sits in the upload (BP_APP_DIR) and what
// else of it the image keeps (BP_APP_KEEP).
type Monorepo struct {
	App  appdir.App
	Keep []string
	// WorkDir is the folder of the go.work the go command uses from the
	// app's folder: the nearest one at or above it, inside the upload.
	WorkDir string
}

// ReadMonorepo resolves the settings over the upload at root.
func ReadMonorepo(root string, r settings.Reader) (Monorepo, error) {
	app, err := appdir.Resolve(root, r.String(appdir.Setting))
	if err != nil {
		return Monorepo{}, err
	}
	keep, err := appdir.KeepPaths(r.String(appdir.KeepSetting))
	if err != nil {
		return Monorepo{}, err
	}
	m := Monorepo{App: app, Keep: keep}
	// The go command looks for go.work in the working directory and its
	// parents: the build looks where it will, but only inside the upload.
	for dir := app.Dir; ; dir = filepath.Dir(dir) {
		if info, err := os.Stat(filepath.Join(dir, "go.work")); err == nil && !info.IsDir() {
			m.WorkDir = dir
			break
		}
		if dir == app.Root || len(dir) <= len(app.Root) {
			break
		}
	}
	return m, nil
}

// workspace reads the go.work above the app into project: in workspace
// mode its go and toolchain lines are the ones the go command obeys.
func (m Monorepo) workspace(project *Project) error {
	if m.WorkDir == "" || m.WorkDir == m.App.Dir {
		return nil
	}
	work, err := readWorkFile(m.WorkDir)
	if err != nil || work == nil {
		return err
	}
	project.File = path.Join(m.App.RelToRoot(m.WorkDir), "go.work")
	project.Go, project.Toolchain = versionLines(work.Go, work.Toolchain)
	return checkWorkspace(m.WorkDir, work)
}

// modulesDigest adds the workspace's go.work and go.work.sum to the app's
// module files: they decide which modules the build uses too.
func (m Monorepo) modulesDigest(appDigest string) (string, error) {
	if m.WorkDir == "" || m.WorkDir == m.App.Dir {
		return appDigest, nil
	}
	work, err := ModuleFilesDigest(m.WorkDir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(appDigest + " " + work))
	return hex.EncodeToString(sum[:]), nil
}

// removeRepo empties the whole upload but for the app folder's kept
// files (patterns relative to the app) and BP_APP_KEEP's folders; the
// app folder itself stays, as the processes' working directory.
func (m Monorepo) removeRepo(patterns []string) (int, error) {
	all := append([]string{}, m.Keep...)
	for _, p := range patterns {
		all = append(all, path.Join(m.App.Rel, p))
	}
	removed, err := RemoveSource(m.App.Root, all)
	if err != nil {
		return removed, err
	}
	if err := os.MkdirAll(m.App.Dir, 0755); err != nil {
		return removed, fmt.Errorf("unable to recreate the app folder %s\n%w", m.App.Rel, err)
	}
	return removed, nil
}

// inApp runs the processes from the app's folder.
func (m Monorepo) inApp(processes []libcnb.Process) []libcnb.Process {
	if m.App.InRepo() {
		for i := range processes {
			processes[i].WorkingDirectory = m.App.Dir
		}
	}
	return processes
}

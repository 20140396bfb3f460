package python

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/paketo-buildpacks/libpak/v2/utils"

	"github.com/onbuild-buildpacks/onbuild/build/python/lockfile"
)

// When only the requirements changed, pip updates the restored venv instead
// of refilling a new one (issue #27: one requirement changed cost a whole
// reinstall). The venv must still end up as a from-scratch build of the same
// requirements would, with no stale package: pip resolves the new set as if
// nothing were installed (a dry run), whatever the venv has that the set
// does not (removed requirements, what only they pulled in, other
// versions, a changed "requested" mark) is uninstalled, pip installs the
// rest, and the result is checked against the set. Anything else, or any
// doubt, rebuilds from scratch.

// updatable says whether the venv built for old can become the one for k
// by updating it: the two keys differ only in the requirements files' bytes,
// there is one install step (pip's resolution over several steps in a row
// is not one dry run's), and no lock file (a lock installs --no-deps).
func (k VenvKey) updatable(old VenvKey) bool {
	if len(k.Lock) > 0 || len(old.Lock) > 0 || len(k.Install) != 1 {
		return false
	}
	if sameMap(k.Requirements, old.Requirements) {
		return false
	}
	return sameSlice(k.Install, old.Install) && sameMap(k.Project, old.Project) &&
		sameMap(k.Wheelhouse, old.Wheelhouse) && sameMap(k.PipConfig, old.PipConfig) &&
		sameMap(k.Paths, old.Paths) && sameSlice(k.FindLinks, old.FindLinks) &&
		sameSlice(k.Seed, old.Seed) && k.Python == old.Python && k.Pip == old.Pip &&
		k.Stack == old.Stack && k.App == old.App
}

// sameMap treats a missing map and an empty one alike: TOML keeps neither.
func sameMap(a, b map[string]string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func sameSlice(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// distribution is one installed (or to be installed) project, as much of
// it as decides whether a from-scratch venv would hold the same files:
// RECORD lists REQUESTED, which pip writes for the projects the user named.
type distribution struct {
	Version   string
	Requested bool
}

func (d distribution) String() string {
	if d.Requested {
		return d.Version + " (requested)"
	}
	return d.Version
}

// pipReport is the part of pip's installation report (pip install --report)
// the update reads.
type pipReport struct {
	Install []struct {
		Metadata struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"metadata"`
		Requested bool `json:"requested"`
		IsDirect  bool `json:"is_direct"`
	} `json:"install"`
}

// errNotUpdatable is a reason to rebuild the venv from scratch that is no
// failure: the update cannot promise a from-scratch result.
var errNotUpdatable = errors.New("not updatable")

// target is what a from-scratch build installs: pip's dry run over the
// install step, plus the seed wheels installed before it.
func (v Venv) target(report pipReport) (map[string]distribution, error) {
	target := map[string]distribution{}
	for _, seed := range v.Key.Seed {
		name, rest, _ := strings.Cut(filepath.Base(seed), "-")
		version, _, _ := strings.Cut(rest, "-")
		target[lockfile.NormalizeName(name)] = distribution{Version: version, Requested: true}
	}
	for _, item := range report.Install {
		name := lockfile.NormalizeName(item.Metadata.Name)
		// A URL, a VCS checkout or a folder: the same version may hold other
		// files. A seed the requirements also name: from scratch, pip keeps
		// the seed when it fits, which a dry run that ignores it cannot say.
		if item.IsDirect {
			return nil, fmt.Errorf("%w: %s is a direct reference", errNotUpdatable, name)
		}
		if _, seed := target[name]; seed {
			return nil, fmt.Errorf("%w: the requirements name %s, which the venv is seeded with", errNotUpdatable, name)
		}
		target[name] = distribution{Version: item.Metadata.Version, Requested: item.Requested}
	}
	return target, nil
}

// installed reads the venv's site-packages: each project's name and version
// from its METADATA, and whether pip marked it REQUESTED.
func installed(venv string) (map[string]distribution, error) {
	infos, err := filepath.Glob(filepath.Join(venv, "lib", "python*", "site-packages", "*.dist-info"))
	if err != nil {
		return nil, err
	}
	dists := map[string]distribution{}
	for _, info := range infos {
		d, err := readMetadata(filepath.Join(info, "METADATA"))
		if err != nil {
			return nil, err
		}
		if d.Name == "" || d.Version == "" {
			return nil, fmt.Errorf("%s has no Name or Version", filepath.Join(info, "METADATA"))
		}
		_, err = os.Stat(filepath.Join(info, "REQUESTED"))
		dists[lockfile.NormalizeName(d.Name)] = distribution{Version: d.Version, Requested: err == nil}
	}
	return dists, nil
}

// stale lists, sorted, the installed projects a from-scratch venv would not
// hold as they are.
func stale(have, want map[string]distribution) []string {
	var names []string
	for name, dist := range have {
		if target, ok := want[name]; !ok || target != dist {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// differences says how have and want differ, one project each, sorted.
func differences(have, want map[string]distribution) []string {
	var lines []string
	for name, dist := range have {
		if target, ok := want[name]; !ok {
			lines = append(lines, fmt.Sprintf("%s %s installed, not required", name, dist))
		} else if target != dist {
			lines = append(lines, fmt.Sprintf("%s %s installed, %s required", name, dist, target))
		}
	}
	for name, target := range want {
		if _, ok := have[name]; !ok {
			lines = append(lines, fmt.Sprintf("%s %s required, not installed", name, target))
		}
	}
	sort.Strings(lines)
	return lines
}

// update turns the restored venv into the one the key asks for. An error
// wrapping errNotUpdatable, or any other, means: rebuild from scratch.
func (v Venv) update(venv string) error {
	dir, err := os.MkdirTemp("", "onbuild-venv-update-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := removeHooks(venv); err != nil {
		return err
	}
	step := strings.Fields(v.Key.Install[0])
	report := filepath.Join(dir, "report.json")
	args := append(v.pipArgs(venv), "--dry-run", "--ignore-installed", "--quiet", "--report", report)
	if err := v.run("Resolving "+v.Key.Install[0]+" as a new virtualenv would", v.python(), append(args, step...)...); err != nil {
		return err
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		return err
	}
	var resolved pipReport
	if err := json.Unmarshal(raw, &resolved); err != nil {
		return fmt.Errorf("unable to read pip's report %s\n%w", report, err)
	}
	want, err := v.target(resolved)
	if err != nil {
		return err
	}
	have, err := installed(venv)
	if err != nil {
		return err
	}
	if remove := stale(have, want); len(remove) > 0 {
		v.Logger.Bodyf("Removing %s", strings.Join(remove, ", "))
		if err := uninstall(venv, remove); err != nil {
			return err
		}
	}
	if have, err = installed(venv); err != nil {
		return err
	}
	// A requirement only removed leaves nothing to install: no pip start.
	if len(differences(have, want)) > 0 {
		if err := v.run("Installing "+v.Key.Install[0], v.python(), append(v.pipArgs(venv), step...)...); err != nil {
			return err
		}
		if have, err = installed(venv); err != nil {
			return err
		}
	}
	if diff := differences(have, want); len(diff) > 0 {
		return fmt.Errorf("the updated virtualenv is not what pip resolved: %s", strings.Join(diff, "; "))
	}
	return nil
}

// uninstall removes the named projects' files as pip uninstall does,
// without a third pip start (about a second): every file their RECORD
// lists, with the bytecode of its .py files, and each folder of theirs
// that holds nothing else. The spec compares the result with a new venv,
// file for file.
func uninstall(venv string, names []string) error {
	infos, err := filepath.Glob(filepath.Join(venv, "lib", "python*", "site-packages", "*.dist-info"))
	if err != nil {
		return err
	}
	remove := map[string]bool{}
	wanted := map[string]bool{}
	for _, name := range names {
		wanted[name] = true
	}
	for _, info := range infos {
		d, err := readMetadata(filepath.Join(info, "METADATA"))
		if err != nil {
			return err
		}
		if !wanted[lockfile.NormalizeName(d.Name)] {
			continue
		}
		files, err := recordFiles(venv, info)
		if err != nil {
			return err
		}
		for _, file := range files {
			remove[file] = true
		}
	}
	// As pip's compress_for_rename: a folder goes whole when every file
	// under it is removed, shortest first so a parent takes its children.
	var dirs []string
	seen := map[string]bool{}
	for file := range remove {
		if dir := filepath.Dir(file); !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	sort.Slice(dirs, func(i, j int) bool {
		return len(dirs[i]) < len(dirs[j]) || len(dirs[i]) == len(dirs[j]) && dirs[i] < dirs[j]
	})
	var gone []string
	for _, dir := range dirs {
		if within(dir, gone) {
			continue
		}
		all := true
		err := filepath.WalkDir(dir, func(path string, entry os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !entry.IsDir() && !remove[path] {
				all = false
				return filepath.SkipAll
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if all {
			gone = append(gone, dir)
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	for file := range remove {
		if within(file, gone) {
			continue
		}
		if err := os.Remove(file); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// within says whether path is one of dirs or inside one.
func within(path string, dirs []string) bool {
	for _, dir := range dirs {
		if path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// recordFiles lists, as clean absolute paths, the files a distribution's
// RECORD names (relative to site-packages, scripts as ../../../bin/x) and
// the bytecode Python keeps for its .py files. A path outside the venv is
// refused: then the venv is rebuilt from scratch.
func recordFiles(venv, info string) ([]string, error) {
	file, err := os.Open(filepath.Join(info, "RECORD"))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	rows, err := csv.NewReader(file).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("unable to read %s\n%w", filepath.Join(info, "RECORD"), err)
	}
	site := filepath.Dir(info)
	var files []string
	for _, row := range rows {
		if len(row) == 0 || row[0] == "" {
			continue
		}
		path := filepath.Clean(filepath.Join(site, filepath.FromSlash(row[0])))
		if !within(path, []string{venv}) || path == venv {
			return nil, fmt.Errorf("%w: %s lists %s, outside the venv", errNotUpdatable, filepath.Join(info, "RECORD"), row[0])
		}
		files = append(files, path)
		if strings.HasSuffix(path, ".py") {
			base := strings.TrimSuffix(filepath.Base(path), ".py")
			compiled, err := filepath.Glob(filepath.Join(filepath.Dir(path), "__pycache__", base+".*.pyc"))
			if err != nil {
				return nil, err
			}
			files = append(files, compiled...)
		}
	}
	return files, nil
}

// removeHooks takes onbuild's find_library hook (findlibrary.go, written
// after pip in every build) out of the restored venv: pip runs under the
// venv's Python, whose startup would import the hook through its .pth and
// leave bytecode of it that a new venv never has.
func removeHooks(venv string) error {
	for _, pattern := range []string{"_onbuild_find_library.*", filepath.Join("__pycache__", "_onbuild_find_library.*")} {
		files, err := filepath.Glob(filepath.Join(venv, "lib", "python*", "site-packages", pattern))
		if err != nil {
			return err
		}
		for _, file := range files {
			if err := os.Remove(file); err != nil {
				return err
			}
			// An empty __pycache__ goes too, as pip's uninstall leaves none.
			if filepath.Base(filepath.Dir(file)) == "__pycache__" {
				_ = os.Remove(filepath.Dir(file))
			}
		}
	}
	return nil
}

// updateInPlace updates the restored venv when only the requirements
// changed (incremental.go), else leaves the layer to libpak's contributor
// (false). When the update fails or cannot promise a from-scratch result,
// it rebuilds the venv from scratch itself, with the reason logged.
func (v Venv) updateInPlace(layer *libcnb.Layer, previous map[string]interface{}) (bool, error) {
	old, ok := decodeKey(previous)
	if !ok || len(v.Rewrite) > 0 || !v.Key.updatable(old) {
		return false, nil
	}
	if _, err := os.Stat(filepath.Join(layer.Path, "pyvenv.cfg")); err != nil {
		return false, nil
	}
	expected, err := keyMetadata(v.Key)
	if err != nil {
		return false, err
	}
	v.Logger.Headerf("%s: %s to layer", color.BlueString("Python virtualenv"), color.YellowString("Contributing"))
	v.logReasons(previous)
	v.Logger.Bodyf("Only the requirements changed: updating the virtualenv in place")
	if err := v.update(layer.Path); err != nil {
		reason, _, _ := strings.Cut(err.Error(), "\n")
		v.Logger.Bodyf("Rebuilding the virtualenv from scratch: %s", reason)
		if err := os.RemoveAll(layer.Path); err != nil {
			return false, err
		}
		if err := os.MkdirAll(layer.Path, 0755); err != nil {
			return false, err
		}
		if err := v.install(layer); err != nil {
			return false, err
		}
	}
	layer.LayerTypes = VenvLayer.Types
	layer.Metadata = expected
	return true, nil
}

// decodeKey reads a previous build's venv metadata; false when there is
// none or it no longer reads as a VenvKey.
func decodeKey(metadata map[string]interface{}) (VenvKey, bool) {
	var key VenvKey
	if len(metadata) == 0 {
		return key, false
	}
	raw, err := toml.Marshal(metadata)
	if err != nil {
		return key, false
	}
	if _, err := toml.Decode(string(raw), &key); err != nil {
		return key, false
	}
	return key, true
}

// keyMetadata is the key as libpak's layer contributor writes it, so the
// next build's contributor finds it equal and reuses the venv.
func keyMetadata(key VenvKey) (map[string]interface{}, error) {
	raw, err := utils.Marshal(key)
	if err != nil {
		return nil, err
	}
	metadata := map[string]interface{}{}
	if err := toml.Unmarshal(raw, &metadata); err != nil {
		return nil, err
	}
	return metadata, nil
}

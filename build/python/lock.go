package python

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/build/python/lockfile"
	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// LockInstall is an app's lock file resolved to what pip installs: the
// venv is then keyed on the resolved set, not on the files it came from,
// so a change to a group the build leaves out reinstalls nothing.
type LockInstall struct {
	// File is the lock file, relative to the app.
	File string
	Tool lockfile.Tool
	Set  lockfile.Set
	// Paths maps each local path dependency pip copies (not editable) to
	// a digest of its files: the set names them, not their content.
	Paths map[string]string
	// Workspace is the uv workspace the app is a member of, relative to
	// the upload; "" when the lock is the app's own.
	Workspace string
}

// FindLock reads the app's lock file (uv.lock, poetry.lock or
// Pipfile.lock) and resolves it for the production dependencies plus
// groups; nil when the app has none. A requirements.txt beside it must
// install the same thing, or the build cannot tell which one the developer
// means.
func FindLock(appDir string, groups []string) (*LockInstall, error) {
	return Monorepo{App: appdir.App{Root: appDir, Dir: appDir, Rel: "."}}.FindLock(groups)
}

// pipfileWithoutLock stops a Pipfile app without its lock: pip cannot read
// a Pipfile, and resolving it here would install something nobody tested.
func pipfileWithoutLock(appDir string) error {
	if exists, err := regularFile(filepath.Join(appDir, "Pipfile")); err != nil || !exists {
		return err
	}
	if exists, err := regularFile(filepath.Join(appDir, "requirements.txt")); err != nil || exists {
		return err
	}
	return problem.Problem{
		Title: "Pipfile without Pipfile.lock",
		File:  "Pipfile",
		Cause: "The app has a Pipfile but no Pipfile.lock: onbuild installs the locked versions, it does not resolve a Pipfile.",
		Fixes: []string{
			"Run `pipenv lock` and commit Pipfile.lock.",
			"Or list the dependencies in a requirements.txt (`pipenv requirements > requirements.txt`).",
		},
	}
}

func regularFile(path string) (bool, error) {
	info, err := os.Stat(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return info.Mode().IsRegular(), nil
}

// KeyLines are the venv key's part for the lock: one line per locked
// distribution (Set.Key, which holds no credentials), then the digests of
// copied path dependencies.
func (l *LockInstall) KeyLines() []string {
	lines := []string{"file " + l.File}
	lines = append(lines, strings.Split(strings.TrimSuffix(l.Set.Key(), "\n"), "\n")...)
	for _, path := range sortedKeys(l.Paths) {
		lines = append(lines, "path "+path+" "+l.Paths[path])
	}
	return lines
}

// lockReasons says what changed in the locked set since the last build.
func lockReasons(before, after []string) []string {
	if strings.Join(before, "\n") == strings.Join(after, "\n") {
		return nil
	}
	if len(before) == 0 {
		return []string{"lock file added"}
	}
	if len(after) == 0 {
		return []string{"lock file removed"}
	}
	return []string{"locked set changed: " + lineChanges(before, after)}
}

// installLock runs pip up to three times, as lockfile's doc says: the
// hashed distributions with --require-hashes, then VCS and local paths,
// which pip cannot hash, then the app itself when it is a package. Every
// call has --no-deps: the lock already holds every dependency, and pip must
// not pick another version of one. The requirements files keep the lock's
// URL credentials, which pip needs, so they live in a private temporary
// directory, never in a layer, and are never logged.
func (v Venv) installLock(venvDir string) error {
	dir, err := os.MkdirTemp("", "onbuild-lock-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	lock := v.Lock
	if hashed := lock.Set.Hashed(); len(hashed.Packages) > 0 {
		file := filepath.Join(dir, "hashed.txt")
		if err := os.WriteFile(file, []byte(hashed.Requirements()), 0600); err != nil {
			return err
		}
		step := fmt.Sprintf("Installing %d locked distributions from %s, hash-checked", len(hashed.Packages), lock.File)
		if err := v.lockStep(step, venvDir, "--require-hashes", "--no-deps", "--requirement", file); err != nil {
			return err
		}
	}
	if unhashed := lock.Set.Unhashed(); len(unhashed.Packages) > 0 {
		file := filepath.Join(dir, "sources.txt")
		if err := os.WriteFile(file, []byte(unhashed.Requirements()), 0600); err != nil {
			return err
		}
		var names []string
		for _, p := range unhashed.Packages {
			names = append(names, p.Name)
		}
		step := fmt.Sprintf("Installing %s from %s's git and path sources", strings.Join(names, ", "), lock.File)
		if err := v.lockStep(step, venvDir, "--no-deps", "--requirement", file); err != nil {
			return err
		}
	}
	if lock.Set.Root.Kind == lockfile.RootEditable {
		step := fmt.Sprintf("Installing the app (%s) editable, without dependencies", lock.Set.Root.Name)
		if err := v.lockStep(step, venvDir, "--no-deps", "--editable", ".", usePEP517); err != nil {
			return err
		}
	}
	return nil
}

func (v Venv) lockStep(step, venvDir string, args ...string) error {
	err := v.run(step, v.python(), append(v.pipArgs(venvDir), args...)...)
	if failure, ok := err.(commandError); ok {
		if p, ok := hashMismatch(failure.tail, v.Lock, v.Env); ok {
			return p
		}
		return pipProblem(failure, v.Env)
	}
	return err
}

// pipMismatch matches the lines under pip's "DO NOT MATCH THE HASHES"
// error that name each distribution: "    flask==2.2.2 from http://...:".
var pipMismatch = regexp.MustCompile(`(?m)^\s+([A-Za-z0-9._-]+)==(\S+) from `)

// hashMismatch explains a distribution whose bytes are not the ones the
// lock recorded: a rebuilt or tampered file on the index, or a lock made
// against another index.
func hashMismatch(tail string, lock *LockInstall, env []string) (problem.Problem, bool) {
	if !strings.Contains(tail, "DO NOT MATCH THE HASHES") {
		return problem.Problem{}, false
	}
	var names []string
	for _, m := range pipMismatch.FindAllStringSubmatch(tail, -1) {
		names = append(names, m[1]+" "+m[2])
	}
	if len(names) == 0 {
		names = []string{"a locked distribution"}
	}
	index := "the default index (PyPI)"
	if url := envvar.Value(env, "PIP_INDEX_URL"); url != "" {
		index = network.Redact(url)
	}
	return problem.Problem{
		Title: "Downloaded file does not match the lock",
		File:  lock.File,
		Cause: fmt.Sprintf("The file %s served for %s does not have a sha256 that %s records. Either the file changed on the index since the lock was made, or someone tampered with it; pip installed nothing.\n\n%s",
			index, strings.Join(names, ", "), lock.File, tail),
		Fixes: []string{
			"Check that PIP_INDEX_URL is the index the lock was made against.",
			fmt.Sprintf("If the new file is trusted, run `%s` and commit %s.", lock.Tool.RefreshCommand(), lock.File),
		},
	}, true
}

// agreesWithRequirements refuses a requirements.txt that installs
// something else than the lock: a pin the lock does not have, or a locked
// distribution it leaves out. One exported from the lock (uv export,
// poetry export, pipenv requirements) agrees and is ignored.
func (l *LockInstall) agreesWithRequirements(appDir string) error {
	if exists, err := regularFile(filepath.Join(appDir, "requirements.txt")); err != nil || !exists {
		return err
	}
	_, files, err := RequirementsFiles(appDir, "requirements.txt")
	if err != nil {
		return err
	}
	locked := map[string]string{}
	for _, p := range l.Set.Packages {
		locked[p.Name] = p.Version
	}
	listed := map[string]bool{}
	var differences []string
	for _, name := range sortedLineFiles(files) {
		for _, line := range files[name] {
			project := requirementName(line)
			// Options, URLs and local paths name no project to compare.
			if project == "" || strings.ContainsAny(project, "/.") {
				continue
			}
			listed[project] = true
			version, has := locked[project]
			switch pinned := pinnedVersion(line); {
			case !has:
				differences = append(differences, fmt.Sprintf("%s asks for %s, which %s does not lock", name, project, l.File))
			case pinned != "" && pinned != version:
				differences = append(differences, fmt.Sprintf("%s pins %s %s, %s locks %s", name, project, pinned, l.File, version))
			}
		}
	}
	for _, p := range l.Set.Packages {
		if p.Source.Kind == lockfile.SourceIndex && !listed[p.Name] {
			differences = append(differences, fmt.Sprintf("%s locks %s %s, requirements.txt does not list it", l.File, p.Name, p.Version))
		}
	}
	if len(differences) == 0 {
		return nil
	}
	if len(differences) > 5 {
		differences = append(differences[:5], fmt.Sprintf("and %d more", len(differences)-5))
	}
	return problem.Problem{
		Title: "Lock file and requirements.txt disagree",
		File:  l.File,
		Cause: fmt.Sprintf("The app has %s and requirements.txt, and they install different things:\n  %s",
			l.File, strings.Join(differences, "\n  ")),
		Fixes: []string{
			fmt.Sprintf("To install %s, delete requirements.txt, or regenerate it from the lock: %s.", l.File, exportCommand(l.Tool)),
			fmt.Sprintf("To install requirements.txt, delete %s.", l.File),
		},
	}
}

func exportCommand(tool lockfile.Tool) string {
	switch tool {
	case lockfile.UV:
		return "`uv export --format requirements-txt -o requirements.txt`"
	case lockfile.Poetry:
		return "`poetry export -f requirements.txt -o requirements.txt`"
	default:
		return "`pipenv requirements > requirements.txt`"
	}
}

var exactPin = regexp.MustCompile(`===?\s*([A-Za-z0-9._+!-]+)`)

// pinnedVersion is the version a requirement line pins with == or ===,
// or "" when it pins none.
func pinnedVersion(line string) string {
	spec, _, _ := strings.Cut(line, ";")
	if m := exactPin.FindStringSubmatch(spec); m != nil {
		return m[1]
	}
	return ""
}

// treeDigest digests a path dependency: its files' names and contents, or
// the archive's bytes. Build outputs pip or a tool left inside are skipped,
// so an earlier local build does not look like a change.
func treeDigest(root string) (string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return "", err
	}
	if !info.IsDir() {
		return fileDigest(root)
	}
	h := sha256.New()
	err = filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := entry.Name()
		if entry.IsDir() && path != root && (name == "__pycache__" || name == "build" || name == ".git" || strings.HasSuffix(name, ".egg-info")) {
			return filepath.SkipDir
		}
		if !entry.Type().IsRegular() {
			return nil
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(content))
		h.Write(content)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// findLock is FindLock, saying in the log what the build installs.
func (b Builder) findLock(m Monorepo, groups []string) (*LockInstall, error) {
	appDir := m.App.Dir
	lock, err := m.FindLock(groups)
	if err != nil || lock == nil {
		return lock, err
	}
	selected := "production dependencies"
	if len(groups) > 0 {
		selected += " and " + strings.Join(groups, ", ")
	}
	if lock.Workspace != "" {
		b.Logger.Bodyf("%s: installing the member %s and what it uses, nothing of the other members", workspaceName(lock.Workspace), m.App.Rel)
	}
	b.Logger.Bodyf("Installing %s (%s): %d locked distributions for the %s", lock.File, lock.Tool, len(lock.Set.Packages), selected)
	if exists, _ := regularFile(filepath.Join(appDir, "requirements.txt")); exists {
		b.Logger.Bodyf("requirements.txt agrees with %s and is not installed on its own", lock.File)
	}
	return lock, nil
}

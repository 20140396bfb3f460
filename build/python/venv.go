package python

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/build/python/pyversion"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	layerspec "github.com/onbuild-buildpacks/onbuild/internal/layer"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// VenvKey is the cache key of the virtualenv layer: everything that changes
// what pip would install, and nothing else, so a source-only change reuses
// the layer without running pip.
type VenvKey struct {
	// Requirements maps each requirements file to the sha256 of its bytes;
	// Lines keeps their meaningful lines to say what changed.
	Requirements map[string]string   `toml:"requirements"`
	Lines        map[string][]string `toml:"lines"`
	// Project maps pyproject.toml/setup.py to a digest of what they declare.
	Project map[string]string `toml:"project"`
	// Install is one pip install per entry, in order: requirements first,
	// then the app itself.
	Install    []string          `toml:"install"`
	Wheelhouse map[string]string `toml:"wheelhouse"`
	Python     string            `toml:"python"`
	Pip        string            `toml:"pip"`
	Stack      string            `toml:"stack"`
	PipConfig  map[string]string `toml:"pip-config"`
	// FindLinks are the app's wheelhouse folders, preferred by pip.
	FindLinks []string `toml:"find-links"`
	// Seed are the stack's bundled setuptools wheels: Python 3.11 venvs
	// always had setuptools, and packages still import pkg_resources from
	// it without declaring it (gunicorn 20 does).
	Seed []string `toml:"seed"`
	// Lock is the app's lock file resolved (LockInstall.KeyLines); the
	// requirements fields and Install are then empty. Project stays: it
	// holds the build system that installs a root package.
	Lock []string `toml:"lock"`
	// App is the app's folder in a monorepo upload (BP_APP_DIR), so two
	// apps of one repository never share a venv; Paths digests the
	// requirements' path dependencies outside it (monorepo.go).
	App   string            `toml:"app,omitempty"`
	Paths map[string]string `toml:"paths,omitempty"`
}

// SeedWheels keeps the stack's setuptools wheels only for a Python whose
// venvs came with setuptools: 3.12 stopped, as for a downloaded Python
// (version.go). On 3.13 the seed was 8.7 of the Flask sample's 14.3 MB
// venv, restored and re-tarred by every rebuild (issue #27).
func SeedWheels(python string, wheels []string) []string {
	if v, err := pyversion.ParseVersion(python); err == nil && v.Compare(pyversion.Version{3, 12}) >= 0 {
		return nil
	}
	return wheels
}

// Venv contributes the virtualenv layer holding the app's dependencies.
type Venv struct {
	AppDir string
	// Python makes the venv and runs pip into it: the stack's python3, or
	// the python layer's interpreter.
	Python string
	Key    VenvKey
	// PipCache is the cache-only layer pip keeps wheels in, so a changed key
	// reinstalls from local wheels and downloads only what is new.
	PipCache string
	// Env is the environment pip runs with.
	Env      []string
	Executor effect.Executor
	Logger   log.Logger
	// Lock, when the app has a lock file, is installed instead of Install.
	Lock *LockInstall
	// Rewrite maps requirements files to what pip reads instead: their
	// editable sibling paths made plain (monorepo.go).
	Rewrite map[string]string
}

// Contribute builds the venv, or reuses it untouched when the key matches.
func (v Venv) Contribute(layer *libcnb.Layer) error {
	previous := layer.Metadata
	updated, err := v.updateInPlace(layer, previous)
	if err != nil {
		return err
	}
	if !updated {
		contributor := libpak.NewLayerContributor("Python virtualenv", v.Key,
			VenvLayer.Types, v.Logger)
		err = contributor.Contribute(layer, func(layer *libcnb.Layer) error {
			v.logReasons(previous)
			before, err := appEntries(v.AppDir)
			if err != nil {
				return err
			}
			if err := v.install(layer); err != nil {
				return err
			}
			return v.removeLeftovers(before)
		})
	}
	if err != nil {
		return err
	}
	layer.SharedEnvironment.Default("VIRTUAL_ENV", layer.Path)
	layer.LaunchEnvironment.Default("PYTHONUNBUFFERED", "1")
	layer.LaunchEnvironment.Default("PORT", "8080")
	return nil
}

func (v Venv) python() string {
	if v.Python == "" {
		return "python3"
	}
	return v.Python
}

func (v Venv) install(layer *libcnb.Layer) error {
	// Without pip: ensurepip unpacks and compiles pip and setuptools into
	// every new venv (about 6 s); the stack's own pip installs into the venv
	// through --python instead, and the image carries neither.
	if err := v.run("Creating virtualenv", v.python(), "-m", "venv", "--without-pip", layer.Path); err != nil {
		return err
	}
	if len(v.Key.Seed) > 0 {
		args := append(v.pipArgs(layer.Path), append([]string{"--no-index", "--no-deps"}, v.Key.Seed...)...)
		if err := v.run("Seeding "+filepath.Base(v.Key.Seed[0]), v.python(), args...); err != nil {
			return err
		}
	}
	if v.Lock != nil {
		return v.installLock(layer.Path)
	}
	for _, step := range v.Key.Install {
		args := append(v.pipArgs(layer.Path), strings.Fields(step)...)
		if len(v.Rewrite) > 0 {
			dir, err := os.MkdirTemp("", "onbuild-requirements-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			if args, err = writeRewritten(dir, v.Rewrite, args); err != nil {
				return err
			}
		}
		if step == editableApp {
			args = append(args, usePEP517)
		}
		err := v.run("Installing "+step, v.python(), args...)
		if pipErr, ok := err.(commandError); ok {
			return pipProblem(pipErr, v.Env)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pipArgs are the options of every pip install. The wheelhouse goes first
// in --find-links so pip looks there before the index. Editable VCS
// checkouts (-e git+...) go into the venv layer, which launches with the app
// and is rebuilt with its key, not into the app dir: pip picks that place
// only when it sees it runs in a venv, so say it.
func (v Venv) pipArgs(venv string) []string {
	args := []string{"-m", "pip", "--python", filepath.Join(venv, "bin", "python"),
		"install", "--no-input", "--disable-pip-version-check", "--progress-bar", "off",
		"--src", filepath.Join(venv, "src")}
	for _, dir := range v.Key.FindLinks {
		args = append(args, "--find-links", filepath.Join(v.AppDir, dir))
	}
	return args
}

// commandError keeps the tail of a failed command's output for the message.
type commandError struct {
	command string
	err     error
	tail    string
	// exception is the last line of the command's own Python traceback
	// (pip crashed), empty when it failed the ordinary way.
	exception string
	// output is all of it, redacted: a compiler's error can be further up.
	output string
}

func (c commandError) Error() string {
	return fmt.Sprintf("%s failed: %v\n%s", c.command, c.err, c.tail)
}

func (v Venv) run(step string, command string, args ...string) error {
	v.Logger.Bodyf("%s", step)
	start := time.Now()
	var output bytes.Buffer
	log := network.RedactingWriter(v.Logger.BodyWriter())
	out := io.MultiWriter(log, &output)
	err := v.Executor.Execute(effect.Execution{
		Command: command, Args: args, Dir: v.AppDir, Env: v.Env, Stdout: out, Stderr: out,
	})
	log.Flush()
	if err != nil {
		return commandError{command: network.RedactText(command + " " + strings.Join(args, " ")), err: err,
			tail:      network.RedactText(problem.LastLines(output.String(), 20)),
			exception: network.RedactText(crashLine(output.String())),
			output:    network.RedactText(output.String())}
	}
	v.Logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
	return nil
}

var noDistribution = regexp.MustCompile(`No matching distribution found for (\S+)`)

// crashLine is the exception line of the last traceback that starts at the
// beginning of a line: pip's own, printed when it crashes. A build
// backend's traceback (a package that fails to build) comes indented inside
// pip's "subprocess-exited-with-error" report and is no crash of pip's.
func crashLine(output string) string {
	lines := strings.Split(output, "\n")
	exception := ""
	for i := 0; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\r ") != "Traceback (most recent call last):" {
			continue
		}
		for i++; i < len(lines); i++ {
			line := strings.TrimRight(lines[i], "\r ")
			if line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "\t") {
				exception = line
				break
			}
		}
	}
	return exception
}

// pipProblem turns pip's failure into a message that names the package and
// the index, the two things a developer checks first.
func pipProblem(failure commandError, env []string) error {
	index := "the default index (PyPI)"
	if url := envvar.Value(env, "PIP_INDEX_URL"); url != "" {
		index = network.Redact(url)
	}
	if envvar.Value(env, "PIP_NO_INDEX") != "" {
		index = "no index (PIP_NO_INDEX is set)"
	}
	// First: a crash is pip's failure, whatever requirement it was on, and
	// its traceback may hold words the diagnoses below look for.
	if failure.exception != "" {
		return pipCrash(failure, index)
	}
	// Before "not found": pip reports an index it could not reach as having
	// no matching distribution.
	if problem, ok := network.Diagnose("pip", index, failure.tail, env); ok {
		return problem
	}
	if problem, ok := VCSProblem(failure.tail); ok {
		return problem
	}
	if problem, ok := NativeBuildProblem(failure.output); ok {
		return problem
	}
	if match := noDistribution.FindStringSubmatch(failure.tail); match != nil {
		return problem.Problem{
			Title: "Python package not found",
			Cause: fmt.Sprintf("pip could not find %s on %s.\n\n%s", match[1], index, failure.tail),
			Fixes: []string{
				fmt.Sprintf("Check the name and version of %s in your requirements file.", match[1]),
				"Point pip at an index that has it: pack build --env PIP_INDEX_URL=<url>.",
				"Put the wheel in a wheelhouse/ folder of the app.",
			},
		}
	}
	return problem.Problem{
		Title: "pip install failed",
		Cause: fmt.Sprintf("Installing the app's dependencies from %s failed (%v). The last lines of pip's output:\n\n%s", index, failure.err, failure.tail),
		Fixes: []string{"Fix the requirement pip names above, then build again."},
	}
}

// pipCrash says that pip itself failed, and why, instead of blaming a
// requirement: a traceback is no message about the app's dependencies.
func pipCrash(failure commandError, index string) problem.Problem {
	return problem.Problem{
		Title: "pip crashed",
		Cause: fmt.Sprintf("pip failed with an error of its own while installing the app's dependencies from %s, "+
			"not because of a requirement: %s\nThe last lines of pip's output:\n\n%s", index, failure.exception, failure.tail),
		Fixes: []string{
			"Check the settings pip ran with (PIP_* variables, a pip.conf binding, the index URL): the exception above names what it could not handle.",
			"Build again with pack build --env PIP_VERBOSE=1 for pip's whole log, and report the crash to onbuild with it if no setting explains it.",
		},
	}
}

// logReasons says, one line each, why an existing venv cannot be reused:
// libpak only shows the metadata diff at debug level.
func (v Venv) logReasons(previous map[string]interface{}) {
	if len(previous) == 0 {
		return
	}
	var old VenvKey
	if err := layerspec.DecodeMetadata(previous, &old); err != nil {
		v.Logger.Bodyf("Previous virtualenv metadata unreadable, rebuilding")
		return
	}
	for _, reason := range v.Key.reasons(old) {
		v.Logger.Bodyf("%s", reason)
	}
}

func (k VenvKey) reasons(old VenvKey) []string {
	var reasons []string
	for _, change := range changedFiles(old.Requirements, k.Requirements) {
		name := strings.Fields(change)[0]
		if strings.HasSuffix(change, " changed") && old.Lines[name] != nil {
			change += ": " + lineChanges(old.Lines[name], k.Lines[name])
		}
		reasons = append(reasons, change)
	}
	reasons = append(reasons, changedFiles(old.Project, k.Project)...)
	reasons = append(reasons, changedFiles(old.Wheelhouse, k.Wheelhouse)...)
	reasons = append(reasons, changedFiles(old.Paths, k.Paths)...)
	if old.App != k.App {
		reasons = append(reasons, fmt.Sprintf("app folder changed: %q -> %q", old.App, k.App))
	}
	reasons = append(reasons, lockReasons(old.Lock, k.Lock)...)
	if strings.Join(old.Install, ", ") != strings.Join(k.Install, ", ") {
		reasons = append(reasons, fmt.Sprintf("install steps changed: %q -> %q", strings.Join(old.Install, ", "), strings.Join(k.Install, ", ")))
	}
	for _, field := range []struct{ name, before, after string }{
		{"Python", old.Python, k.Python}, {"pip", old.Pip, k.Pip}, {"stack", old.Stack, k.Stack},
	} {
		if field.before != field.after {
			reasons = append(reasons, fmt.Sprintf("%s changed: %s -> %s", field.name, field.before, field.after))
		}
	}
	names := map[string]bool{}
	for name := range old.PipConfig {
		names[name] = true
	}
	for name := range k.PipConfig {
		names[name] = true
	}
	var changed []string
	for name := range names {
		if old.PipConfig[name] != k.PipConfig[name] {
			changed = append(changed, name+" changed")
		}
	}
	sort.Strings(changed)
	return append(reasons, changed...)
}

// PipEnvironment is the environment pip runs with: the build's, plus the
// index settings a BP_PIP_ spelling gave, the wheel cache, and what makes
// its bytecode reproducible.
func PipEnvironment(environ []string, index map[string]string, pipCache string) []string {
	env := append([]string{}, environ...)
	for _, name := range PipIndexVariables {
		if value := index[name]; value != "" && envvar.Value(environ, name) == "" {
			env = append(env, name+"="+value)
		}
	}
	// A fixed SOURCE_DATE_EPOCH makes Python write hash-based .pyc files,
	// so the same requirements give the same venv layer, byte for byte.
	return append(env, "PIP_CACHE_DIR="+pipCache, "PYTHONDONTWRITEBYTECODE=", "SOURCE_DATE_EPOCH=315532801")
}

// editableApp is the install step of the app itself (VenvKey.Install).
const editableApp = "--editable ."

// usePEP517 makes pip install the app editable through its build backend
// (PEP 660), which puts the installed metadata in the venv. Without it, an
// older pip installs a setup.py app with `setup.py develop`, whose metadata
// is the <name>.egg-info it leaves in the app dir: a build that reuses the
// venv would ship the app without it.
const usePEP517 = "--use-pep517"

// appEntries lists every path in the app dir, relative to it.
func appEntries(appDir string) (map[string]bool, error) {
	entries := map[string]bool{}
	err := filepath.WalkDir(appDir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(appDir, path)
		entries[rel] = true
		return err
	})
	return entries, err
}

// removeLeftovers deletes what installing left in the app dir that the
// source did not have: a build backend's <name>.egg-info and build/ folders.
// A build that reuses the venv runs no pip and has none of them, so keeping
// them would give the same source two images.
func (v Venv) removeLeftovers(before map[string]bool) error {
	var added []string
	err := filepath.WalkDir(v.AppDir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(v.AppDir, path)
		if err != nil || before[rel] {
			return err
		}
		added = append(added, rel)
		return filepath.SkipDir
	})
	if err != nil {
		return err
	}
	for _, rel := range added {
		if err := os.RemoveAll(filepath.Join(v.AppDir, rel)); err != nil {
			return err
		}
	}
	if len(added) > 0 {
		v.Logger.Bodyf("Removed what the install left in the app: %s", strings.Join(added, ", "))
	}
	return nil
}

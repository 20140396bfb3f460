package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

// benchPackages are the index's projects: the default ones, PostgreSQL's
// drivers, and colorama, which click requires on Windows and Poetry
// therefore locks.
var benchPackages = append(append(append([]string{}, pyindex.DefaultPackages...), pyindex.NativePackages...), "python3-colorama")

// lockApps are the Flask sample locked by uv and by Poetry, built by
// onbuild, beside the sample with its requirements.txt and the same
// changes, to show what installing a lock costs.
func (b *bench) lockApps() []benchApp {
	onbuild := []variant{{"onbuild", b.packBuild(builder)}}
	sourceChange := change{"rebuild after an app-file change", func(dir string, run int) error {
		return appendFile(filepath.Join(dir, "app.py"), "\n# "+b.edit(run)+"\n")
	}}
	apps := []benchApp{{
		name: "Flask (requirements.txt)", source: "samples/python", variants: onbuild,
		changes: []change{sourceChange, {"rebuild after one package added", func(dir string, _ int) error {
			return b.addIndexPin(dir, "six")
		}}},
	}, {
		name: "Flask (uv.lock)", source: "samples/python", variants: onbuild,
		prepare: func(dir string) error { return b.uvLock(dir) },
		changes: []change{sourceChange, {"rebuild after one package added", func(dir string, _ int) error {
			return b.uvLock(dir, "six")
		}}},
	}, {
		name: "Flask (poetry.lock)", source: "samples/python", variants: onbuild,
		prepare: func(dir string) error { return b.poetryLock(dir) },
		changes: []change{sourceChange, {"rebuild after one package added", func(dir string, _ int) error {
			return b.poetryLock(dir, "six")
		}}},
	}}
	if !b.quick {
		return apps
	}
	// The quick run keeps what only these apps do: writing and locking
	// them, and adding a package to the lock. The Flask rows already build
	// requirements.txt and change a source file.
	apps = apps[1:]
	for i := range apps {
		apps[i].changes = apps[i].changes[1:]
	}
	return apps
}

// addIndexPin adds project to the app's requirements.txt, pinned to the
// version the index serves: the index follows the flavour, so no version is
// written down here.
func (b *bench) addIndexPin(dir, project string) error {
	wheels, err := filepath.Glob(filepath.Join(b.index.Dir(), project+"-*.whl"))
	if err != nil || len(wheels) != 1 {
		return fmt.Errorf("the index has %d wheels for %s (%v)", len(wheels), project, err)
	}
	return appendFile(filepath.Join(dir, "requirements.txt"), project+"=="+strings.Split(filepath.Base(wheels[0]), "-")[1]+"\n")
}

// sampleProjects are the projects the sample's requirements.txt pins, plus
// extra; the copy in dir loses its requirements.txt, which the lock
// replaces.
func (b *bench) sampleProjects(dir string, extra ...string) ([]string, error) {
	content, err := os.ReadFile(filepath.Join(b.root, "samples", "python", "requirements.txt"))
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(filepath.Join(dir, "requirements.txt")); err != nil {
		return nil, err
	}
	projects := append([]string{}, extra...)
	for _, line := range strings.Split(string(content), "\n") {
		if name, _, ok := strings.Cut(strings.TrimSpace(line), "=="); ok && !strings.HasPrefix(name, "#") {
			projects = append(projects, strings.ToLower(name))
		}
	}
	sort.Strings(projects)
	return projects, nil
}

// uvLock writes a uv project (a virtual root) and its uv.lock version 1
// from the index's files, as uv would lock the sample.
func (b *bench) uvLock(dir string, extra ...string) error {
	projects, err := b.sampleProjects(dir, extra...)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(b.index.URL(), "/")
	var pyproject, lock strings.Builder
	pyproject.WriteString("[project]\nname = \"flaskapp\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\n")
	lock.WriteString("version = 1\nrevision = 2\nrequires-python = \">=3.11\"\n\n[[package]]\nname = \"flaskapp\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\ndependencies = [\n")
	for _, p := range projects {
		fmt.Fprintf(&pyproject, "    %q,\n", p)
		fmt.Fprintf(&lock, "    { name = %q },\n", p)
	}
	pyproject.WriteString("]\n\n[tool.uv]\npackage = false\n")
	lock.WriteString("]\n\n[package.metadata]\nrequires-dist = [\n")
	for _, p := range projects {
		fmt.Fprintf(&lock, "    { name = %q },\n", p)
	}
	lock.WriteString("]\n")
	for _, p := range projects {
		files, err := filepath.Glob(filepath.Join(b.index.Dir(), p+"-*.whl"))
		if err != nil || len(files) != 1 {
			return fmt.Errorf("the index has %d wheels for %s (%v)", len(files), p, err)
		}
		content, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		sum := sha256.Sum256(content)
		name := filepath.Base(files[0])
		fmt.Fprintf(&lock, "\n[[package]]\nname = %q\nversion = %q\nsource = { registry = %q }\nwheels = [\n    { url = \"%s/files/%s\", hash = \"sha256:%s\" },\n]\n",
			p, strings.Split(name, "-")[1], base, strings.TrimSuffix(base, "/simple"), name, hex.EncodeToString(sum[:]))
	}
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(pyproject.String()), 0644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "uv.lock"), []byte(lock.String()), 0644)
}

// poetryLock writes a Poetry project of the sample and locks it with
// Debian's poetry (tools/locktools.sh). Poetry 1.3 always installs the
// root, so setuptools builds it (setup.cfg).
func (b *bench) poetryLock(dir string, extra ...string) error {
	projects, err := b.sampleProjects(dir, extra...)
	if err != nil {
		return err
	}
	var pyproject strings.Builder
	pyproject.WriteString("[tool.poetry]\nname = \"flaskapp\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = []\n\n[tool.poetry.dependencies]\npython = \">=3.11\"\n")
	for _, p := range projects {
		fmt.Fprintf(&pyproject, "%s = \"*\"\n", p)
	}
	fmt.Fprintf(&pyproject, "\n[[tool.poetry.source]]\nname = \"local\"\nurl = %q\ndefault = true\n\n[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n", b.index.URL())
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(pyproject.String()), 0644); err != nil {
		return err
	}
	setup := "[metadata]\nname = flaskapp\nversion = 0.1.0\n\n[options]\npy_modules = app\n"
	if err := os.WriteFile(filepath.Join(dir, "setup.cfg"), []byte(setup), 0644); err != nil {
		return err
	}
	home, err := os.MkdirTemp("", "onbuild-bench-poetry-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	cmd := exec.Command("poetry", "lock", "--no-update", "--no-interaction")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+home, "POETRY_CACHE_DIR="+filepath.Join(home, "cache"), "PIP_INDEX_URL="+b.index.URL())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("poetry lock (tools/locktools.sh installs poetry): %w\n%s", err, problem.LastLines(string(out), 20))
	}
	return nil
}

package integration_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

// Lock files are made at test time against the index the build uses, so
// they hold its real versions, hashes and URL whatever Debian release the
// index comes from: uv.lock is written here in its documented format (uv
// is no Debian package), poetry.lock and Pipfile.lock by Debian's poetry
// and pipenv (tools/locktools.sh installs them).
func testLocks(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect = NewWithT(t).Expect
		lx     *lockIndex
	)

	it.Before(func() {
		lx = newLockIndex(t)
	})

	it("uv.lock: refuses a tampered wheel, installs exactly the lock with its path and git sources, reuses the venv when only a dev group changes", func() {
		git := newGitServer(t)
		git.publish("pkga.git", "pkga", "v1.0", "v2.0")
		project := uvProject{index: lx, git: git.url + "/pkga.git", commit: gitCommit(t, filepath.Join(git.root, "pkga.git"), "v1.0"), dev: []string{"six"}}
		a := newApp(t, "locks/uv")

		project.tamper = "flask"
		project.write(a)
		out, err := a.build("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Downloaded file does not match the lock]"))
		Expect(out).To(ContainSubstring(fmt.Sprintf("served for flask %s does not have a sha256 that uv.lock records", lx.wheels["flask"].version)))

		project.tamper = ""
		project.write(a)
		out = a.mustBuild("--env", "PIP_INDEX_URL="+lx.URL())
		// The Flask projects, colorama and packaging are hashed; greet and
		// pkga are not.
		hashed := len(lx.flaskStack()) + 2
		Expect(out).To(ContainSubstring(fmt.Sprintf("Installing uv.lock (uv): %d locked distributions for the production dependencies", hashed+2)))
		Expect(out).To(ContainSubstring(fmt.Sprintf("Installing %d locked distributions from uv.lock, hash-checked", hashed)))
		Expect(out).To(ContainSubstring("Installing greet, pkga from uv.lock's git and path sources"))
		Expect(out).NotTo(ContainSubstring("editable, without dependencies"), "a virtual root is not installed")
		Expect(a.get(a.start())).To(Equal("Hello from uv.lock (pkga 1.0)"))
		// Read off the lock the test wrote: the Flask stack, packaging
		// (its marker holds on Linux), the path and git sources at their
		// locked versions (pkga's commit is v1.0, not the newest); colorama
		// is for Windows, six is the dev group, gunicorn an extra.
		want := lx.versions(append(lx.flaskStack(), "packaging")...)
		want["greet"], want["pkga"] = "0.1.0", "1.0"
		expectInstalled(t, a, want, "colorama", "six", "gunicorn")
		Expect(lx.Downloads("colorama")).To(BeZero(), "its marker excludes Linux")
		Expect(lx.Downloads("six")).To(BeZero(), "dev groups are left out by default")
		flaskDownloads := lx.Downloads("flask")

		project.dev = []string{"six", "wheel"}
		project.write(a)
		out = a.mustBuild("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))

		out = a.mustBuild("--env", "PIP_INDEX_URL="+lx.URL(), "--env", "BP_PYTHON_GROUPS=server")
		Expect(out).To(ContainSubstring("locked set changed: +gunicorn==" + lx.wheels["gunicorn"].version))
		Expect(out).To(ContainSubstring("Checked the entry point app:app: it imports and speaks WSGI"))
		Expect(lx.Downloads("flask")).To(Equal(flaskDownloads), "unchanged distributions come from the wheel cache")
		Expect(lx.Downloads("gunicorn")).To(Equal(1))
		Expect(a.get(a.start())).To(Equal("Hello from uv.lock (pkga 1.0)"))
		want["gunicorn"] = lx.wheels["gunicorn"].version
		expectInstalled(t, a, want, "colorama", "six")
	})

	it("poetry.lock: refuses a tampered wheel, installs exactly the lock, and the root package editable", func() {
		a := newApp(t, "locks/poetry")
		source, lock := "default = true", []string{"poetry", "lock", "--no-update", "--no-interaction"}
		if poetryMajor(t) >= 2 {
			// Poetry 2 dropped both: it never updates a lock unasked, and
			// a source's rank is its priority.
			source, lock = `priority = "primary"`, []string{"poetry", "lock", "--no-interaction"}
		}
		a.write("pyproject.toml", fmt.Sprintf(poetryProject, dependencyLines(lx.flaskStack()), lx.URL(), source))
		lockWith(t, a.dir, lx, lock...)
		locked := a.read("poetry.lock")

		a.write("poetry.lock", tamper(t, locked, lx.wheels["flask"].sha256))
		out, err := a.build("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Downloaded file does not match the lock]"))
		Expect(out).To(ContainSubstring("does not have a sha256 that poetry.lock records"))
		Expect(out).To(ContainSubstring("run `poetry lock` and commit poetry.lock"))

		a.write("poetry.lock", locked)
		out = a.mustBuild("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(out).To(ContainSubstring("Installing poetry.lock (poetry)"))
		Expect(out).To(ContainSubstring("Installing the app (poetryapp) editable, without dependencies"))
		Expect(a.get(a.start())).To(Equal("Hello from poetry.lock"))
		// What the project asks for: the Flask stack and the root; click
		// needs colorama on Windows only, gunicorn is an extra nobody asked
		// for, six the dev group.
		want := lx.versions(lx.flaskStack()...)
		want["poetryapp"] = "0.1.0"
		expectInstalled(t, a, want, "colorama", "gunicorn", "six")
	})

	it("Pipfile.lock: refuses a tampered wheel, installs exactly the lock, reuses the venv when only dev-packages change", func() {
		a := newApp(t, "locks/pipenv")
		a.write("Pipfile", fmt.Sprintf(pipfile, lx.URL(), dependencyLines(lx.flaskStack()), `six = "*"`))
		lockWith(t, a.dir, lx, pipenvLock...)
		locked := a.read("Pipfile.lock")

		a.write("Pipfile.lock", tamper(t, locked, lx.wheels["jinja2"].sha256))
		out, err := a.build("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Downloaded file does not match the lock]"))
		Expect(out).To(ContainSubstring(fmt.Sprintf("served for jinja2 %s does not have a sha256 that Pipfile.lock records", lx.wheels["jinja2"].version)))

		a.write("Pipfile.lock", locked)
		out = a.mustBuild("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(out).To(ContainSubstring("Installing Pipfile.lock (pipenv)"))
		Expect(a.get(a.start())).To(Equal("Hello from Pipfile.lock"))
		// The Pipfile's packages; six is a dev-package.
		installed := expectInstalled(t, a, lx.versions(lx.flaskStack()...), "six")
		Expect(sbomComponents(t, a)).To(Equal(installed), "the SBOM lists the installed set")

		a.write("Pipfile", fmt.Sprintf(pipfile, lx.URL(), dependencyLines(lx.flaskStack()), "six = \"*\"\nwheel = \"*\""))
		lockWith(t, a.dir, lx, pipenvLock...)
		Expect(a.read("Pipfile.lock")).NotTo(Equal(locked))
		out = a.mustBuild("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))
	})

	it("fails naming the files on a stale lock, two lock files, and a requirements.txt that disagrees", func() {
		project := uvProject{index: lx, dev: []string{"six"}}
		a := newApp(t, "locks/uv")
		project.write(a)

		a.write("pyproject.toml", strings.Replace(a.read("pyproject.toml"), `"greet",`, `"greet", "requests",`, 1))
		out, err := a.build("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("uv.lock is out of date"))
		Expect(out).To(ContainSubstring("requests"))
		Expect(out).To(ContainSubstring("Run `uv lock` and commit uv.lock."))

		project.write(a)
		a.write("poetry.lock", "")
		out, err = a.build("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("The app has uv.lock and poetry.lock"))
		Expect(out).To(ContainSubstring("Keep uv.lock (uv) and delete poetry.lock."))

		Expect(os.Remove(filepath.Join(a.dir, "poetry.lock"))).To(Succeed())
		a.write("requirements.txt", "flask==1.0\n")
		out, err = a.build("--env", "PIP_INDEX_URL="+lx.URL())
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: Lock file and requirements.txt disagree]"))
		Expect(out).To(ContainSubstring(fmt.Sprintf("requirements.txt pins flask 1.0, uv.lock locks %s", lx.wheels["flask"].version)))
	})
}

// lockPackages are the integration index's packages plus colorama, which
// click requires on Windows (Poetry locks for every platform), and blinker,
// which Flask 2.3 and later (Debian trixie's) require.
var lockPackages = append(append([]string{}, pyindex.DefaultPackages...), "python3-colorama", "python3-blinker")

// lockIndex is an index of its own for one lock spec, so its download
// counts are that spec's.
type lockIndex struct {
	*pyindex.Server
	wheels map[string]wheel
}

type wheel struct{ version, file, sha256 string }

func newLockIndex(t *testing.T) *lockIndex {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := pyindex.Build(context.Background(), pyindex.Options{
		CacheDir: filepath.Join(root, ".cache", "pyindex"), Packages: lockPackages, Stderr: os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pyindex.Serve(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	files, err := filepath.Glob(filepath.Join(dir, "*.whl"))
	if err != nil {
		t.Fatal(err)
	}
	lx := &lockIndex{Server: srv, wheels: map[string]wheel{}}
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		parts := strings.Split(filepath.Base(file), "-")
		lx.wheels[strings.ToLower(strings.ReplaceAll(parts[0], "_", "-"))] = wheel{version: parts[1], file: filepath.Base(file), sha256: hex.EncodeToString(sum[:])}
	}
	return lx
}

// flaskStack is every distribution a Flask app needs: Debian's wheels
// declare no dependencies, so the projects list them all. Flask 2.3 and
// later (Debian trixie's) also need blinker.
func (lx *lockIndex) flaskStack() []string {
	stack := []string{"click", "flask", "itsdangerous", "jinja2", "markupsafe", "werkzeug"}
	if _, ok := lx.wheels["blinker"]; ok {
		stack = append(stack, "blinker")
	}
	sort.Strings(stack)
	return stack
}

// dependencyLines are TOML lines asking for any version of each project.
func dependencyLines(projects []string) string {
	var lines []string
	for _, p := range projects {
		lines = append(lines, p+` = "*"`)
	}
	return strings.Join(lines, "\n")
}

// uvProject writes a uv project and its uv.lock (version 1, as uv 0.5+
// writes it) from the index's real files.
type uvProject struct {
	index *lockIndex
	// git is the repository of pkga, locked at commit; none when empty.
	git, commit string
	dev         []string
	// tamper is a project locked with a hash its file does not have.
	tamper string
}

func (p uvProject) write(a *app) {
	a.t.Helper()
	base := strings.TrimSuffix(p.index.URL(), "/")
	deps := append([]string{}, p.index.flaskStack()...)
	deps = append(deps, "colorama ; sys_platform == 'win32'", "packaging ; sys_platform == 'linux'", "greet")
	sources := `greet = { path = "libs/greet" }`
	if p.git != "" {
		deps = append(deps, "pkga")
		sources += fmt.Sprintf("\npkga = { git = %q, rev = \"v1.0\" }", p.git)
	}
	var pyproject strings.Builder
	fmt.Fprintf(&pyproject, "[project]\nname = \"uvapp\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\n")
	for _, d := range deps {
		fmt.Fprintf(&pyproject, "    %q,\n", d)
	}
	fmt.Fprintf(&pyproject, "]\n\n[project.optional-dependencies]\nserver = [\"gunicorn\"]\n\n[dependency-groups]\ndev = [%s]\n\n", quoteAll(p.dev))
	fmt.Fprintf(&pyproject, "[tool.uv]\npackage = false\n\n[tool.uv.sources]\n%s\n", sources)
	a.write("pyproject.toml", pyproject.String())

	var lock strings.Builder
	lock.WriteString("version = 1\nrevision = 2\nrequires-python = \">=3.11\"\n\n")
	lock.WriteString("[[package]]\nname = \"uvapp\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\ndependencies = [\n")
	rootDeps := append(append([]string{}, p.index.flaskStack()...), "greet")
	if p.git != "" {
		rootDeps = append(rootDeps, "pkga")
	}
	sort.Strings(rootDeps)
	lock.WriteString("    { name = \"colorama\", marker = \"sys_platform == 'win32'\" },\n")
	lock.WriteString("    { name = \"packaging\", marker = \"sys_platform == 'linux'\" },\n")
	for _, d := range rootDeps {
		fmt.Fprintf(&lock, "    { name = %q },\n", d)
	}
	lock.WriteString("]\n\n[package.optional-dependencies]\nserver = [\n    { name = \"gunicorn\" },\n]\n\n[package.dev-dependencies]\ndev = [\n")
	for _, d := range p.dev {
		fmt.Fprintf(&lock, "    { name = %q },\n", d)
	}
	lock.WriteString("]\n\n[package.metadata]\nrequires-dist = [\n")
	for _, d := range p.index.flaskStack() {
		fmt.Fprintf(&lock, "    { name = %q },\n", d)
	}
	lock.WriteString("    { name = \"colorama\", marker = \"sys_platform == 'win32'\" },\n")
	lock.WriteString("    { name = \"greet\", directory = \"libs/greet\" },\n")
	lock.WriteString("    { name = \"gunicorn\", marker = \"extra == 'server'\" },\n")
	lock.WriteString("    { name = \"packaging\", marker = \"sys_platform == 'linux'\" },\n")
	if p.git != "" {
		fmt.Fprintf(&lock, "    { name = \"pkga\", git = \"%s?rev=v1.0\" },\n", p.git)
	}
	fmt.Fprintf(&lock, "]\nprovides-extras = [\"server\"]\n\n[package.metadata.requires-dev]\ndev = [%s]\n", depTables(p.dev))

	registry := append(append([]string{}, p.index.flaskStack()...), "colorama", "gunicorn", "packaging")
	registry = append(registry, p.dev...)
	sort.Strings(registry)
	for _, name := range registry {
		w, ok := p.index.wheels[name]
		if !ok {
			a.t.Fatalf("the lock index has no %s", name)
		}
		hash := w.sha256
		if name == p.tamper {
			sum := sha256.Sum256([]byte("tampered " + name))
			hash = hex.EncodeToString(sum[:])
		}
		fmt.Fprintf(&lock, "\n[[package]]\nname = %q\nversion = %q\nsource = { registry = %q }\n", name, w.version, base)
		if name == "click" {
			lock.WriteString("dependencies = [\n    { name = \"colorama\", marker = \"platform_system == 'Windows'\" },\n]\n")
		}
		fmt.Fprintf(&lock, "wheels = [\n    { url = \"%s/files/%s\", hash = \"sha256:%s\" },\n]\n",
			strings.TrimSuffix(base, "/simple"), w.file, hash)
	}
	lock.WriteString("\n[[package]]\nname = \"greet\"\nversion = \"0.1.0\"\nsource = { directory = \"libs/greet\" }\n")
	if p.git != "" {
		fmt.Fprintf(&lock, "\n[[package]]\nname = \"pkga\"\nversion = \"1.0\"\nsource = { git = \"%s?rev=v1.0#%s\" }\n", p.git, p.commit)
	}
	a.write("uv.lock", lock.String())
}

func quoteAll(names []string) string {
	var quoted []string
	for _, n := range names {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	return strings.Join(quoted, ", ")
}

func depTables(names []string) string {
	var tables []string
	for _, n := range names {
		tables = append(tables, fmt.Sprintf("{ name = %q }", n))
	}
	return strings.Join(tables, ", ")
}

// poetryProject is a Poetry project with the dependencies %s on the test
// index %s, ranked first by %s; Poetry records the source's URL in
// poetry.lock and its content-hash.
const poetryProject = `[tool.poetry]
name = "poetryapp"
version = "0.1.0"
description = "A Poetry app on the test index"
authors = []

[tool.poetry.dependencies]
python = ">=3.11"
%s
gunicorn = { version = "*", optional = true }

[tool.poetry.extras]
server = ["gunicorn"]

[tool.poetry.group.dev.dependencies]
six = "*"

[[tool.poetry.source]]
name = "local"
url = "%s"
%s

[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
`

// pipfile is a Pipfile on the test index %s with the packages %s and the
// dev-packages %s.
// No [requires]: the app runs on whichever Python the stack has.
const pipfile = `[[source]]
name = "local"
url = "%s"
verify_ssl = false

[packages]
%s

[dev-packages]
%s
`

// poetryMajor is the major version of the poetry on this machine.
func poetryMajor(t *testing.T) int {
	t.Helper()
	out, err := exec.Command("poetry", "--version").Output()
	if err != nil {
		t.Fatalf("poetry --version (run tools/locktools.sh to install it): %v", err)
	}
	m := regexp.MustCompile(`(\d+)\.\d+`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("poetry --version says %q", out)
	}
	major, _ := strconv.Atoi(m[1])
	return major
}

// pipenvLock locks with Debian's Python, which pipenv's virtualenv has seed
// wheels for, whatever other python3 comes first on PATH.
var pipenvLock = []string{"pipenv", "--python", "/usr/bin/python3", "lock"}

// lockWith runs poetry or pipenv in dir against the index, with a home,
// caches and virtualenvs of their own outside the app.
func lockWith(t *testing.T, dir string, lx *lockIndex, command ...string) {
	t.Helper()
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PIP") || strings.HasPrefix(name, "POETRY") || name == "VIRTUAL_ENV" || name == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"POETRY_CACHE_DIR="+filepath.Join(home, "poetry"), "POETRY_VIRTUALENVS_IN_PROJECT=false",
		"WORKON_HOME="+filepath.Join(home, "venvs"), "PIPENV_YES=1", "PIPENV_NOSPIN=1",
		"PIPENV_IGNORE_VIRTUALENVS=1", "PIP_INDEX_URL="+lx.URL())
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s (run tools/locktools.sh to install it): %v\n%s", strings.Join(command, " "), err, out)
	}
}

// tamper replaces a file's sha256 in a lock with another one.
func tamper(t *testing.T, lock, sha string) string {
	t.Helper()
	if !strings.Contains(lock, sha) {
		t.Fatalf("the lock does not record sha256 %s:\n%s", sha, lock)
	}
	sum := sha256.Sum256([]byte("tampered"))
	return strings.ReplaceAll(lock, sha, hex.EncodeToString(sum[:]))
}

func gitCommit(t *testing.T, repo, rev string) string {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", repo, "rev-parse", rev+"^{commit}").Output()
	if err != nil {
		t.Fatalf("git rev-parse %s in %s: %v", rev, repo, err)
	}
	return strings.TrimSpace(string(out))
}

// read returns a file of the app.
func (a *app) read(name string) string {
	a.t.Helper()
	content, err := os.ReadFile(filepath.Join(a.dir, name))
	if err != nil {
		a.t.Fatal(err)
	}
	return string(content)
}

// sbomComponents reads the image's CycloneDX SBOM of the venv as
// {normalized name: version}.
func sbomComponents(t *testing.T, a *app) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command(pack, "sbom", "download", a.image, "--output-dir", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("pack sbom download: %v\n%s", err, out)
	}
	content, err := os.ReadFile(filepath.Join(dir, "layers", "sbom", "launch", "onbuild_python", "venv", "sbom.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		Components []struct{ Name, Version string }
	}
	if err := json.Unmarshal(content, &bom); err != nil {
		t.Fatal(err)
	}
	components := map[string]string{}
	for _, c := range bom.Components {
		components[strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(c.Name))] = c.Version
	}
	return components
}

// listDistributions prints what the image's venv has installed, as
// {normalized name: version}; -I keeps the app dir (and the egg-info an
// editable build leaves there) off sys.path.
const listDistributions = `import json, re, importlib.metadata as m
print(json.dumps({re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version for d in m.distributions()}))`

// expectInstalled checks, inside the image, that the venv holds exactly
// want ({normalized name: version}, which each spec reads off the project
// and lock it wrote, never from the resolver under test) and the seeded
// setuptools, none of absent, and returns what is installed.
func expectInstalled(t *testing.T, a *app, want map[string]string, absent ...string) map[string]string {
	t.Helper()
	Expect := NewWithT(t).Expect
	out, err := inImage(a.image, "/cnb/lifecycle/launcher", "--", "python3", "-I", "-c", listDistributions)
	Expect(err).NotTo(HaveOccurred(), out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	installed := map[string]string{}
	Expect(json.Unmarshal([]byte(lines[len(lines)-1]), &installed)).To(Succeed(), out)

	for _, name := range absent {
		Expect(installed).NotTo(HaveKey(name))
	}
	for name, version := range want {
		Expect(installed).To(HaveKeyWithValue(name, version))
	}
	for name := range installed {
		if _, ok := want[name]; !ok {
			Expect(name).To(Equal("setuptools"), "%s is installed but the project does not ask for it", name)
		}
	}
	return installed
}

// versions are the index's versions of projects, which is what a lock made
// against it records.
func (lx *lockIndex) versions(projects ...string) map[string]string {
	versions := map[string]string{}
	for _, p := range projects {
		versions[p] = lx.wheels[p].version
	}
	return versions
}

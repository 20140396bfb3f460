package python

import (
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/paketo-buildpacks/libpak/v2/sbom"
)

// pythonDependency is the id of the interpreters in buildpack.toml.
const pythonDependency = "python"

// interpreterContents names what the python layer holds and how; part of
// its cache key, so a layer made by an older onbuild is replaced once.
const interpreterContents = "interpreter-pip-bytecode-1"

// Interpreters lists the pinned interpreters for arch (amd64, arm64), by
// version, as buildpack.toml declares them.
func Interpreters(dependencies []libpak.BuildModuleDependency, arch string) map[string]libpak.BuildModuleDependency {
	found := map[string]libpak.BuildModuleDependency{}
	for _, dependency := range dependencies {
		if dependency.ID != pythonDependency {
			continue
		}
		if depArch, err := dependency.GetArch(); err == nil && depArch == arch {
			found[dependency.Version] = dependency
		}
	}
	return found
}

// InterpreterVersions is the list of the interpreters' versions.
func InterpreterVersions(interpreters map[string]libpak.BuildModuleDependency) []string {
	var versions []string
	for v := range interpreters {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	return versions
}

// Interpreter contributes the python layer: a python-build-standalone
// CPython that the venv is made from, for apps whose Python the stack
// does not have. It is downloaded through libpak's dependency cache
// (mirrors, dependency-mapping bindings, an offline builder's copy),
// checked against its sha256 before anything is extracted, and reused
// while the pin stays the same.
type Interpreter struct {
	Dependency libpak.BuildModuleDependency
	// Arch is the build's architecture (amd64, arm64): a module zip holds
	// every platform's tree.
	Arch string
	// Proxy is the first GOPROXY entry, joined to a module path uri.
	Proxy    string
	Cache    libpak.DependencyCache
	Executor effect.Executor
	Logger   log.Logger
	// Env is the build's environment, to explain network failures.
	Env []string
}

type interpreterMetadata struct {
	ID       string `toml:"id"`
	Version  string `toml:"version"`
	URI      string `toml:"uri"`
	Checksum string `toml:"checksum"`
	Arch     string `toml:"arch"`
	Contents string `toml:"contents"`
}

// Python is the interpreter's path in the layer.
func (i Interpreter) Python(layer libcnb.Layer) string {
	return filepath.Join(layer.Path, "bin", "python3")
}

// Contribute fills or reuses the layer. libpak writes its metadata only
// after install succeeds, so no later build trusts a half-extracted tree.
func (i Interpreter) Contribute(layer *libcnb.Layer) error {
	previous, _ := layer.Metadata["version"].(string)
	expected := interpreterMetadata{
		ID: i.Dependency.ID, Version: i.Dependency.Version, URI: i.Dependency.URI,
		Checksum: string(i.Dependency.GetChecksum()), Arch: i.Arch, Contents: interpreterContents,
	}
	contributor := libpak.NewLayerContributor("Python "+i.Dependency.Version, expected, InterpreterLayer.Types, i.Logger)
	return contributor.Contribute(layer, func(layer *libcnb.Layer) error {
		if previous != "" && previous != i.Dependency.Version {
			i.Logger.Bodyf("The cached interpreter is Python %s; this build needs Python %s", previous, i.Dependency.Version)
		}
		return i.install(layer)
	})
}

func (i Interpreter) install(layer *libcnb.Layer) error {
	start := time.Now()
	dependency := i.Dependency
	uri, err := i.uri()
	if err != nil {
		return err
	}
	dependency.URI = uri
	// Artifact verifies the sha256 before it returns the file: a mismatch
	// stops here, before anything is extracted.
	artifact, err := i.Cache.Artifact(dependency)
	if err != nil {
		return i.downloadProblem(uri, err)
	}
	defer artifact.Close()
	downloaded := time.Since(start)

	var extraction Extraction
	if i.isModule() {
		extraction, err = extractEmbedModule(artifact, "linux-"+i.Arch, layer.Path)
	} else {
		extraction, err = extractInstallOnly(artifact, layer.Path)
	}
	if err != nil {
		return fmt.Errorf("unable to extract Python %s from %s\n%w", dependency.Version, network.Redact(uri), err)
	}
	python := i.Python(*layer)
	if _, err := os.Stat(python); err != nil {
		return fmt.Errorf("the Python %s archive has no bin/python3\n%w", dependency.Version, err)
	}
	extracted := time.Since(start)
	if err := i.strip(layer.Path); err != nil {
		return err
	}
	// The module drops every .pyc: compiled once here, the launch layer
	// does not recompile the standard library at every container start.
	if out, err := i.run(python, "-m", "compileall", "-q", "-j", "0", "-x", `/(test|tests)/`, filepath.Join(layer.Path, "lib")); err != nil {
		return fmt.Errorf("Python %s does not run on this stack\n%w\n%s", dependency.Version, err, problem.LastLines(out, 20))
	}
	artifactSBOM, err := dependency.AsSyftArtifact("buildpack.toml")
	if err != nil {
		return fmt.Errorf("unable to describe Python %s for the SBOM\n%w", dependency.Version, err)
	}
	if err := sbom.NewSyftDependency(layer.Path, []sbom.SyftArtifact{artifactSBOM}).WriteTo(layer.SBOMPath(libcnb.SyftJSON)); err != nil {
		return fmt.Errorf("unable to write the Python interpreter's SBOM\n%w", err)
	}
	size, err := treeSize(layer.Path)
	if err != nil {
		return err
	}
	i.Logger.Bodyf("Installed Python %s in %s (download %s, extract %s, strip and bytecode %s): %d files, %s with bytecode; left out %d (Tcl/Tk, IDLE, tests, console scripts)",
		dependency.Version, round(time.Since(start)), round(downloaded), round(extracted-downloaded), round(time.Since(start)-extracted),
		extraction.Files, formatSize(size), extraction.Skipped)
	return nil
}

// strip drops the debug sections of the interpreter and libpython: some
// python-build-standalone releases keep them, and 3.12.3's libpython is
// then 208 MB instead of 39 MB in every image. Only files with debug
// sections are touched: binutils' strip breaks the symbol versions of the
// lld-linked 3.14 builds, which have none to drop. The build image has
// strip (binutils comes with gcc); without it the files stay as they are.
func (i Interpreter) strip(dir string) error {
	strip, err := exec.LookPath("strip")
	if err != nil {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "lib", "libpython3*.so.*"))
	if err != nil {
		return err
	}
	binaries, err := filepath.Glob(filepath.Join(dir, "bin", "python3.*[0-9]"))
	if err != nil {
		return err
	}
	var debug []string
	for _, file := range append(files, binaries...) {
		if hasDebugSections(file) {
			debug = append(debug, file)
		}
	}
	if len(debug) == 0 {
		return nil
	}
	files = debug
	if out, err := i.run(strip, append([]string{"--strip-debug"}, files...)...); err != nil {
		return fmt.Errorf("unable to strip the debug sections of Python %s\n%w\n%s", i.Dependency.Version, err, problem.LastLines(out, 20))
	}
	return nil
}

func hasDebugSections(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Section(".debug_info") != nil
}

func (i Interpreter) run(command string, args ...string) (string, error) {
	var out strings.Builder
	err := i.Executor.Execute(effect.Execution{Command: command, Args: args, Env: i.Env, Stdout: &out, Stderr: &out})
	return out.String(), err
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }

func treeSize(dir string) (int64, error) {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			size += info.Size()
		}
		return err
	})
	return size, err
}

func formatSize(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// isModule: a uri that is a path, not a URL, is a module proxy path.
func (i Interpreter) isModule() bool {
	return strings.HasPrefix(i.Dependency.URI, "/")
}

// uri is the dependency's URL: a module path joined to the proxy, or an
// operator's URL as pinned. Without a proxy a module can still come from
// the buildpack itself (an offline builder), a dependency-mapping binding
// or BP_DEPENDENCY_MIRROR.
func (i Interpreter) uri() (string, error) {
	if !i.isModule() {
		return i.Dependency.URI, nil
	}
	if i.Proxy != "" {
		return strings.TrimSuffix(i.Proxy, "/") + i.Dependency.URI, nil
	}
	if _, err := os.Stat(filepath.Join(i.Cache.CachePath, i.Dependency.GetChecksum().Hash()+".toml")); err == nil {
		return i.Dependency.URI, nil
	}
	for digest := range i.Cache.Mappings {
		if i.Dependency.GetChecksum().MatchString(digest) {
			return i.Dependency.URI, nil
		}
	}
	if i.Cache.DependencyMirrors["default"] != "" {
		return i.Dependency.URI, nil
	}
	return "", problem.Problem{
		Title: "No Go module proxy for the Python download",
		Cause: fmt.Sprintf("onbuild/python downloads Python %s as the %s module from the Go module proxy, and GOPROXY=%q names none (only direct or off).",
			i.Dependency.Version, embedModule, network.Redact(envvar.Value(i.Env, "GOPROXY"))),
		Fixes: []string{
			"Set a proxy for the build: pack build --env GOPROXY=https://<your proxy>,direct",
			"Build offline with a binding of type dependency-mapping that maps the interpreter's sha256 (in onbuild/python's buildpack.toml) to a file:// URI.",
			"Declare a Python the stack has, so nothing is downloaded.",
		},
	}
}

// downloadProblem never shows the URL or error as given: GOPROXY may carry
// a user and password, and the URL and the client's error repeat them.
func (i Interpreter) downloadProblem(uri string, err error) error {
	uri, reason := network.Redact(uri), network.RedactText(err.Error())
	if problem, ok := network.Diagnose("The Python download", uri, reason, i.Env); ok {
		return problem
	}
	if strings.Contains(err.Error(), "does not match expected") {
		return problem.Problem{
			Title: "Python download checksum mismatch",
			Cause: fmt.Sprintf("The file served for Python %s is not the one onbuild/python pins (%s); nothing was extracted:\n%s",
				i.Dependency.Version, i.Dependency.GetChecksum(), reason),
			Fixes: []string{
				"Point GOPROXY (or BP_DEPENDENCY_MIRROR) at a server that serves the file unaltered.",
				"If you pinned this file yourself in onbuild/python's buildpack.toml, check its sha256.",
			},
		}
	}
	return problem.Problem{
		Title: "Python download failed",
		Cause: fmt.Sprintf("onbuild/python could not download Python %s from %s:\n%s", i.Dependency.Version, uri, reason),
		Fixes: []string{
			"Check that the build reaches the server (the build runs in a container: localhost there is the container).",
			"Build offline with a binding of type dependency-mapping that maps the interpreter's sha256 (in onbuild/python's buildpack.toml) to a file:// URI.",
		},
	}
}

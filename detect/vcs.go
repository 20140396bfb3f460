package detect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/onbuild-buildpacks/onbuild/detect/requirements"
)

// VCS always passes, offering both tools, then git alone, then hg alone:
// the lifecycle keeps the first alternative whose every entry a later
// buildpack requires, and drops the optional onbuild/vcs from the group
// when none fits, so an app that needs neither never runs it.
func VCS(libcnb.DetectContext) (libcnb.DetectResult, error) {
	provide := func(names ...string) libcnb.BuildPlan {
		var plan libcnb.BuildPlan
		for _, name := range names {
			plan.Provides = append(plan.Provides, libcnb.BuildPlanProvide{Name: name})
		}
		return plan
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{provide(Git, Hg), provide(Git), provide(Hg)}}, nil
}

// VCSRequires turns what an app needs into plan requirements, for a
// language buildpack to add to its own.
func VCSRequires(git, hg bool) []libcnb.BuildPlanRequire {
	var requires []libcnb.BuildPlanRequire
	if git {
		requires = append(requires, libcnb.BuildPlanRequire{Name: Git})
	}
	if hg {
		requires = append(requires, libcnb.BuildPlanRequire{Name: Hg})
	}
	return requires
}

// vcsURL matches pip's VCS requirement URLs (git+https://, git+ssh://,
// git+file:, the legacy git+git@host:path, hg+http://...), standing alone,
// after -e, "name @ " or inside a quoted string, but not inside a word.
var vcsURL = regexp.MustCompile(`(?i)(?:^|[^a-z0-9]|-e)(git|hg)\+[a-z][a-z0-9+.-]*[:@]`)

// vcsIn reports the VCS URLs of text, a requirements file or setup.py,
// skipping comments: pip's rule, a # at the start of a line or after a
// space, keeps the #egg= of a URL.
func vcsIn(text string) (git, hg bool) {
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "#"); i == 0 || (i > 0 && (line[i-1] == ' ' || line[i-1] == '\t')) {
			line = line[:i]
		}
		for _, match := range vcsURL.FindAllStringSubmatch(line, -1) {
			switch strings.ToLower(match[1]) {
			case Git:
				git = true
			case Hg:
				hg = true
			}
		}
	}
	return git, hg
}

// PythonNeedsVCS reports whether pip will run git or hg for the app: a
// git+/hg+ URL in requirements.txt or any file it reaches through -r/-c, in
// setup.py or setup.cfg, in pyproject.toml's dependencies, or a git or hg
// source in uv.lock, poetry.lock or Pipfile.lock. Files pip would reject (a
// missing include, malformed TOML or JSON) are left to the build, which
// names them with the fix.
func PythonNeedsVCS(appDir string) (git, hg bool, err error) {
	var texts []string
	err = requirements.Walk(appDir, "requirements.txt", func(_ string, content []byte) error {
		texts = append(texts, string(content))
		return nil
	})
	var include requirements.IncludeError
	if err != nil && !errors.As(err, &include) && !errors.Is(err, os.ErrNotExist) {
		return false, false, err
	}
	for _, name := range []string{"setup.py", "setup.cfg"} {
		content, err := os.ReadFile(filepath.Join(appDir, name))
		if err != nil && !os.IsNotExist(err) {
			return false, false, fmt.Errorf("unable to read %s\n%w", name, err)
		}
		texts = append(texts, string(content))
	}
	declared, err := pyprojectRequirements(appDir)
	if err != nil {
		return false, false, err
	}
	texts = append(texts, declared...)

	for _, text := range texts {
		g, h := vcsIn(text)
		git, hg = git || g, hg || h
	}
	g, h, err := lockNeedsVCS(appDir)
	return git || g, hg || h, err
}

// lockSources match a git or hg source in each lock format, as its tool
// writes it: uv's `source = { git = "..." }`, Poetry's `type = "git"` under
// [package.source], pipenv's `"git": "..."`. A scan rather than a parse:
// detection stays cheap, and a lock that a parser would reject still runs
// the build, which names the error. Every group counts: the groups a build
// selects are a build setting, and an unused git costs only its download.
var lockSources = []struct {
	file    string
	git, hg *regexp.Regexp
}{
	{"uv.lock", regexp.MustCompile(`(?m)^\s*source\s*=\s*\{\s*git\s*=`), nil},
	{"poetry.lock", regexp.MustCompile(`(?m)^\s*type\s*=\s*"git"`), nil},
	{"Pipfile.lock", regexp.MustCompile(`"git"\s*:\s*"`), regexp.MustCompile(`"hg"\s*:\s*"`)},
}

func lockNeedsVCS(appDir string) (git, hg bool, err error) {
	for _, lock := range lockSources {
		content, err := os.ReadFile(filepath.Join(appDir, lock.file))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return false, false, fmt.Errorf("unable to read %s\n%w", lock.file, err)
		}
		git = git || lock.git.Match(content)
		hg = hg || (lock.hg != nil && lock.hg.Match(content))
	}
	return git, hg, nil
}

// pyprojectRequirements returns the PEP 508 strings of pyproject.toml: the
// project's dependencies, its optional ones and the build backend's.
func pyprojectRequirements(appDir string) ([]string, error) {
	content, err := os.ReadFile(filepath.Join(appDir, "pyproject.toml"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read pyproject.toml\n%w", err)
	}
	var project struct {
		BuildSystem struct {
			Requires []string `toml:"requires"`
		} `toml:"build-system"`
		Project struct {
			Dependencies         []string            `toml:"dependencies"`
			OptionalDependencies map[string][]string `toml:"optional-dependencies"`
		} `toml:"project"`
	}
	if _, err := toml.Decode(string(content), &project); err != nil {
		return nil, nil
	}
	found := append(project.BuildSystem.Requires, project.Project.Dependencies...)
	for _, extra := range project.Project.OptionalDependencies {
		found = append(found, extra...)
	}
	return found, nil
}

// GoNeedsVCS reports whether the go command will run git or hg to fetch the
// app's modules: only modules it fetches directly need them, everything
// else comes from GOPROXY as zips. A module is fetched directly when
// GOPROXY starts with "direct", or its path matches GOPRIVATE/GONOPROXY
// (an empty GONOPROXY means GOPRIVATE, as in the go command). A module path
// with a VCS qualifier (example.com/repo.git, .hg), required or a replace
// target, names its tool outright: the go command clones such paths. A
// vendored app (vendor/modules.txt, without -mod=mod) fetches nothing. A
// go.mod the go command would reject is left to the Go build.
func GoNeedsVCS(appDir string, env map[string]string) (git, hg bool, err error) {
	content, err := os.ReadFile(filepath.Join(appDir, "go.mod"))
	if os.IsNotExist(err) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("unable to read go.mod\n%w", err)
	}
	if vendored, err := goVendored(appDir, env); err != nil || vendored {
		return false, false, err
	}
	file, err := modfile.Parse("go.mod", content, nil)
	if err != nil {
		return false, false, nil
	}

	var paths []string
	for _, require := range file.Require {
		paths = append(paths, require.Mod.Path)
	}
	for _, replace := range file.Replace {
		// A replacement without a version is a directory in the app.
		if replace.New.Version != "" {
			paths = append(paths, replace.New.Path)
		}
	}
	direct := goDirect(env)
	for _, path := range paths {
		switch {
		case vcsQualifier(path) == Hg:
			hg = true
		case vcsQualifier(path) == Git || direct(path):
			git = true
		}
	}
	return git, hg, nil
}

func goVendored(appDir string, env map[string]string) (bool, error) {
	_, err := os.Stat(filepath.Join(appDir, "vendor", "modules.txt"))
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("unable to read vendor/modules.txt\n%w", err)
	}
	return !strings.Contains(env["GOFLAGS"], "-mod=mod"), nil
}

// goDirect returns which module paths the go command fetches from their
// repository rather than a proxy.
func goDirect(env map[string]string) func(string) bool {
	proxies := strings.FieldsFunc(env["GOPROXY"], func(r rune) bool { return r == ',' || r == '|' })
	if len(proxies) > 0 && strings.TrimSpace(proxies[0]) == "direct" {
		return func(string) bool { return true }
	}
	patterns := env["GONOPROXY"]
	if patterns == "" {
		patterns = env["GOPRIVATE"]
	}
	return func(path string) bool { return module.MatchPrefixPatterns(patterns, path) }
}

// vcsQualifier returns the tool a module path names with a .git or .hg
// element (example.com/repo.git/sub), or "".
func vcsQualifier(path string) string {
	for _, element := range strings.Split(path, "/")[1:] {
		switch {
		case strings.HasSuffix(element, ".git"):
			return Git
		case strings.HasSuffix(element, ".hg"):
			return Hg
		}
	}
	return ""
}

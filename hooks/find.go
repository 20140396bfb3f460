// Package hooks finds and runs an app's action hooks (pre-build, build,
// deploy) and carries the variables they export to later build steps and to
// the running app. It is language-agnostic: onbuild/pre-build-hook and
// onbuild/build-hook run it around any language buildpack.
package hooks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// The hook kinds, named as their files in .cnb/action_hooks.
const (
	PreBuild = invoke.PreBuild
	Build    = invoke.Build
	Deploy   = invoke.Deploy
)

// Kinds lists the hook kinds in the order they run.
var Kinds = []string{PreBuild, Build, Deploy}

// Location is a directory hooks may live in, with the file name each kind
// has there.
type Location struct {
	Dir   string
	Files map[string]string
	// Note is logged when a hook is found here: every location but the
	// native one is kept for apps moving from other builders.
	Note string
}

// Locations are searched in this order; an app may use only one of them.
var Locations = []Location{
	{Dir: ".cnb/action_hooks", Files: nativeFiles},
	{Dir: ".whiskey/action_hooks", Files: nativeFiles,
		Note: ".whiskey/action_hooks is deprecated: move its hooks to .cnb/action_hooks"},
	{Dir: ".docker/action_hooks", Files: nativeFiles,
		Note: ".docker/action_hooks is deprecated: move its hooks to .cnb/action_hooks"},
	{Dir: "bin", Files: map[string]string{PreBuild: "pre_compile", Build: "post_compile"},
		Note: "Heroku compatibility: bin/pre_compile and bin/post_compile run as the pre-build and build hooks; .cnb/action_hooks is the native location"},
}

// Hook is one hook file of the app (invoke runs it).
type Hook = invoke.Hook

var nativeFiles = map[string]string{PreBuild: PreBuild, Build: Build, Deploy: Deploy}

// Set holds the hooks an app has; a missing kind is nil.
type Set struct {
	PreBuild, Build, Deploy *Hook
}

// Get returns the hook of a kind, or nil.
func (s Set) Get(kind string) *Hook {
	switch kind {
	case PreBuild:
		return s.PreBuild
	case Build:
		return s.Build
	case Deploy:
		return s.Deploy
	}
	return nil
}

func (s *Set) set(h Hook) {
	switch h.Kind {
	case PreBuild:
		s.PreBuild = &h
	case Build:
		s.Build = &h
	case Deploy:
		s.Deploy = &h
	}
}

// Empty reports an app without hooks.
func (s Set) Empty() bool {
	return s.PreBuild == nil && s.Build == nil && s.Deploy == nil
}

// Find returns the app's hooks. With dir (BP_ACTION_HOOKS_DIR) set, only
// that directory is searched. Otherwise hooks must all come from one
// location: with two, which one wins would be a guess, so it is a Problem.
func Find(appDir, dir string) (Set, error) {
	if dir != "" {
		return findOverride(appDir, dir)
	}
	var set Set
	var used []string
	for _, loc := range Locations {
		var found []string
		for _, kind := range Kinds {
			file, ok := loc.Files[kind]
			if !ok {
				continue
			}
			name := filepath.ToSlash(filepath.Join(loc.Dir, file))
			ok, err := isFile(filepath.Join(appDir, name))
			if err != nil {
				return Set{}, err
			}
			if !ok {
				continue
			}
			found = append(found, name)
			if len(used) == 0 {
				set.set(Hook{Kind: kind, Path: filepath.Join(appDir, name), Name: name, Note: loc.Note})
			}
		}
		if len(found) > 0 {
			used = append(used, strings.Join(found, ", "))
		}
	}
	if len(used) > 1 {
		return Set{}, problem.Problem{
			Title: "Action hooks in two locations",
			Cause: fmt.Sprintf("The app has hooks in more than one place, so onbuild cannot tell which to run:\n  %s",
				strings.Join(used, "\n  ")),
			Fixes: []string{
				"Move every hook to .cnb/action_hooks/ (pre-build, build, deploy) and delete the others.",
				fmt.Sprintf("Or choose one directory with pack build --env %s=<dir>.", DirSetting),
			},
		}
	}
	return set, nil
}

func findOverride(appDir, dir string) (Set, error) {
	abs := dir
	if !filepath.IsAbs(dir) {
		abs = filepath.Join(appDir, dir)
	}
	info, err := os.Stat(abs)
	if err != nil || !info.IsDir() {
		return Set{}, problem.Problem{
			Title: "Action hooks directory not found",
			Cause: fmt.Sprintf("%s is set to %q, but there is no such directory in the app.", DirSetting, dir),
			Fixes: []string{
				fmt.Sprintf("Create %s with the hooks (pre-build, build, deploy) in it.", dir),
				fmt.Sprintf("Or unset %s to use .cnb/action_hooks/.", DirSetting),
			},
		}
	}
	var set Set
	for _, kind := range Kinds {
		path := filepath.Join(abs, kind)
		ok, err := isFile(path)
		if err != nil {
			return Set{}, err
		}
		if ok {
			name := filepath.ToSlash(filepath.Join(dir, kind))
			set.set(Hook{Kind: kind, Path: path, Name: name})
		}
	}
	return set, nil
}

// isFile follows symlinks: a hook may be a link to a script elsewhere in
// the app.
func isFile(path string) (bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	return info.Mode().IsRegular(), nil
}

// SeenKey is the plan metadata key under which detection lists the hooks it
// found (detect.HooksKey).
const SeenKey = "hooks"

// CheckSeen fails when a hook that detection found (seen, by name) is
// gone: an earlier build step removed it, or the target of its symlink.
// Skipping it would ship an app built without its hook, without a word.
func CheckSeen(appDir string, set Set, seen []string, buildpack string) error {
	for _, name := range seen {
		if found(set, name) {
			continue
		}
		cause := fmt.Sprintf("Detection found the hook %s, but when %s ran it was gone.", name, buildpack)
		path := filepath.Join(appDir, filepath.FromSlash(name))
		if target, err := os.Readlink(path); err == nil {
			cause = fmt.Sprintf("%s is a symlink to %s, which an earlier build step removed before %s could run it\n"+
				"(onbuild/go removes the app's source once the binaries are built).", name, target, buildpack)
		}
		return problem.Problem{
			Title: "Hook disappeared during the build",
			Cause: cause,
			Fixes: []string{
				fmt.Sprintf("Make %s a regular file rather than a symlink.", name),
				"Or keep the file it needs with BP_KEEP_FILES (Go apps), e.g. pack build --env BP_KEEP_FILES=scripts/*",
			},
		}
	}
	return nil
}

func found(set Set, name string) bool {
	for _, kind := range Kinds {
		if hook := set.Get(kind); hook != nil && hook.Name == name {
			return true
		}
	}
	return false
}

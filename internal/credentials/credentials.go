// Package credentials reads the credential bindings a platform hands a
// build (git-credentials and netrc) without copying them: every step that
// fetches (pip, go, git, hg) is pointed at the files where the platform
// mounted them, so no secret lands in a layer.
package credentials

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2/bindings"
)

// Credential bindings. A git-credentials binding holds a file named
// credentials in git-credential-store's format (one
// https://user:token@host line per server); a netrc binding holds a file
// named netrc. Both stay where the platform mounted them: the build only
// points at them, so no secret lands in a layer.
const (
	GitCredentialsBinding = "git-credentials"
	GitCredentialsFile    = "credentials"
	NetrcBinding          = "netrc"
	NetrcFile             = "netrc"
)

// Credentials is what the credential bindings give the build.
type Credentials struct {
	// GitConfig is a git configuration file naming a credential helper per
	// git-credentials binding; empty without one.
	GitConfig string
	// Netrc is the path of the netrc binding's file; empty without one.
	Netrc string
	// Used says, one line per binding, who reads it.
	Used []string
}

// Read finds the credential bindings. Each git-credentials
// binding becomes a read-only helper: git's store helper would otherwise
// try to rewrite the mounted file after each fetch.
func Read(binds libcnb.Bindings) (Credentials, error) {
	var credentials Credentials
	gitBindings := bindings.Resolve(binds, bindings.OfType(GitCredentialsBinding))
	sort.Slice(gitBindings, func(i, j int) bool { return gitBindings[i].Name < gitBindings[j].Name })
	var config strings.Builder
	for _, binding := range gitBindings {
		path, err := bindingFile(binding, GitCredentialsFile)
		if err != nil {
			return Credentials{}, err
		}
		helper := fmt.Sprintf(`!f() { test "$1" = get && git credential-store --file=%s get; }; f`, ShellQuote(path))
		fmt.Fprintf(&config, "[credential]\n\thelper = %s\n", gitConfigQuote(helper))
		credentials.Used = append(credentials.Used, fmt.Sprintf("git reads credentials from binding %s (%s)", binding.Name, GitCredentialsBinding))
	}
	credentials.GitConfig = config.String()

	netrcBindings := bindings.Resolve(binds, bindings.OfType(NetrcBinding))
	if len(netrcBindings) > 1 {
		var names []string
		for _, binding := range netrcBindings {
			names = append(names, binding.Name)
		}
		sort.Strings(names)
		return Credentials{}, problem.Problem{
			Title: "Several netrc bindings",
			Cause: fmt.Sprintf("pip and go read one netrc file, and the build has %d bindings of type %s: %s.",
				len(netrcBindings), NetrcBinding, strings.Join(names, ", ")),
			Fixes: []string{"Merge them into one binding: a netrc file may list several machines."},
		}
	}
	for _, binding := range netrcBindings {
		path, err := bindingFile(binding, NetrcFile)
		if err != nil {
			return Credentials{}, err
		}
		credentials.Netrc = path
		credentials.Used = append(credentials.Used, fmt.Sprintf("pip and go read NETRC from binding %s (%s)", binding.Name, NetrcBinding))
	}
	return credentials, nil
}

// bindingFile is the path of a binding's file, which must exist.
func bindingFile(binding libcnb.Binding, name string) (string, error) {
	if _, ok := binding.Secret[name]; !ok {
		return "", problem.Problem{
			Title: "Credentials binding without its file",
			Cause: fmt.Sprintf("The binding %s (type %s, at %s) has no file named %s.", binding.Name, binding.Type, binding.Path, name),
			Fixes: []string{fmt.Sprintf("Put the credentials in %s.", filepath.Join(binding.Path, name))},
		}
	}
	return filepath.Join(binding.Path, name), nil
}

// gitConfigQuote writes s as a git config value: quoted, so that ; and #
// are not comments, with " and \ escaped.
func gitConfigQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+-]+$`)

// ShellQuote quotes s for sh when it holds anything but plain path
// characters: binding paths are the platform's choice, not ours.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

package build

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"
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

// ReadCredentials finds the credential bindings. Each git-credentials
// binding becomes a read-only helper: git's store helper would otherwise
// try to rewrite the mounted file after each fetch.
func ReadCredentials(binds libcnb.Bindings) (Credentials, error) {
	var credentials Credentials
	gitBindings := bindings.Resolve(binds, bindings.OfType(GitCredentialsBinding))
	sort.Slice(gitBindings, func(i, j int) bool { return gitBindings[i].Name < gitBindings[j].Name })
	var config strings.Builder
	for _, binding := range gitBindings {
		path, err := bindingFile(binding, GitCredentialsFile)
		if err != nil {
			return Credentials{}, err
		}
		helper := fmt.Sprintf(`!f() { test "$1" = get && git credential-store --file=%s get; }; f`, shellQuote(path))
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
		return Credentials{}, Problem{
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

// credentialsLayer returns a build-only layer that points git (and so pip's
// and go's clones), pip and go at the credential bindings, or nil without
// any. The git helpers go in as git's system configuration: a platform's
// `pack build --env` wins over a buildpack's environment, so the variables
// a user may set for git (GIT_CONFIG_COUNT, ...) must stay theirs. The
// layer is not cached: a later build without the binding must not point at
// it.
func (b VCSBuild) credentialsLayer(ctx libcnb.BuildContext) (*libcnb.Layer, error) {
	credentials, err := ReadCredentials(ctx.Platform.Bindings)
	if err != nil || len(credentials.Used) == 0 {
		return nil, err
	}
	layer, err := ctx.Layers.Layer("credentials")
	if err != nil {
		return nil, fmt.Errorf("unable to create credentials layer\n%w", err)
	}
	layer.LayerTypes = libcnb.LayerTypes{Build: true}
	if credentials.GitConfig != "" {
		if value := EnvValue(b.Environ, "GIT_CONFIG_SYSTEM"); value != "" {
			return nil, Problem{
				Title: "GIT_CONFIG_SYSTEM is taken",
				Cause: fmt.Sprintf("The build sets GIT_CONFIG_SYSTEM=%s, and onbuild/vcs needs it to hand git the %s binding.", value, GitCredentialsBinding),
				Fixes: []string{
					"Set your git settings with GIT_CONFIG_COUNT, GIT_CONFIG_KEY_<n> and GIT_CONFIG_VALUE_<n> instead.",
					fmt.Sprintf("Or drop the %s binding and configure a credential helper in that file.", GitCredentialsBinding),
				},
			}
		}
		if err := os.MkdirAll(layer.Path, 0755); err != nil {
			return nil, fmt.Errorf("unable to create %s\n%w", layer.Path, err)
		}
		file := filepath.Join(layer.Path, "gitconfig")
		if err := os.WriteFile(file, []byte(credentials.GitConfig), 0644); err != nil {
			return nil, fmt.Errorf("unable to write %s\n%w", file, err)
		}
		layer.BuildEnvironment.Override("GIT_CONFIG_SYSTEM", file)
	}
	if credentials.Netrc != "" {
		layer.BuildEnvironment.Override("NETRC", credentials.Netrc)
	}
	b.Logger.Header("Credentials")
	for _, line := range credentials.Used {
		b.Logger.Bodyf("%s", line)
	}
	return &layer, nil
}

// bindingFile is the path of a binding's file, which must exist.
func bindingFile(binding libcnb.Binding, name string) (string, error) {
	if _, ok := binding.Secret[name]; !ok {
		return "", Problem{
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

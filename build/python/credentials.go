package python

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
)

// withCredentials points pip at a netrc binding (NETRC, which pip's
// requests reads) for a private index, without onbuild/vcs: that
// buildpack joins only when the app fetches from git or hg, and a
// netrc-protected index needs no git. The file stays where the platform
// mounted it; only pip's environment names it, so it reaches no layer.
func (b Builder) withCredentials(binds libcnb.Bindings, env []string) ([]string, error) {
	creds, err := credentials.Read(binds)
	if err != nil {
		return env, err
	}
	if creds.Netrc != "" {
		env = envvar.Set(env, "NETRC", creds.Netrc)
		b.Logger.Headerf("pip reads NETRC from the %s binding (%s), not copied into any layer", credentials.NetrcBinding, creds.Netrc)
	}
	if creds.GitConfig != "" && envvar.Value(env, "GIT_CONFIG_SYSTEM") == "" {
		// Only git reads these, and without a git+ requirement git is not
		// even there: say so, rather than let the user wonder.
		b.Logger.Headerf("The %s binding is for git only; no requirement here is fetched with git", credentials.GitCredentialsBinding)
	}
	return env, nil
}

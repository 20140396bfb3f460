package golang

import (
	"net/url"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
)

// withCredentials points the go command at a netrc binding (NETRC, which
// it reads for GOPROXY and direct https fetches), without onbuild/vcs:
// that buildpack joins only for direct git or hg fetches, and a
// netrc-protected GOPROXY needs neither. The file stays where the platform
// mounted it, so no layer holds it. It returns the environment and the
// netrc path, "" without a binding.
func (b Builder) withCredentials(binds libcnb.Bindings) ([]string, string, error) {
	creds, err := credentials.Read(binds)
	if err != nil {
		return b.Environ, "", err
	}
	env := b.Environ
	if creds.Netrc != "" {
		env = envvar.Set(env, "NETRC", creds.Netrc)
		b.Logger.Headerf("go reads NETRC from the %s binding (%s), not copied into any layer", credentials.NetrcBinding, creds.Netrc)
	}
	if creds.GitConfig != "" && envvar.Value(env, "GIT_CONFIG_SYSTEM") == "" {
		b.Logger.Headerf("The %s binding is for git only; this build fetches no module with git", credentials.GitCredentialsBinding)
	}
	return env, creds.Netrc, nil
}

// withNetrcLogin adds the netrc login for uri's host, as the go command
// would send it: the toolchain download goes through libpak, which reads
// no netrc, and a GOPROXY behind netrc would refuse it. libpak and our
// problems show the URL redacted.
func withNetrcLogin(uri, netrc string) string {
	u, err := url.Parse(uri)
	if netrc == "" || err != nil || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return uri
	}
	login, password, ok := credentials.NetrcLogin(netrc, u.Hostname())
	if !ok {
		return uri
	}
	u.User = url.UserPassword(login, password)
	return u.String()
}

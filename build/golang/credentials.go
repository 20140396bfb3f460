package golang

import (
	"fmt"
	"net/url"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/paketo-buildpacks/libpak/v2/log"
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

// redactingLogger hides user info in the URLs libpak's dependency cache
// logs: it redacts a password, but shows a lone user name, which is how a
// token is often passed (GOPROXY=https://TOKEN@proxy).
type redactingLogger struct {
	log.Logger
}

func (r redactingLogger) Body(a ...interface{}) {
	r.Logger.Body(network.RedactText(fmt.Sprint(a...)))
}

func (r redactingLogger) Bodyf(format string, a ...interface{}) {
	r.Logger.Body(network.RedactText(fmt.Sprintf(format, a...)))
}

func (r redactingLogger) Header(a ...interface{}) {
	r.Logger.Header(network.RedactText(fmt.Sprint(a...)))
}

func (r redactingLogger) Headerf(format string, a ...interface{}) {
	r.Logger.Header(network.RedactText(fmt.Sprintf(format, a...)))
}

func (r redactingLogger) Debug(a ...interface{}) {
	r.Logger.Debug(network.RedactText(fmt.Sprint(a...)))
}

func (r redactingLogger) Debugf(format string, a ...interface{}) {
	r.Logger.Debug(network.RedactText(fmt.Sprintf(format, a...)))
}

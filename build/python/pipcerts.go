package python

import (
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
)

// legacyCerts is pip's switch back to its own certificate checks, which
// pip 24.2 replaced with truststore by default.
const legacyCerts = "legacy-certs"

// IPIndexEnvironment is pip's environment with PIP_USE_DEPRECATED=
// legacy-certs when pip would reach an HTTPS index at an IP address
// (https://10.0.0.5/simple/) with truststore. urllib3 sends no server
// name to an IP address, and truststore's context needs one: pip crashes
// with "ValueError: check_hostname requires server_hostname" (pip issue
// 12906). pip's own checks verify the address against the certificate's
// IP names, trusting the same CAs here: the stack's bundle, and the
// ca-certificates binding's through PIP_CERT. Indexes under a host name
// keep pip's default.
func IPIndexEnvironment(env []string, pipVersion string) []string {
	if !usesTruststore(pipVersion) || !reachesIPOverHTTPS(env) {
		return env
	}
	current := envvar.Value(env, "PIP_USE_DEPRECATED")
	for _, feature := range strings.Fields(current) {
		if feature == legacyCerts {
			return env
		}
	}
	return envvar.Set(env, "PIP_USE_DEPRECATED", strings.TrimSpace(current+" "+legacyCerts))
}

// usesTruststore reports whether pip verifies with truststore by default
// (24.2 and later); earlier pips do not know legacy-certs and reject it.
func usesTruststore(version string) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return major > 24 || major == 24 && minor >= 2
}

var httpsURL = regexp.MustCompile(`(?i)https://[^\s'"<>]+`)

// reachesIPOverHTTPS looks at every place pip takes an index or a links
// page from: the index variables and the pip.conf file pip reads.
func reachesIPOverHTTPS(env []string) bool {
	text := []string{}
	for _, name := range PipIndexVariables {
		text = append(text, envvar.Value(env, name))
	}
	if file := envvar.Value(env, "PIP_CONFIG_FILE"); file != "" {
		if content, err := os.ReadFile(file); err == nil {
			text = append(text, string(content))
		}
	}
	for _, raw := range httpsURL.FindAllString(strings.Join(text, "\n"), -1) {
		u, err := url.Parse(raw)
		if err == nil && net.ParseIP(u.Hostname()) != nil {
			return true
		}
	}
	return false
}

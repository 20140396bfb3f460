// Package network turns the output of a failed network step (pip, go, git,
// hg) into a Problem that says what to fix: an untrusted CA, a certificate
// for another host, an unreachable proxy. It also hides the passwords URLs
// carry before they reach a log line or a message.
package network

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// untrustedCertificate matches how OpenSSL (pip, hg), Go and git's libcurl
// report a server certificate signed by a CA they do not trust.
var untrustedCertificate = regexp.MustCompile(`CERTIFICATE_VERIFY_FAILED|certificate verify failed|x509: certificate signed by unknown authority|SSL certificate problem`)

// wrongHost matches the same clients' reports of a certificate that does
// not name the host asked for: a CA binding does not fix that.
var wrongHost = regexp.MustCompile(`Hostname mismatch|certificate is valid for|certificate is not valid for|no alternative certificate subject name matches`)

// unreachableProxy matches requests' and Go's errors for a proxy that does
// not answer.
var unreachableProxy = regexp.MustCompile(`ProxyError|Cannot connect to proxy|proxyconnect tcp`)

// proxyVariables are the proxy settings every network step honours; pip,
// git and Go read both spellings.
var proxyVariables = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"}

// Diagnose recognises, in the output of a failed network step (pip, go,
// git), a certificate for another host, an untrusted certificate or an
// unreachable proxy, and returns the Problem that says how to fix it. step
// names the program, target what it was fetching from.
func Diagnose(step, target, output string, env []string) (problem.Problem, bool) {
	switch {
	case wrongHost.MatchString(output):
		return hostProblem(step, target, output), true
	case untrustedCertificate.MatchString(output):
		return certificateProblem(step, target, output, env), true
	case unreachableProxy.MatchString(output):
		return proxyProblem(step, target, output, env), true
	}
	return problem.Problem{}, false
}

func hostProblem(step, target, output string) problem.Problem {
	return problem.Problem{
		Title: "TLS certificate for another host",
		Cause: fmt.Sprintf("%s could not verify the TLS certificate of %s: it does not name that host.\n\n%s", step, target, lastMatch(wrongHost, output)),
		Fixes: []string{fmt.Sprintf("Use the host name the certificate of %s names, or have the server's certificate reissued for the name you use.", target)},
	}
}

func certificateProblem(step, target, output string, env []string) problem.Problem {
	evidence := lastMatch(untrustedCertificate, output)
	target = urlIn(evidence, target)
	cause := fmt.Sprintf("%s could not verify the TLS certificate of %s: it is signed by a CA the build does not trust.", step, target)
	fix := "Hand the CA to the build as a binding of type ca-certificates:\n" +
		"       mkdir ca && cp my-ca.pem ca/ && echo ca-certificates > ca/type\n" +
		"       pack build ... --volume \"$PWD/ca:/platform/bindings/ca-certificates\""
	if bundle := envvar.Value(env, "SSL_CERT_FILE"); bundle != "" {
		cause = fmt.Sprintf("%s could not verify the TLS certificate of %s: its CA is neither the stack's nor in the ca-certificates binding (the build trusts %s).", step, target, bundle)
		fix = "Add the CA that signed the certificate of " + target + " to the ca-certificates binding (a PEM file in the directory you pass with --volume)."
	}
	return problem.Problem{
		Title: "TLS certificate not trusted",
		Cause: fmt.Sprintf("%s\nA network that re-signs HTTPS (a company proxy) or a server with a private CA does this.\n\n%s", cause, evidence),
		Fixes: []string{fix, fmt.Sprintf("Check that %s is the host you meant: its certificate must name it.", target)},
	}
}

func proxyProblem(step, target, output string, env []string) problem.Problem {
	var set []string
	for _, name := range proxyVariables {
		if value := envvar.Value(env, name); value != "" {
			set = append(set, name+"="+Redact(value))
		}
	}
	settings := "no proxy variable is set"
	if len(set) > 0 {
		settings = "the build has " + strings.Join(set, ", ")
	}
	return problem.Problem{
		Title: "Proxy unreachable",
		Cause: fmt.Sprintf("%s could not reach %s through the proxy (%s).\n\n%s", step, target, settings, lastMatch(unreachableProxy, output)),
		Fixes: []string{
			"Check the proxy's host and port in HTTPS_PROXY / HTTP_PROXY: the build runs inside a container, so localhost is the container unless pack build has --network host.",
			"Add hosts that must not go through the proxy to NO_PROXY (comma-separated), with pack build --env NO_PROXY=...",
		},
	}
}

// lastMatch is the last line of output that pattern matches: the evidence,
// without the retries around it that the log already shows.
func lastMatch(pattern *regexp.Regexp, output string) string {
	lines := strings.Split(output, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if pattern.MatchString(lines[i]) {
			return strings.TrimSpace(lines[i])
		}
	}
	return ""
}

// failedURL finds the URL a client names in its error line: pip's and
// git's both do, and it may be a git+https requirement, not the index.
var failedURL = regexp.MustCompile(`https://[^\s'"]+`)

func urlIn(line, fallback string) string {
	if url := failedURL.FindString(line); url != "" {
		return strings.TrimRight(url, ":,.)")
	}
	return fallback
}

// Redact hides the password of a URL (an index, a proxy, a GOPROXY entry)
// or of every URL in a list of them (GOPROXY=direct|https://me:pw@proxy).
func Redact(value string) string {
	return RedactText(value)
}

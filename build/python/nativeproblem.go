package python

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// A compile that failed for a missing header or tool, as setup.py, gcc
// and the config scripts report it.
var (
	missingHeader = regexp.MustCompile(`fatal error: ([A-Za-z0-9_/.+-]+\.h): No such file or directory`)
	missingTools  = []struct {
		pattern  *regexp.Regexp
		tool     string
		packages []string
	}{
		{regexp.MustCompile(`pg_config executable not found`), "pg_config", []string{"libpq-dev"}},
		{regexp.MustCompile(`mysql_config not found|Can not find valid pkg-config name`), "mysql_config or pkg-config's mysqlclient", []string{"default-libmysqlclient-dev", "pkg-config"}},
		{regexp.MustCompile(`pkg-config: (?:command )?not found|Did not find pkg-config`), "pkg-config", []string{"pkg-config"}},
	}
)

// headerPackages maps headers (or their folder) to the Debian package
// that ships them, for the libraries Python packages most often compile
// against.
var headerPackages = map[string]string{
	"libpq-fe.h": "libpq-dev", "pg_config.h": "libpq-dev",
	"mysql.h": "default-libmysqlclient-dev", "mysql/mysql.h": "default-libmysqlclient-dev",
	"lber.h": "libldap-dev", "ldap.h": "libldap-dev", "sasl/sasl.h": "libsasl2-dev",
	"ffi.h": "libffi-dev", "openssl/": "libssl-dev", "zlib.h": "zlib1g-dev",
	"jpeglib.h": "libjpeg-dev", "libxml/": "libxml2-dev", "libxslt/": "libxslt1-dev",
	"yaml.h": "libyaml-dev", "krb5.h": "libkrb5-dev", "gssapi/": "libkrb5-dev",
	"cairo.h": "libcairo2-dev", "magic.h": "libmagic-dev", "gdal.h": "libgdal-dev",
	"geos_c.h": "libgeos-dev", "sqlite3.h": "libsqlite3-dev", "bzlib.h": "libbz2-dev",
	"lzma.h": "liblzma-dev", "uuid/uuid.h": "uuid-dev", "curl/": "libcurl4-openssl-dev",
	"pcap.h": "libpcap-dev", "libmemcached/": "libmemcached-dev", "snappy-c.h": "libsnappy-dev",
}

// NativeBuildProblem recognises, in pip's output, a source distribution
// whose compile failed for want of a Debian package, and names the
// package and the Aptfile line that fixes it. The message quotes the line
// that says so, which pip's closing lines bury.
func NativeBuildProblem(output string) (problem.Problem, bool) {
	for _, t := range missingTools {
		if loc := t.pattern.FindStringIndex(output); loc != nil {
			return nativeProblem(t.tool+" is missing", t.packages, lineAt(output, loc[0])), true
		}
	}
	loc := missingHeader.FindStringSubmatchIndex(output)
	if loc == nil {
		return problem.Problem{}, false
	}
	match := []string{output[loc[0]:loc[1]], output[loc[2]:loc[3]]}
	output = lineAt(output, loc[0])
	header := match[1]
	pkg, ok := headerPackages[header]
	if !ok {
		if dir, _, found := strings.Cut(header, "/"); found {
			pkg, ok = headerPackages[dir+"/"]
		}
	}
	if !ok {
		return problem.Problem{
			Title: "C header missing",
			File:  "Aptfile",
			Cause: fmt.Sprintf("A package pip builds from source needs the C header %s, which the build image lacks.\n\n%s", header, output),
			Fixes: []string{
				fmt.Sprintf("Find the Debian package that ships it (apt-file search %s on a machine of the stack's release) and add its name to the Aptfile.", header),
				"Install a wheel of the package instead of its source distribution, if the index has one.",
			},
		}, true
	}
	return nativeProblem("the C header "+header+" is missing", []string{pkg}, output), true
}

func nativeProblem(what string, packages []string, output string) problem.Problem {
	return problem.Problem{
		Title: "Debian package missing for a source build",
		File:  "Aptfile",
		Cause: fmt.Sprintf("pip builds a package from source, and %s: Debian's %s provides it.\n\n%s", what, strings.Join(packages, " and "), output),
		Fixes: []string{
			fmt.Sprintf("Add these lines to the Aptfile: %s.", strings.Join(packages, ", ")),
			fmt.Sprintf("Or set them for the build: pack build --env BP_DEBIAN_PACKAGES=%q.", strings.Join(packages, " ")),
			"Or install a wheel of the package instead of its source distribution, if the index has one.",
		},
	}
}

// lineAt is the whole line around offset i.
func lineAt(s string, i int) string {
	start := strings.LastIndex(s[:i], "\n") + 1
	end := strings.Index(s[i:], "\n")
	if end < 0 {
		return strings.TrimSpace(s[start:])
	}
	return strings.TrimSpace(s[start : i+end])
}

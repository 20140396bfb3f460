package debpkg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Request is one package asked for, and where: "Aptfile line 3",
// "BP_DEBIAN_PACKAGES", or a language buildpack's reason.
type Request struct {
	Name   string
	Origin string
	// Line is the Aptfile line, for the fix; empty otherwise.
	Line string
}

// packageName is Debian policy's package name (5.6.1).
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// ReadAptfile reads the app's Aptfile: one package per line, # comments.
// Lines Heroku's apt buildpack accepts but onbuild cannot honour (a .deb
// URL, a :repo: line, a glob, a pinned version) are Problems that say why.
func ReadAptfile(appDir string) ([]Request, error) {
	content, err := os.ReadFile(filepath.Join(appDir, detect.Aptfile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read %s\n%w", detect.Aptfile, err)
	}
	var requests []Request
	for i, raw := range strings.Split(string(content), "\n") {
		line := strings.TrimSpace(raw)
		if c := strings.Index(line, "#"); c >= 0 {
			line = strings.TrimSpace(line[:c])
		}
		if line == "" {
			continue
		}
		origin := fmt.Sprintf("%s line %d", detect.Aptfile, i+1)
		if err := checkName(line, origin, detect.Aptfile); err != nil {
			return nil, err
		}
		requests = append(requests, Request{Name: line, Origin: origin, Line: line})
	}
	return requests, nil
}

// SettingRequests are BP_DEBIAN_PACKAGES' names.
func SettingRequests(names []string) ([]Request, error) {
	var requests []Request
	for _, name := range names {
		if err := checkName(name, PackagesSetting, ""); err != nil {
			return nil, err
		}
		requests = append(requests, Request{Name: name, Origin: PackagesSetting})
	}
	return requests, nil
}

// PlanRequests are the packages a language buildpack asked for in the
// plan, with its reason.
func PlanRequests(plan libcnb.BuildpackPlan) []Request {
	var requests []Request
	for _, entry := range plan.Entries {
		if entry.Name != detect.DebianPackagesPlan {
			continue
		}
		why, _ := entry.Metadata[detect.DebianWhyKey].(string)
		var names []string
		switch list := entry.Metadata[detect.DebianPackagesKey].(type) {
		case []interface{}:
			for _, name := range list {
				if s, ok := name.(string); ok {
					names = append(names, s)
				}
			}
		case []string:
			names = list
		}
		for _, name := range names {
			requests = append(requests, Request{Name: name, Origin: why})
		}
	}
	return requests
}

func checkName(line, origin, file string) error {
	where := origin
	switch {
	case strings.HasPrefix(line, ":repo:") || strings.HasPrefix(line, "deb ") || strings.HasPrefix(line, "deb-src "):
		return problem.Problem{
			Title: "Custom Debian repository",
			File:  file,
			Cause: fmt.Sprintf("%s adds a repository (%s). onbuild installs packages only from the stack's own suites (the release, -updates and -security), whose signatures it checks against Debian's archive keys.", where, line),
			Fixes: []string{"Remove the line and list only packages of the stack's release."},
		}
	case strings.Contains(line, "://") || strings.HasSuffix(line, ".deb"):
		return problem.Problem{
			Title: "Debian package URL",
			File:  file,
			Cause: fmt.Sprintf("%s is a .deb URL (%s). onbuild installs packages only from the stack's own Debian suites, checked against Debian's signatures; a downloaded .deb would carry no such check and could need libraries the stack lacks.", where, line),
			Fixes: []string{
				"Replace the line with the package's name, if Debian has it (apt-cache search on a machine of the stack's release finds it).",
				"Otherwise install the program another way: a Python wheel, a Go module, or a file the app carries.",
			},
		}
	case strings.ContainsAny(line, "=*?["):
		return problem.Problem{
			Title: "Unsupported Debian package line",
			File:  file,
			Cause: fmt.Sprintf("%s is %q: a pinned version or a pattern. onbuild installs the suite's current version of each named package, so that a rebuild picks up its security updates.", where, line),
			Fixes: []string{"Write the package name alone on the line, without a version or wildcard."},
		}
	case !packageName.MatchString(line):
		return problem.Problem{
			Title: "Invalid Debian package name",
			File:  file,
			Cause: fmt.Sprintf("%s is %q, which is not a Debian package name (lower-case letters, digits, + - .).", where, line),
			Fixes: []string{"Write one package name per line; # starts a comment."},
		}
	}
	return nil
}

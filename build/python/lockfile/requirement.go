package lockfile

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	nameSeparators = regexp.MustCompile(`[-_.]+`)
	requirementRe  = regexp.MustCompile(`^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$`)
)

// NormalizeName is the PEP 503 form: pip and every lock file compare
// names this way, whatever case or separators the author wrote.
func NormalizeName(name string) string {
	return nameSeparators.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-")
}

// requirement is the part of a PEP 508 string this package needs: which
// distribution, with which extras, under which marker. Versions are the
// lock's business.
type requirement struct {
	name   string
	extras []string
	marker string
	url    string
}

// parseRequirement reads "name[extras] spec ; marker", "name @ url ; marker"
// and Poetry's older "name (spec)".
func parseRequirement(s string) (requirement, error) {
	m := requirementRe.FindStringSubmatch(s)
	if m == nil {
		return requirement{}, fmt.Errorf("invalid requirement %q: it does not start with a distribution name", s)
	}
	req := requirement{name: NormalizeName(m[1])}
	for _, extra := range strings.Split(m[2], ",") {
		if extra = strings.TrimSpace(extra); extra != "" {
			req.extras = append(req.extras, NormalizeName(extra))
		}
	}
	rest := strings.TrimSpace(m[3])
	if strings.HasPrefix(rest, "@") {
		// A URL may hold ";" itself, so PEP 508 wants a space before the marker.
		url := strings.TrimSpace(rest[1:])
		if i := strings.Index(url, " ;"); i >= 0 {
			req.marker = strings.TrimSpace(url[i+2:])
			url = strings.TrimSpace(url[:i])
		}
		req.url = url
		return req, nil
	}
	if i := strings.IndexByte(rest, ';'); i >= 0 {
		req.marker = strings.TrimSpace(rest[i+1:])
		rest = strings.TrimSpace(rest[:i])
	}
	if rest != "" && !strings.ContainsAny(rest[:1], "<>=!~(") {
		return requirement{}, fmt.Errorf("invalid requirement %q: %q is not a version specifier", s, rest)
	}
	return req, nil
}

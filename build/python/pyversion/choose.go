package pyversion

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Choice is the Python a build uses: the stack's, or one of the
// interpreters the buildpack can download.
type Choice struct {
	// Version is the release used, such as 3.12.3.
	Version string
	// Downloaded is true when Version is one of the buildpack's own
	// interpreters rather than the stack's python3.
	Downloaded bool
	// Message is the one log line saying which Python is used and why.
	Message string
	// Note is set when the declaration named another patch release than
	// the one used.
	Note string
}

// Choose picks the Python for decl (found false: the app declares
// nothing): the stack's when it satisfies the declaration, else the newest
// of downloadable (releases such as 3.12.3) that does. A named version
// (3.12, 3.12.8) accepts the newest patch of its minor, with a note when
// the patch differs; a range (requires-python, Pipfile) is held to exactly.
// Nothing satisfying it is a problem.Problem naming the file, the line and
// the versions this builder has.
func Choose(decl Declaration, found bool, stack Stack, downloadable []string) (Choice, error) {
	if !found {
		return Choice{Version: stack.Version, Message: UndeclaredMessage(stack)}, nil
	}
	have, err := ParseVersion(stack.Version)
	if err != nil {
		return Choice{}, fmt.Errorf("unable to read the stack's Python version\n%w", err)
	}
	offered, err := parseReleases(downloadable)
	if err != nil {
		return Choice{}, err
	}
	if result, err := Check(decl, stack); err == nil {
		return Choice{Version: stack.Version, Message: result.Message, Note: result.Note}, nil
	}

	reason := fmt.Sprintf("the %s stack has %s", stack.Flavour, stack.Version)
	if stack.Flavour == "" {
		reason = "the stack has " + stack.Version
	}
	// Newest first: a range picks the newest release it allows.
	for i := len(offered) - 1; i >= 0; i-- {
		v := offered[i]
		if decl.Specifiers.Contains(v) {
			return Choice{Version: v.String(), Downloaded: true,
				Message: fmt.Sprintf("%s asks for %s; using Python %s (python-build-standalone): %s", decl.Source(), decl.Asks(), v, reason)}, nil
		}
	}
	if decl.Version != nil && len(decl.Version) > 2 {
		for i := len(offered) - 1; i >= 0; i-- {
			v := offered[i]
			if v.Minor() == decl.Version.Minor() {
				return Choice{Version: v.String(), Downloaded: true,
					Message: fmt.Sprintf("%s asks for %s; using Python %s (python-build-standalone): %s", decl.Source(), decl.Asks(), v, reason),
					Note: fmt.Sprintf("%s names Python %s; this builder's %s release is %s. Write %s to say any %s.x is fine.",
						decl.Where(), decl.Version, v.Minor(), v, v.Minor(), v.Minor())}, nil
			}
		}
	}
	return Choice{}, unsatisfied(decl, stack, have, offered)
}

func parseReleases(releases []string) ([]Version, error) {
	var versions []Version
	for _, r := range releases {
		v, err := ParseVersion(r)
		if err != nil || len(v) != 3 {
			return nil, fmt.Errorf("buildpack.toml pins Python %q, which is not a release such as 3.12.3", r)
		}
		versions = append(versions, v)
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].Compare(versions[j]) < 0 })
	return versions, nil
}

// unsatisfied lists every Python this builder has and points at the
// nearest ones to what was asked.
func unsatisfied(decl Declaration, stack Stack, have Version, offered []Version) problem.Problem {
	all := append([]Version{have}, offered...)
	sort.Slice(all, func(i, j int) bool { return all[i].Compare(all[j]) < 0 })
	var listed []string
	for _, v := range all {
		label := v.String()
		if v.Compare(have) == 0 {
			label += " (the stack's)"
		}
		listed = append(listed, label)
	}
	nearest := nearestTo(decl, all)
	title := fmt.Sprintf("Python %s is not on this builder", decl.Asks())
	if decl.Version == nil {
		asks := decl.Asks()
		if decl.Key != "" {
			asks = decl.Key + " " + asks
		}
		title = fmt.Sprintf("No Python on this builder satisfies %s", asks)
	}
	fixes := []string{changeDeclaration(decl, nearest[len(nearest)-1])}
	for _, flavour := range flavoursAllowing(decl, stack) {
		fixes = append(fixes, fmt.Sprintf("Build with the %s flavour (onbuild/builder:%s), whose stack has Python %s: pack build --builder onbuild/builder:%s",
			flavour, flavour, stack.Flavours[flavour], flavour))
	}
	var names []string
	for _, v := range nearest {
		names = append(names, v.String())
	}
	return problem.Problem{
		Title: title,
		File:  fileOf(decl),
		Cause: fmt.Sprintf("%s asks for Python %s. This builder has Python %s; the nearest to what is asked: %s.",
			decl.Where(), decl.Asks(), strings.Join(listed, ", "), strings.Join(names, " and ")),
		Fixes: fixes,
	}
}

// nearestTo picks, among the builder's versions, those closest (by minor)
// to a version the declaration names; a tie keeps both sides.
func nearestTo(decl Declaration, all []Version) []Version {
	var targets []Version
	if decl.Version != nil {
		targets = append(targets, decl.Version)
	}
	for _, s := range decl.Specifiers {
		if s.Version != nil {
			targets = append(targets, s.Version)
		}
	}
	if len(targets) == 0 {
		return all[len(all)-1:]
	}
	best, picked := -1, map[string]Version{}
	for _, target := range targets {
		for _, v := range all {
			d := minorDistance(v, target)
			if best < 0 || d < best {
				best, picked = d, map[string]Version{}
			}
			if d == best {
				picked[v.String()] = v
			}
		}
	}
	var nearest []Version
	for _, v := range picked {
		nearest = append(nearest, v)
	}
	sort.Slice(nearest, func(i, j int) bool { return nearest[i].Compare(nearest[j]) < 0 })
	return nearest
}

func minorDistance(a, b Version) int {
	d := (a.at(0)-b.at(0))*100 + a.at(1) - b.at(1)
	if d < 0 {
		return -d
	}
	return d
}

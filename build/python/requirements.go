package python

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/detect/requirements"
	"github.com/onbuild-buildpacks/onbuild/internal/network"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// RequirementsFiles maps every requirements file reached from root (through
// -r and -c includes, recursively) to the sha256 of its bytes, and to its
// meaningful lines (comments, blank lines and continuations folded away),
// kept in the venv metadata so a rebuild can say what changed, not just that
// something did. Paths are relative to appDir, so the maps are a cache key
// that survives a moved app. The walk is detection's, so the files that
// decide whether git or hg is needed are the files that make the key.
func RequirementsFiles(appDir, root string) (map[string]string, map[string][]string, error) {
	files := map[string]string{}
	lines := map[string][]string{}
	err := requirements.Walk(appDir, root, func(rel string, content []byte) error {
		files[rel] = digest(content)
		lines[rel] = meaningfulLines(content)
		return nil
	})
	var include requirements.IncludeError
	if errors.As(err, &include) {
		return nil, nil, includeProblem(include)
	}
	if err != nil {
		return nil, nil, err
	}
	return files, lines, nil
}

func includeProblem(e requirements.IncludeError) problem.Problem {
	switch e.Kind {
	case requirements.IncludeMissing:
		return problem.Problem{
			Title: "Missing requirements file",
			Cause: fmt.Sprintf("%s includes %s, but there is no such file in the app.", e.File, e.Resolved),
			Fixes: []string{
				fmt.Sprintf("Add %s to the app, or", e.Resolved),
				fmt.Sprintf("remove the include line from %s (paths are relative to the including file).", e.File),
			},
		}
	case requirements.IncludeLink:
		if e.File == e.Include {
			return problem.Problem{
				Title: "Requirements file outside the app",
				Cause: fmt.Sprintf("%s is a symbolic link that leads out of the app; onbuild only reads requirements inside the app, so nothing outside it (a binding, a host file) ends up in the image's metadata.", e.File),
				Fixes: []string{
					fmt.Sprintf("Replace the symbolic link %s with the file itself, or", e.File),
					"hand credentials to pip as a binding instead (see docs/security.md, Private Python indexes).",
				},
			}
		}
		return problem.Problem{
			Title: "Requirements include outside the app",
			Cause: fmt.Sprintf("%s includes %s through a symbolic link that leads out of the app; onbuild only reads requirements inside the app, so nothing outside it (a binding, a host file) ends up in the image's metadata.", e.File, e.Include),
			Fixes: []string{
				fmt.Sprintf("Replace the symbolic link on the way to %s with the file itself, or", e.Resolved),
				"hand credentials to pip as a binding instead (see docs/security.md, Private Python indexes).",
			},
		}
	case requirements.IncludeRemote:
		return problem.Problem{
			Title: "Requirements include outside the app",
			Cause: fmt.Sprintf("%s includes %s; onbuild only follows includes inside the app, so the build is reproducible.", e.File, e.Include),
			Fixes: []string{fmt.Sprintf("Copy the file into the app and include it with a relative path in %s.", e.File)},
		}
	default:
		return problem.Problem{
			Title: "Requirements include outside the app",
			Cause: fmt.Sprintf("%s includes %s, which is outside the app directory.", e.File, e.Include),
			Fixes: []string{fmt.Sprintf("Move the file into the app and fix the path in %s.", e.File)},
		}
	}
}

// changedFiles describes how two requirements maps differ, one line per file.
func changedFiles(before, after map[string]string) []string {
	var reasons []string
	for _, name := range sortedKeys(after) {
		old, ok := before[name]
		switch {
		case !ok:
			reasons = append(reasons, name+" added")
		case old != after[name]:
			reasons = append(reasons, name+" changed")
		}
	}
	for _, name := range sortedKeys(before) {
		if _, ok := after[name]; !ok {
			reasons = append(reasons, name+" removed")
		}
	}
	return reasons
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func digest(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

func fileDigest(path string) (string, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return digest(content), nil
}

func meaningfulLines(content []byte) []string {
	text := strings.ReplaceAll(string(content), "\\\n", " ")
	found := []string{}
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "#"); i == 0 || (i > 0 && (line[i-1] == ' ' || line[i-1] == '\t')) {
			line = line[:i]
		}
		// Redacted: the lines are kept in the venv metadata, which the
		// lifecycle copies into the image's labels, and logged on a change.
		if line = network.RedactText(strings.Join(strings.Fields(line), " ")); line != "" {
			found = append(found, line)
		}
	}
	return found
}

// lineChanges describes one file's change as "+added, -removed".
func lineChanges(before, after []string) string {
	was := map[string]bool{}
	for _, line := range before {
		was[line] = true
	}
	now := map[string]bool{}
	for _, line := range after {
		now[line] = true
	}
	var changes []string
	for _, line := range after {
		if !was[line] {
			changes = append(changes, "+"+line)
		}
	}
	for _, line := range before {
		if !now[line] {
			changes = append(changes, "-"+line)
		}
	}
	if len(changes) == 0 {
		return "comments or spacing only"
	}
	return strings.Join(changes, ", ")
}

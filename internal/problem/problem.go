// Package problem is how onbuild tells an app developer what to fix: every
// error a user can act on is a Problem, rendered Heroku-style (title, cause,
// the file involved, numbered fixes). It is a leaf: the container-start
// helpers import it without pulling in a language.
package problem

import (
	"fmt"
	"strings"
)

// Problem is an error the app developer can fix.
type Problem struct {
	Title string
	// File is the app file the problem is in, when there is one.
	File  string
	Cause string
	Fixes []string
}

func (p Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[Error: %s]\n", p.Title)
	if p.File != "" {
		fmt.Fprintf(&b, "In %s:\n", p.File)
	}
	fmt.Fprintf(&b, "%s\n", strings.TrimRight(p.Cause, "\n"))
	if len(p.Fixes) == 1 {
		fmt.Fprintf(&b, "Fix it: %s\n", p.Fixes[0])
	} else if len(p.Fixes) > 1 {
		b.WriteString("Fix it in one of these ways:\n")
		for i, fix := range p.Fixes {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, fix)
		}
	}
	return b.String()
}

// LastLines returns the last n lines of a command's output: enough to see
// why it failed without burying the fix under pages of log.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

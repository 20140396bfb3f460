// Package build holds the layer contributors of onbuild's buildpacks: the
// Python virtualenv and pip cache, and the start command they lead to. Each
// contributor's metadata struct is its cache key.
package build

import (
	"fmt"
	"strings"
)

// Problem is an error the app developer can fix. It renders Heroku-style:
// a title, the cause, and numbered fixes, so a failed build says what to do.
type Problem struct {
	Title string
	Cause string
	Fixes []string
}

func (p Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[Error: %s]\n%s\n", p.Title, strings.TrimRight(p.Cause, "\n"))
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

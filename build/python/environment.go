package python

import (
	"fmt"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// venvBreakers are variables that redirect pip or the interpreter away from
// the virtualenv: set at build time they install packages where the image
// never looks, which only shows as an ImportError at run time.
var venvBreakers = []string{"PIP_TARGET", "PIP_USER", "PIP_PREFIX", "PIP_ROOT", "PYTHONHOME", "PYTHONUSERBASE", "VIRTUAL_ENV"}

// CheckEnvironment fails the build naming every variable that would break
// the venv install.
func CheckEnvironment(environ []string) error {
	var offenders []string
	for _, name := range venvBreakers {
		if value := envvar.Value(environ, name); value != "" {
			offenders = append(offenders, fmt.Sprintf("%s=%s", name, value))
		}
	}
	if len(offenders) == 0 {
		return nil
	}
	return problem.Problem{
		Title: "Environment breaks the virtualenv",
		Cause: fmt.Sprintf("These variables make pip or Python install or look outside the app's virtualenv:\n  %s",
			strings.Join(offenders, "\n  ")),
		Fixes: []string{
			"Remove them from `pack build --env` (and from project.toml's [[io.buildpacks.build.env]]).",
			"For a private index, use PIP_INDEX_URL or PIP_EXTRA_INDEX_URL instead.",
		},
	}
}

package python

import (
	"fmt"
	"regexp"

	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// pip's reports of a VCS requirement it could not fetch, and of a missing
// tool.
var (
	vcsCloneFailed = regexp.MustCompile(`(git|hg) clone (?:-\S+ )*(\S+) \S+ did not run successfully`)
	vcsToolMissing = regexp.MustCompile(`Cannot find command '(git|hg)'`)
)

// VCSProblem recognises, in pip's output, a VCS requirement it could not
// clone (naming the URL) or a git/hg it could not find.
func VCSProblem(output string) (problem.Problem, bool) {
	if match := vcsCloneFailed.FindStringSubmatch(output); match != nil {
		return problem.Problem{
			Title: "VCS requirement unreachable",
			Cause: fmt.Sprintf("pip could not clone %s with %s:\n\n%s", match[2], match[1], output),
			Fixes: []string{
				"Check the URL and the tag or branch after @ in your requirements.",
				"Make sure the build reaches the server: it runs in a container, where localhost is the container unless pack build has --network host.",
				fmt.Sprintf("For a private repository, bind its credentials: a binding of type %s with a file %s holding https://user:token@host.", credentials.GitCredentialsBinding, credentials.GitCredentialsFile),
			},
		}, true
	}
	if match := vcsToolMissing.FindStringSubmatch(output); match != nil {
		return problem.Problem{
			Title: match[1] + " is not available",
			Cause: fmt.Sprintf("pip needs %s for a requirement, but onbuild provides it only when requirements.txt (or a file it includes), setup.py, setup.cfg or pyproject.toml names a %s+ URL.\n\n%s",
				match[1], match[1], output),
			Fixes: []string{
				fmt.Sprintf("If the URL comes from a dependency's own requirements, add it to requirements.txt too (name @ %s+https://...).", match[1]),
				"Check that the builder has the onbuild/vcs buildpack.",
			},
		}, true
	}
	return problem.Problem{}, false
}

package debpkg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/detect"
	"github.com/onbuild-buildpacks/onbuild/internal/debian"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

func noMirror() problem.Problem {
	return problem.Problem{
		Title: "No Debian mirror configured",
		Cause: fmt.Sprintf("onbuild/debian-packages installs from a Debian mirror, and %s is empty.", MirrorSetting),
		Fixes: []string{fmt.Sprintf("Set the mirror: pack build --env %s=http://<mirror>/debian (the URL in your apt sources).", MirrorSetting)},
	}
}

func unknownStack(id string) problem.Problem {
	return problem.Problem{
		Title: "Debian packages on an unknown stack",
		Cause: fmt.Sprintf("onbuild/debian-packages installs packages of the stack's own Debian release, and knows no release for the stack %q.", id),
		Fixes: []string{"Build on an onbuild builder (trixie or bookworm), or remove the Aptfile and " + PackagesSetting + "."},
	}
}

// archiveProblem explains a mirror that failed or a file that failed its
// check. Nothing was installed: the layers are written only after every
// check passed.
func archiveProblem(err error, s Settings) error {
	var archiveErr debian.ArchiveError
	if !errors.As(err, &archiveErr) {
		return err
	}
	fixes := []string{
		fmt.Sprintf("Check that the build reaches the mirror (%s, %s): the build runs in a container, where localhost is the container.", MirrorSetting, SecurityMirrorSetting),
	}
	title := "Debian mirror failed"
	if strings.Contains(archiveErr.Reason, "signature") || strings.Contains(archiveErr.Reason, "sha256") || strings.Contains(archiveErr.Reason, "expired") {
		title = "Debian archive failed verification"
		fixes = []string{
			fmt.Sprintf("Point %s (and %s) at a mirror that serves Debian's own archive unaltered.", MirrorSetting, SecurityMirrorSetting),
			"If the mirror is syncing, build again in a few minutes.",
		}
	}
	return problem.Problem{
		Title: title,
		Cause: fmt.Sprintf("onbuild/debian-packages installed nothing: %s", archiveErr.Error()),
		Fixes: fixes,
	}
}

// resolveProblem turns a resolution error into a Problem naming the
// request (the Aptfile line) it came from.
func resolveProblem(err error, requests []Request) error {
	origin := func(name string) (Request, bool) {
		for _, r := range requests {
			if r.Name == name {
				return r, true
			}
		}
		return Request{Name: name}, false
	}
	var notFound debian.NotFoundError
	var conflict debian.StackConflictError
	var unsat debian.UnsatisfiableError
	switch {
	case errors.As(err, &notFound):
		r, _ := origin(notFound.Name)
		p := problem.Problem{
			Title: "Unknown Debian package",
			File:  fileOf(r),
			Cause: fmt.Sprintf("%s asks for %s, which the stack's Debian suites do not have.", r.Origin, r.Name),
		}
		if len(notFound.Nearest) > 0 {
			p.Cause += "\nThe nearest names: " + strings.Join(notFound.Nearest, ", ") + "."
			p.Fixes = append(p.Fixes, fmt.Sprintf("Use one of the nearest names, e.g. %s.", notFound.Nearest[0]))
		}
		p.Fixes = append(p.Fixes, "Find the name on a machine of the stack's release: apt-cache search WORD, or apt-file search FILE.")
		return p
	case errors.As(err, &conflict):
		r, asked := origin(conflict.Package)
		cause := fmt.Sprintf("%s (version %s) is part of the stack's images; onbuild never installs a second copy over the stack's own packages, since the app would then run with libraries that no stack update or rebase reaches.", conflict.Package, conflict.Installed)
		fixes := []string{fmt.Sprintf("Remove %s from %s: the stack already has it.", conflict.Package, originText(r, asked))}
		if conflict.By != "" {
			r, asked = origin(conflict.By)
			cause = fmt.Sprintf("%s needs %s, but the stack has %s %s; installing it would replace the stack's own package.", conflict.By, conflict.Needed, conflict.Package, conflict.Installed)
			fixes = []string{
				fmt.Sprintf("Remove the package that needs it from %s, or use a builder on a newer stack.", originText(r, asked)),
			}
		}
		return problem.Problem{Title: "Debian package would replace a stack package", File: fileOf(r), Cause: cause, Fixes: fixes}
	case errors.As(err, &unsat):
		return problem.Problem{
			Title: "Debian package cannot be installed",
			Cause: unsat.Error() + ".",
			Fixes: []string{"Choose another package: this one needs something the stack's release does not ship."},
		}
	}
	return err
}

func fileOf(r Request) string {
	if strings.HasPrefix(r.Origin, detect.Aptfile) {
		return detect.Aptfile
	}
	return ""
}

func originText(r Request, asked bool) string {
	if !asked || r.Origin == "" {
		return "the Aptfile or " + PackagesSetting
	}
	return r.Origin
}

package golang

import (
	"fmt"
	"go/version"
	"sort"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2"
)

// goDependency is the id of the toolchains in buildpack.toml.
const goDependency = "go"

// RequestKind says how a requested version may be met.
type RequestKind int

const (
	// Newest: nothing asks (no go line); the newest known toolchain.
	Newest RequestKind = iota
	// AtLeast: a go line. Since Go 1.21 it is the minimum the module
	// needs, and `go mod init` writes it with a patch (go 1.25.0): any
	// toolchain at or above it will do.
	AtLeast
	// Release: BP_GO_VERSION=1.25, the newest known patch of 1.25.
	Release
	// Exactly: a toolchain line or BP_GO_VERSION=1.25.3; that one only.
	Exactly
)

// Request is the Go version an app asks for and who asks, for messages.
type Request struct {
	Kind RequestKind
	// Version is as written, without "go": "1.25.0", "1.25", "1.25rc1";
	// "" for Newest.
	Version string
	// Source names who asks: "BP_GO_VERSION", "go.mod's toolchain line",
	// "go.mod's go line".
	Source string
	// GoLine is the go line of File, which every pick must still reach
	// ("" without one). File is go.mod or go.work.
	GoLine, File string
	// Ignored explains a toolchain line the go command would ignore.
	Ignored string
}

// Requested applies the go command's rules: BP_GO_VERSION first, then the
// toolchain line (an exact toolchain) unless it is older than the go line,
// which the go command ignores then, then the go line (a minimum).
func Requested(project Project, override string) (Request, error) {
	request := Request{GoLine: project.Go, File: project.File}
	if override = strings.TrimPrefix(strings.TrimSpace(override), "go"); override != "" {
		if !validGo(override) {
			return request, badOverrideProblem(override)
		}
		request.Kind, request.Version, request.Source = Exactly, override, VersionSetting
		if isRelease(override) {
			request.Kind = Release
		}
		return request, nil
	}
	if project.Toolchain != "" {
		if project.Go == "" || compareGo(project.Toolchain, project.Go) >= 0 {
			request.Kind, request.Version, request.Source = Exactly, project.Toolchain, project.File+"'s toolchain line"
			return request, nil
		}
		request.Ignored = fmt.Sprintf("%s's toolchain line (go%s) is older than its go line (go %s): the go command ignores it, and so does onbuild/go",
			project.File, project.Toolchain, project.Go)
	}
	if project.Go != "" {
		request.Kind, request.Version, request.Source = AtLeast, project.Go, project.File+"'s go line"
		return request, nil
	}
	request.Source = project.File + ", which has no go line,"
	return request, nil
}

// Versions lists the toolchain versions of buildpack.toml, oldest first.
func Versions(dependencies []libpak.BuildModuleDependency) []string {
	var versions []string
	for _, dependency := range dependencies {
		if dependency.ID == goDependency && validGo(dependency.Version) {
			versions = append(versions, dependency.Version)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return compareGo(versions[i], versions[j]) < 0 })
	return versions
}

// Resolve picks the known version that meets the request; only when none
// does is it an error, and the error names those that would.
func Resolve(request Request, known []string) (string, error) {
	if len(known) == 0 {
		return "", fmt.Errorf("buildpack.toml lists no %q dependency", goDependency)
	}
	var picked string
	switch request.Kind {
	case Newest:
		picked = known[len(known)-1]
	case Exactly:
		for _, v := range known {
			if v == request.Version {
				picked = v
			}
		}
	case Release:
		picked = newestOfRelease(request.Version, known)
	case AtLeast:
		picked = lowestReleaseAtLeast(request.Version, known)
	}
	if picked == "" {
		return "", unavailableProblem(request, known)
	}
	if request.GoLine != "" && compareGo(picked, request.GoLine) < 0 {
		return "", tooOldProblem(request, picked, known)
	}
	return picked, nil
}

// Explain says why the build uses the version it picked, for the log.
func Explain(request Request, picked string) string {
	switch {
	case request.Kind == Newest:
		return fmt.Sprintf("Go %s: %s the newest Go onbuild/go knows", picked, request.Source)
	case request.Kind == Exactly:
		return fmt.Sprintf("Go %s: %s asks for it", picked, request.Source)
	case request.Kind == Release:
		return fmt.Sprintf("Go %s: %s asks for %s, the newest patch onbuild/go knows", picked, request.Source, request.Version)
	case goLang(picked) == goLang(request.Version):
		return fmt.Sprintf("Go %s: %s asks for %s or newer, the newest %s patch onbuild/go knows", picked, request.Source, request.Version, goLang(picked))
	}
	return fmt.Sprintf("Go %s: %s asks for %s or newer; onbuild/go knows no %s patch that is, so it takes the newest patch of the next release it knows",
		picked, request.Source, request.Version, goLang(request.Version))
}

// newestOfRelease is the newest known patch of release (1.25), or "".
func newestOfRelease(release string, known []string) string {
	newest := ""
	for _, v := range known {
		if goLang(v) == goLang(release) {
			newest = v
		}
	}
	return newest
}

// lowestReleaseAtLeast meets a go line the way the go command would
// rather than the way a newest-wins rule would: the newest patch of the
// go line's own release when one is high enough (patches fix bugs, and
// the module was written against that release), else the newest patch of
// the next release onbuild/go knows.
func lowestReleaseAtLeast(minimum string, known []string) string {
	for _, v := range known {
		if compareGo(v, minimum) >= 0 {
			return newestOfRelease(v, known)
		}
	}
	return ""
}

// atLeast lists the known versions at or above minimum.
func atLeast(minimum string, known []string) []string {
	var versions []string
	for _, v := range known {
		if minimum == "" || compareGo(v, minimum) >= 0 {
			versions = append(versions, v)
		}
	}
	return versions
}

func unavailableProblem(request Request, known []string) problem.Problem {
	would := atLeast(request.GoLine, known)
	cause := fmt.Sprintf("%s asks for Go %s, and onbuild/go can install only these versions:\n  %s\n",
		request.Source, describe(request), strings.Join(known, ", "))
	var fixes []string
	switch {
	case len(would) == 0:
		cause += fmt.Sprintf("None is at or above the go line of %s (go %s).", request.File, request.GoLine)
		fixes = append(fixes,
			fmt.Sprintf("Lower the go line of %s to a version onbuild/go knows, if the code builds with it: go mod edit -go=%s", request.File, known[len(known)-1]),
			"Use a newer onbuild/go, which pins newer Go toolchains.")
	case request.Kind == Exactly && request.Source != VersionSetting:
		cause += fmt.Sprintf("A toolchain line names one exact toolchain. These would meet the go line (go %s): %s.", request.GoLine, strings.Join(would, ", "))
		fixes = append(fixes,
			fmt.Sprintf("Remove the toolchain line: onbuild/go then builds with %s, the Go it picks for go %s.", lowestReleaseAtLeast(request.GoLine, known), request.GoLine),
			fmt.Sprintf("Name a toolchain onbuild/go has: toolchain go%s", nearest(request.Version, would)))
	default:
		if request.GoLine != "" {
			cause += fmt.Sprintf("These would meet the go line of %s (go %s): %s.", request.File, request.GoLine, strings.Join(would, ", "))
		}
		if same := newestOfRelease(request.Version, would); same != "" {
			fixes = append(fixes, fmt.Sprintf("Build with the newest known patch of the same release: pack build --env %s=%s", VersionSetting, same))
		}
		fixes = append(fixes, fmt.Sprintf("Set %s to one of them: pack build --env %s=%s", VersionSetting, VersionSetting, would[len(would)-1]))
	}
	return problem.Problem{Title: "Go version not available", File: fileOf(request), Cause: cause, Fixes: fixes}
}

// nearest suggests, for an exact version onbuild/go lacks, the newest
// patch of its release, else the newest version that would do.
func nearest(v string, would []string) string {
	if same := newestOfRelease(v, would); same != "" {
		return same
	}
	return would[len(would)-1]
}

func tooOldProblem(request Request, picked string, known []string) problem.Problem {
	would := atLeast(request.GoLine, known)
	fixes := []string{fmt.Sprintf("Lower the go line of %s, if the code builds with Go %s: go mod edit -go=%s", request.File, picked, picked)}
	if len(would) > 0 {
		fixes = append([]string{fmt.Sprintf("Ask for one of these instead (%s), or drop %s to build with what %s asks for.",
			strings.Join(would, ", "), request.Source, request.File)}, fixes...)
	}
	return problem.Problem{
		Title: "Go version too old for " + request.File,
		File:  fileOf(request),
		Cause: fmt.Sprintf("%s asks for Go %s, but the go line of %s requires Go %s or newer.", request.Source, describe(request), request.File, request.GoLine),
		Fixes: fixes,
	}
}

func badOverrideProblem(value string) problem.Problem {
	return problem.Problem{
		Title: "Bad " + VersionSetting,
		Cause: fmt.Sprintf("%s=%q is not a Go version.", VersionSetting, value),
		Fixes: []string{fmt.Sprintf("Set %s to a release (1.25) or an exact version (1.25.3, 1.26rc1).", VersionSetting)},
	}
}

// describe writes the request as the go command would read it.
func describe(request Request) string {
	switch request.Kind {
	case AtLeast:
		return request.Version + " or newer"
	case Release:
		return request.Version + " (any patch)"
	}
	return request.Version
}

func fileOf(request Request) string {
	if request.Source == VersionSetting {
		return ""
	}
	return request.File
}

// The go command's version order (1.21 < 1.21rc1 < 1.21.0 < 1.21.3), from
// go/version; its versions carry a "go" prefix, onbuild's do not.
func compareGo(a, b string) int { return version.Compare("go"+a, "go"+b) }
func validGo(v string) bool     { return version.IsValid("go" + v) }
func goLang(v string) string    { return strings.TrimPrefix(version.Lang("go"+v), "go") }

// isRelease reports a bare release such as 1.25: no patch, no pre-release.
func isRelease(v string) bool { return validGo(v) && goLang(v) == v }

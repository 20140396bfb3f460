package golang

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/internal/target"
	"github.com/paketo-buildpacks/libpak/v2"
)

// ResolveFor picks the toolchain for a build on arch: buildpack.toml pins
// each toolchain per architecture (the purl's arch), and only those pinned
// for arch are candidates. When none of them meets the request but a
// toolchain of another architecture would, the problem names both, so a
// version pinned for amd64 alone does not read as unknown.
func ResolveFor(request Request, dependencies []libpak.BuildModuleDependency, arch string) (libpak.BuildModuleDependency, error) {
	pinned, err := target.Dependencies(dependencies, arch)
	if err != nil {
		return libpak.BuildModuleDependency{}, err
	}
	known := Versions(pinned)
	if len(known) == 0 {
		return libpak.BuildModuleDependency{}, noToolchainsProblem(arch, target.Arches(dependencies, goDependency, ""))
	}
	resolved, err := Resolve(request, known)
	if err != nil {
		var missing problem.Problem
		if errors.As(err, &missing) {
			if p, ok := otherArchProblem(request, dependencies, arch, known); ok {
				return libpak.BuildModuleDependency{}, p
			}
		}
		return libpak.BuildModuleDependency{}, err
	}
	for _, dependency := range pinned {
		if dependency.ID == goDependency && dependency.Version == resolved {
			return dependency, nil
		}
	}
	return libpak.BuildModuleDependency{}, fmt.Errorf("buildpack.toml lists Go %s for %s but no dependency carries it", resolved, arch)
}

// otherArchProblem explains a request that a toolchain of another
// architecture would meet.
func otherArchProblem(request Request, dependencies []libpak.BuildModuleDependency, arch string, known []string) (problem.Problem, bool) {
	for _, other := range target.Arches(dependencies, goDependency, "") {
		if other == arch {
			continue
		}
		pinned, err := target.Dependencies(dependencies, other)
		if err != nil {
			continue
		}
		version, err := Resolve(request, Versions(pinned))
		if err != nil {
			continue
		}
		cause := fmt.Sprintf("%s asks for Go %s. onbuild/go pins Go %s for %s only, not for %s, the architecture of this build.\nFor %s it has: %s.",
			request.Source, describe(request), version, strings.Join(target.Arches(dependencies, goDependency, version), ", "), arch,
			arch, strings.Join(known, ", "))
		would := atLeast(request.GoLine, known)
		if len(would) == 0 {
			would = known
		}
		fixes := []string{fmt.Sprintf("Ask for a version pinned for %s: pack build --env %s=%s", arch, VersionSetting, would[len(would)-1])}
		fixes = append(fixes, fmt.Sprintf("Build for %s instead: pack build --platform linux/%s", other, other))
		return problem.Problem{Title: "Go version not pinned for " + arch, File: fileOf(request), Cause: cause, Fixes: fixes}, true
	}
	return problem.Problem{}, false
}

func noToolchainsProblem(arch string, arches []string) problem.Problem {
	cause := fmt.Sprintf("onbuild/go pins no Go toolchain for %s, the architecture of this build.", arch)
	fixes := []string{"Use an onbuild/go whose buildpack.toml pins toolchains for " + arch + "."}
	if len(arches) > 0 {
		cause += fmt.Sprintf(" It has toolchains for: %s.", strings.Join(arches, ", "))
		fixes = append(fixes, fmt.Sprintf("Build for one of those: pack build --platform linux/%s", arches[0]))
	}
	return problem.Problem{Title: "No Go toolchain for " + arch, Cause: cause, Fixes: fixes}
}

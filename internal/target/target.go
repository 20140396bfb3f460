// Package target says which architecture a build is for and keeps the
// buildpack.toml dependencies pinned for it, so one buildpack serves
// linux/amd64 and linux/arm64 builds.
package target

import (
	"fmt"
	"os"
	"runtime"
	"sort"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
)

// All is the arch of a Debian package that runs everywhere (data,
// scripts): it serves a build of any architecture.
const All = "all"

// Arch is the architecture the build is for: the lifecycle's
// CNB_TARGET_ARCH (from the run image), else BP_ARCH, which libpak's
// DependencyResolver honours, else the one this buildpack was compiled
// for, which is the build image's.
func Arch(info libcnb.TargetInfo) string {
	if info.Arch != "" {
		return info.Arch
	}
	if arch := os.Getenv("BP_ARCH"); arch != "" {
		return arch
	}
	return runtime.GOARCH
}

// Dependencies keeps those of deps pinned for arch. A dependency's
// architecture is read as libpak's DependencyResolver reads it (the arch
// field, else the purl's arch qualifier, else the system's); a Debian
// package of arch "all" serves every architecture.
func Dependencies(deps []libpak.BuildModuleDependency, arch string) ([]libpak.BuildModuleDependency, error) {
	var kept []libpak.BuildModuleDependency
	for _, dep := range deps {
		depArch, err := dep.GetArch()
		if err != nil {
			return nil, fmt.Errorf("unable to read the architecture of %s %s\n%w", dep.ID, dep.Version, err)
		}
		if depArch == arch || depArch == All {
			kept = append(kept, dep)
		}
	}
	return kept, nil
}

// Arches lists, sorted, the architectures deps pins dependency id at
// version for ("" for any version); "all" is left out.
func Arches(deps []libpak.BuildModuleDependency, id, version string) []string {
	seen := map[string]bool{}
	for _, dep := range deps {
		if dep.ID != id || (version != "" && dep.Version != version) {
			continue
		}
		if arch, err := dep.GetArch(); err == nil && arch != All {
			seen[arch] = true
		}
	}
	arches := make([]string, 0, len(seen))
	for arch := range seen {
		arches = append(arches, arch)
	}
	sort.Strings(arches)
	return arches
}

// DebianMultiarch is the folder under /usr/lib where Debian puts arch's
// libraries (x86_64-linux-gnu for amd64).
func DebianMultiarch(arch string) string {
	switch arch {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	}
	return arch + "-linux-gnu"
}

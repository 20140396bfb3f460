package python

import (
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/build/python/pyversion"
)

// flavours are the stacks onbuild builds and the Python minor each one
// has, so that a mismatch names the builder that has what the app asks
// for.
var flavours = map[string]string{"trixie": "3.13", "bookworm": "3.11"}

// debianReleases maps Debian's version numbers, which the lifecycle reads
// from the build image's os-release, to the flavour names.
var debianReleases = map[string]string{"13": "trixie", "12": "bookworm"}

// checkPython stops the build before pip runs when the app asks for a
// Python the stack does not have; have is the stack's python3 version.
func (b Builder) checkPython(ctx libcnb.BuildContext, override, have string) error {
	stack := pyversion.Stack{Version: have, Flavour: flavour(ctx), Flavours: flavours}
	decl, found, err := pyversion.Read(ctx.ApplicationPath, override)
	if err != nil {
		return err
	}
	if !found {
		b.Logger.Header(pyversion.UndeclaredMessage(stack))
		return nil
	}
	result, err := pyversion.Check(decl, stack)
	if err != nil {
		return err
	}
	b.Logger.Header(result.Message)
	if result.Note != "" {
		b.Logger.Body(result.Note)
	}
	return nil
}

// flavour names the stack the build runs on: from the target distribution
// (buildpack API 0.10), else from the stack id io.onbuild.stacks.<flavour>.
func flavour(ctx libcnb.BuildContext) string {
	if name, ok := debianReleases[strings.SplitN(ctx.TargetDistro.Version, ".", 2)[0]]; ok && ctx.TargetDistro.Name == "debian" {
		return name
	}
	if name, ok := strings.CutPrefix(ctx.StackID, "io.onbuild.stacks."); ok {
		return name
	}
	return ""
}

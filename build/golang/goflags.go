package golang

import (
	"fmt"
	"strings"

	"github.com/mattn/go-shellwords"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// FlagsInput is what decides the go build flags.
type FlagsInput struct {
	// BuildFlags is BP_GO_BUILD_FLAGS, LDFlags BP_GO_BUILD_LDFLAGS.
	BuildFlags, LDFlags string
	// GOFLAGS is the build's GOFLAGS: a -mod or -buildvcs there is the
	// developer's choice, which onbuild/go must not override.
	GOFLAGS  string
	Vendored bool
}

// BuildFlags assembles the flags of every go build: -trimpath, so the
// binaries carry no build paths; -mod=vendor for a vendor/ folder;
// -buildvcs=false, since the build image has no git unless the app needs
// it; the developer's flags; and one -ldflags that starts with -s -w
// (no symbol table or DWARF: smaller binaries) and adds theirs, because go
// build keeps only the last -ldflags it is given.
func BuildFlags(in FlagsInput) ([]string, error) {
	words, err := shellwords.Parse(in.BuildFlags)
	if err != nil {
		return nil, flagsProblem(fmt.Sprintf("%s=%q does not split into words: %v.", BuildFlagsSetting, in.BuildFlags, err))
	}
	ldflags := []string{"-s", "-w"}
	if extra := strings.TrimSpace(in.LDFlags); extra != "" {
		ldflags = append(ldflags, extra)
	}
	var user []string
	hasMod, hasVCS := hasFlag(strings.Fields(in.GOFLAGS), "mod"), hasFlag(strings.Fields(in.GOFLAGS), "buildvcs")
	for i := 0; i < len(words); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(words[i], "-"), "=")
		if !strings.HasPrefix(words[i], "-") {
			return nil, flagsProblem(fmt.Sprintf("%s holds %q, which is not a flag: packages go in %s.", BuildFlagsSetting, words[i], TargetsSetting))
		}
		switch name {
		case "o":
			return nil, flagsProblem(fmt.Sprintf("%s sets -o, but onbuild/go names the binaries (one per target, in its launch layer).", BuildFlagsSetting))
		case "ldflags":
			if !hasValue {
				if i+1 >= len(words) {
					return nil, flagsProblem(fmt.Sprintf("%s ends with -ldflags and no value.", BuildFlagsSetting))
				}
				i++
				value = words[i]
			}
			ldflags = append(ldflags, value)
			continue
		case "mod":
			hasMod = true
		case "buildvcs":
			hasVCS = true
		}
		user = append(user, words[i])
		if !hasValue && !booleanFlags[name] && i+1 < len(words) {
			i++
			user = append(user, words[i])
		}
	}

	flags := []string{"-trimpath"}
	if in.Vendored && !hasMod {
		flags = append(flags, "-mod=vendor")
	}
	if !hasVCS {
		flags = append(flags, "-buildvcs=false")
	}
	flags = append(flags, user...)
	return append(flags, "-ldflags="+strings.Join(ldflags, " ")), nil
}

// booleanFlags are the go build flags that take no value: any other flag
// without "=" takes the next word.
var booleanFlags = map[string]bool{
	"a": true, "n": true, "v": true, "x": true, "race": true, "msan": true, "asan": true,
	"cover": true, "trimpath": true, "linkshared": true, "modcacherw": true, "work": true, "json": true,
}

func hasFlag(words []string, name string) bool {
	for _, word := range words {
		flag, _, _ := strings.Cut(strings.TrimLeft(word, "-"), "=")
		if strings.HasPrefix(word, "-") && flag == name {
			return true
		}
	}
	return false
}

func flagsProblem(cause string) problem.Problem {
	return problem.Problem{
		Title: "Bad " + BuildFlagsSetting,
		Cause: cause,
		Fixes: []string{fmt.Sprintf("Set %s to go build flags only, e.g. %s='-tags=netgo,osusergo -race'; linker flags go in %s.", BuildFlagsSetting, BuildFlagsSetting, LDFlagsSetting)},
	}
}

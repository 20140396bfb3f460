// Package settings is the one way onbuild reads what a user configures: the
// names a buildpack declares in its buildpack.toml
// [[metadata.configurations]], from the build's environment, falling back
// to the declared defaults. Reading a name the buildpack does not declare
// is a programming error, so an undocumented setting cannot creep in.
package settings

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// Reader reads one buildpack's declared settings.
type Reader struct {
	defaults map[string]string
	env      []string
}

// New reads the declarations from a buildpack's (or extension's) metadata;
// env is the environment to read values from (the build's, or a test's).
func New(metadata map[string]interface{}, env []string) (Reader, error) {
	module, err := libpak.NewBuildModuleMetadata(metadata)
	if err != nil {
		return Reader{}, fmt.Errorf("unable to read buildpack metadata\n%w", err)
	}
	r := Reader{defaults: map[string]string{}, env: env}
	for _, c := range module.Configurations {
		r.defaults[c.Name] = c.Default
	}
	return r, nil
}

// ForDetect is the Reader of a detect step: the process environment holds
// the builder's defaults, and `pack build --env` values arrive as platform
// files that win over them.
func ForDetect(metadata map[string]interface{}, platform map[string]string) (Reader, error) {
	env := os.Environ()
	for name, value := range platform {
		env = append(env, name+"="+value)
	}
	return New(metadata, env)
}

// String is the setting's value, trimmed, or its declared default.
func (r Reader) String(name string) string {
	def, ok := r.defaults[name]
	if !ok {
		panic(fmt.Sprintf("settings: %s is read but not declared in buildpack.toml [[metadata.configurations]]", name))
	}
	if value := strings.TrimSpace(envvar.Value(r.env, name)); value != "" {
		return value
	}
	return def
}

// Bool reads a true/false setting. Unlike libpak's resolver, which reads
// "yes" as false without a word, a value that is neither is a Problem.
func (r Reader) Bool(name string) (bool, error) {
	value := r.String(name)
	if value == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(value)
	if err != nil {
		return false, problem.Problem{
			Title: "Invalid " + name,
			Cause: fmt.Sprintf("%s=%q is neither true nor false.", name, value),
			Fixes: []string{fmt.Sprintf("Set %s=true or %s=false (pack build --env %s=true).", name, name, name)},
		}
	}
	return b, nil
}

// Env is the environment the Reader reads from, for the steps that pass
// it on (pip, go, hooks).
func (r Reader) Env() []string {
	return r.env
}

package hooks

import (
	"fmt"
	"regexp"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
)

// UserVarsDir is where whiskey apps kept variables, one NAME file each;
// onbuild reads it like a hook's export directory.
const UserVarsDir = ".whiskey/user_vars"

// Environ returns env with vars set over it, in a stable order.
func Environ(env []string, vars map[string]string) []string {
	out := append([]string{}, env...)
	for _, name := range invoke.Names(vars) {
		out = append(out, name+"="+vars[name])
	}
	return out
}

// ExportLayer makes vars the environment of later buildpacks and of the
// running app: a build and launch layer whose env files override. It is
// rebuilt on every build, never cached or reused, because the hooks that
// fill it run every build; its metadata lists the names only.
func ExportLayer(layers libcnb.Layers, vars map[string]string) (libcnb.Layer, error) {
	layer, err := layers.Layer(ExportLayerSpec.Name)
	if err != nil {
		return layer, fmt.Errorf("unable to create hook-env layer\n%w", err)
	}
	if layer, err = layer.Reset(); err != nil {
		return layer, fmt.Errorf("unable to reset hook-env layer\n%w", err)
	}
	layer.LayerTypes = ExportLayerSpec.Types
	for name, value := range vars {
		layer.SharedEnvironment.Override(name, value)
	}
	layer.Metadata = map[string]interface{}{"variables": invoke.Names(vars)}
	return layer, nil
}

// BuildExportLayer makes vars the environment of later buildpacks only: a
// build layer, neither launched nor cached, so the values (a short-lived
// token) never reach the image or the cache; its metadata lists the names.
func BuildExportLayer(layers libcnb.Layers, vars map[string]string) (libcnb.Layer, error) {
	layer, err := layers.Layer(BuildExportLayerSpec.Name)
	if err != nil {
		return layer, fmt.Errorf("unable to create hook-build-env layer\n%w", err)
	}
	if layer, err = layer.Reset(); err != nil {
		return layer, fmt.Errorf("unable to reset hook-build-env layer\n%w", err)
	}
	layer.LayerTypes = BuildExportLayerSpec.Types
	for name, value := range vars {
		layer.BuildEnvironment.Override(name, value)
	}
	layer.Metadata = map[string]interface{}{"variables": invoke.Names(vars)}
	return layer, nil
}

// credentialName matches the names people give secrets.
var credentialName = regexp.MustCompile(`(?i)TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|CREDENTIAL|KEY|AUTH`)

// credentialURL matches a URL with user info (https://user:pw@host).
var credentialURL = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s]+@`)

// LooksLikeCredential says why an exported variable looks like a secret:
// its name, or a URL with user info in its value. The value is never
// repeated.
func LooksLikeCredential(name, value string) (string, bool) {
	if credentialName.MatchString(name) {
		return "looks like a credential (its name)", true
	}
	if credentialURL.MatchString(value) {
		return "holds a URL with a user name or password", true
	}
	return "", false
}

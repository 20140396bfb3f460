package vcs

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
	"github.com/onbuild-buildpacks/onbuild/internal/envvar"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// credentialsLayer returns a build-only layer that points git (and so pip's
// and go's clones), pip and go at the credential bindings, or nil without
// any. The git helpers go in as git's system configuration: a platform's
// `pack build --env` wins over a buildpack's environment, so the variables
// a user may set for git (GIT_CONFIG_COUNT, ...) must stay theirs. The
// layer is not cached: a later build without the binding must not point at
// it.
func (b Builder) credentialsLayer(ctx libcnb.BuildContext) (*libcnb.Layer, error) {
	creds, err := credentials.Read(ctx.Platform.Bindings)
	if err != nil || len(creds.Used) == 0 {
		return nil, err
	}
	layer, err := ctx.Layers.Layer(CredentialsLayer.Name)
	if err != nil {
		return nil, fmt.Errorf("unable to create credentials layer\n%w", err)
	}
	layer.LayerTypes = CredentialsLayer.Types
	if creds.GitConfig != "" {
		if value := envvar.Value(b.Environ, "GIT_CONFIG_SYSTEM"); value != "" {
			return nil, problem.Problem{
				Title: "GIT_CONFIG_SYSTEM is taken",
				Cause: fmt.Sprintf("The build sets GIT_CONFIG_SYSTEM=%s, and onbuild/vcs needs it to hand git the %s binding.", value, credentials.GitCredentialsBinding),
				Fixes: []string{
					"Set your git settings with GIT_CONFIG_COUNT, GIT_CONFIG_KEY_<n> and GIT_CONFIG_VALUE_<n> instead.",
					fmt.Sprintf("Or drop the %s binding and configure a credential helper in that file.", credentials.GitCredentialsBinding),
				},
			}
		}
		if err := os.MkdirAll(layer.Path, 0755); err != nil {
			return nil, fmt.Errorf("unable to create %s\n%w", layer.Path, err)
		}
		file := filepath.Join(layer.Path, "gitconfig")
		if err := os.WriteFile(file, []byte(creds.GitConfig), 0644); err != nil {
			return nil, fmt.Errorf("unable to write %s\n%w", file, err)
		}
		layer.BuildEnvironment.Override("GIT_CONFIG_SYSTEM", file)
	}
	if creds.Netrc != "" {
		layer.BuildEnvironment.Override("NETRC", creds.Netrc)
	}
	b.Logger.Header("Credentials")
	for _, line := range creds.Used {
		b.Logger.Bodyf("%s", line)
	}
	return &layer, nil
}

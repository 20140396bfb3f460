package hooks

import (
	"github.com/buildpacks/libcnb/v2"

	"github.com/onbuild-buildpacks/onbuild/internal/appdir"
	"github.com/onbuild-buildpacks/onbuild/internal/settings"
)

// appDir is the folder hooks are found in and run from: the app's, which
// BP_APP_DIR names in a monorepo.
func (b HookBuild) appDir(ctx libcnb.BuildContext) (string, error) {
	reader, err := settings.New(ctx.Buildpack.Metadata, b.Environ)
	if err != nil {
		return "", err
	}
	app, err := appdir.Resolve(ctx.ApplicationPath, reader.String(appdir.Setting))
	return app.Dir, err
}

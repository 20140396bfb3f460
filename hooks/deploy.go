package hooks

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	layerspec "github.com/onbuild-buildpacks/onbuild/internal/layer"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"github.com/heroku/color"
	"github.com/onbuild-buildpacks/onbuild/hooks/deploy"
	"github.com/onbuild-buildpacks/onbuild/hooks/invoke"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// DeployLayer contributes the launch layer that runs the deploy hook.
type DeployLayer struct {
	AppDir string
	// Helper is the buildpack's exec.d program, copied into the layer.
	Helper string
	// Timeout is BP_DEPLOY_HOOK_TIMEOUT, checked, as the user wrote it.
	Timeout string
	Logger  log.Logger
}

// Contribute writes the layer anew on every build: it is small, and the
// hook it points at lives in the app, which changes every build.
func (d DeployLayer) Contribute(layers libcnb.Layers, hook Hook) (libcnb.Layer, error) {
	d.Logger.Headerf("Deploy hook %s: runs at every container start, before the app", hook.Name)
	if hook.Note != "" {
		d.Logger.Bodyf("Note: %s", hook.Note)
	}
	script, err := invoke.Inspect(hook)
	if err != nil {
		return libcnb.Layer{}, err
	}
	if !script.Executable {
		d.Logger.Bodyf("%s", color.YellowString("Warning: %s is not executable; at start it runs with %s. Fix: git update-index --chmod=+x %s",
			hook.Name, script.Interpreter, hook.Name))
	}
	if filepath.Base(script.Interpreter) == "env" {
		d.Logger.Bodyf("%s", color.YellowString("Warning: %s starts with %s, but the python run image has no coreutils, so no /usr/bin/env. Fix: start it with #!/bin/sh or #!/usr/bin/python3",
			hook.Name, script.Shebang))
	}
	if !script.Binary {
		d.Logger.Bodyf("It is a script for %s, which the run image must have: the python run image has sh and python3;", script.Interpreter)
		d.Logger.Bodyf("the tiny run image (Go apps) has no shell and no interpreter, so there the deploy hook must be a static binary.")
	}

	layer, err := layers.Layer(DeployLayerSpec.Name)
	if err != nil {
		return layer, fmt.Errorf("unable to create deploy-hook layer\n%w", err)
	}
	if layer, err = layer.Reset(); err != nil {
		return layer, fmt.Errorf("unable to reset deploy-hook layer\n%w", err)
	}
	layer.LayerTypes = DeployLayerSpec.Types

	config := deploy.Config{Name: hook.Name, Path: hook.Path, AppDir: d.AppDir, Timeout: d.Timeout}
	if rel, err := filepath.Rel(d.AppDir, hook.Path); err != nil || strings.HasPrefix(rel, "..") {
		// A hook from outside the app (BP_ACTION_HOOKS_DIR=/abs) is not in
		// the image: carry it in the layer.
		config.Path = filepath.Join(layer.Path, "hook", Deploy)
		info, err := os.Stat(hook.Path)
		if err != nil {
			return layer, fmt.Errorf("unable to read %s\n%w", hook.Path, err)
		}
		// Its mode comes along: a hook that is not executable runs through
		// its interpreter, at start as at build time.
		if err := layerspec.CopyFile(hook.Path, config.Path, info.Mode().Perm()); err != nil {
			return layer, err
		}
	}
	var encoded bytes.Buffer
	if err := toml.NewEncoder(&encoded).Encode(config); err != nil {
		return layer, fmt.Errorf("unable to encode %s\n%w", deploy.ConfigName, err)
	}
	if err := os.WriteFile(filepath.Join(layer.Path, deploy.ConfigName), encoded.Bytes(), 0644); err != nil {
		return layer, fmt.Errorf("unable to write %s\n%w", deploy.ConfigName, err)
	}
	if err := layerspec.CopyFile(d.Helper, layer.Exec.FilePath(deploy.HelperName), 0755); err != nil {
		return layer, err
	}
	layer.Metadata = map[string]interface{}{"hook": hook.Name}
	return layer, nil
}

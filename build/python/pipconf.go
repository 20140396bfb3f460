package python

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/paketo-buildpacks/libpak/v2/bindings"
)

// A pip binding hands pip a whole configuration file (index-url with its
// credentials, extra-index-url, trusted-host, cert...), as Paketo's pip
// buildpack takes it: type pip, a file named pip.conf. pip reads it where
// the platform mounted it, through PIP_CONFIG_FILE, during the build only.
const (
	PipBinding  = "pip"
	PipConfFile = "pip.conf"
)

// pipBindingKey names the pip binding's digest in the venv key.
const pipBindingKey = "pip binding"

// PipConf is the pip binding of a build; Path is empty without one.
type PipConf struct {
	Name string
	Path string
}

// ReadPipConf finds the pip binding: at most one, with its pip.conf.
func ReadPipConf(binds libcnb.Bindings) (PipConf, error) {
	found := bindings.Resolve(binds, bindings.OfType(PipBinding))
	if len(found) == 0 {
		return PipConf{}, nil
	}
	if len(found) > 1 {
		var names []string
		for _, binding := range found {
			names = append(names, binding.Name)
		}
		sort.Strings(names)
		return PipConf{}, problem.Problem{
			Title: "Several pip bindings",
			Cause: fmt.Sprintf("pip reads one configuration file, and the build has %d bindings of type %s: %s.", len(found), PipBinding, strings.Join(names, ", ")),
			Fixes: []string{"Merge them into one pip.conf: extra-index-url may list several indexes."},
		}
	}
	binding := found[0]
	if _, ok := binding.Secret[PipConfFile]; !ok {
		return PipConf{}, problem.Problem{
			Title: "pip binding without its pip.conf",
			Cause: fmt.Sprintf("The binding %s (type %s, at %s) has no file named %s.", binding.Name, binding.Type, binding.Path, PipConfFile),
			Fixes: []string{fmt.Sprintf("Put pip's configuration in %s.", filepath.Join(binding.Path, PipConfFile))},
		}
	}
	return PipConf{Name: binding.Name, Path: filepath.Join(binding.Path, PipConfFile)}, nil
}

// bothConfigs refuses a pip binding and PIP_CONFIG_FILE together: pip
// reads only one PIP_CONFIG_FILE, so one of them would be silently ignored.
func bothConfigs(conf PipConf, configFile string) error {
	return problem.Problem{
		Title: "Two pip configuration files",
		Cause: fmt.Sprintf("The build has a pip binding (%s) and PIP_CONFIG_FILE=%s; pip reads only one of them.", conf.Name, configFile),
		Fixes: []string{
			"Drop PIP_CONFIG_FILE from pack build --env and put its settings into the binding's pip.conf, or",
			"remove the pip binding.",
		},
	}
}

// PipConfigKey is the part of the venv key pip's settings make: for each
// one set, a digest of its value, never the value, since index URLs carry
// passwords and the venv metadata ends up in the image's labels. Settings
// that name files (PIP_CONSTRAINT, PIP_CONFIG_FILE, the pip binding) also
// digest their content, so editing the file rebuilds the venv. appDir is
// where pip runs, so relative paths start there.
func PipConfigKey(appDir string, s Settings, conf PipConf) map[string]string {
	key := map[string]string{}
	for name, value := range s.PipIndex {
		key[name] = digest([]byte(value))
	}
	for name, value := range s.PipResolution {
		content := value
		if name == "PIP_CONSTRAINT" || name == "PIP_CONFIG_FILE" {
			content += fileContents(appDir, strings.Fields(value))
		}
		key[name] = digest([]byte(content))
	}
	if conf.Path != "" {
		key[pipBindingKey] = digest([]byte(fileContents(appDir, []string{conf.Path})))
	}
	return key
}

// fileContents joins the content of each local file of paths; a URL or a
// file that cannot be read adds only its name, and pip says what is wrong
// with it.
func fileContents(appDir string, paths []string) string {
	var all strings.Builder
	for _, path := range paths {
		all.WriteString("\n" + path + "\n")
		if strings.Contains(path, "://") {
			continue
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(appDir, path)
		}
		if content, err := os.ReadFile(path); err == nil {
			all.Write(content)
		}
	}
	return all.String()
}

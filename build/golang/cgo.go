package golang

import (
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// RunImageHasLibc reports whether the app image's run image can start a
// dynamically linked binary: onbuild's python run image has libc and its
// loader, the tiny one has neither. A build cannot inspect the run image;
// the lifecycle's analyzed.toml, beside the buildpacks' layer folders,
// names the one the platform chose (after any image extension switched
// it). When it cannot be read the answer is no, so a binary that might
// not start is refused at build time.
func RunImageHasLibc(layersDir string) bool {
	var analyzed struct {
		RunImage struct {
			Reference string `toml:"reference"`
			Image     string `toml:"image"`
		} `toml:"run-image"`
	}
	if _, err := toml.DecodeFile(filepath.Join(filepath.Dir(layersDir), "analyzed.toml"), &analyzed); err != nil {
		return false
	}
	name := analyzed.RunImage.Image + " " + analyzed.RunImage.Reference
	return strings.TrimSpace(name) != "" && !strings.Contains(name, "run-tiny")
}

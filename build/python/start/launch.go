package start

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	layerspec "github.com/onbuild-buildpacks/onbuild/internal/layer"

	"github.com/buildpacks/libcnb/v2"
)

const (
	// SupervisorName is the PID 1 every process runs under
	// (buildpacks/python/supervise, internal/supervise).
	SupervisorName = "supervise"
	// ConcurrencyName is the exec.d program that sets WEB_CONCURRENCY
	// (buildpacks/python/web-concurrency, internal/workers).
	ConcurrencyName = "web-concurrency"
)

// StartLayer holds the container-start programs: the supervisor in bin/ and
// web-concurrency in exec.d/. Both are static binaries from the buildpack's
// bin/, so the layer is the same for every app and every build: keyed on
// their digest, an unchanged layer is left unwritten (its metadata only),
// and the lifecycle reuses the previous image's without copying or
// re-tarring 3.6 MB each build (issue #27).
func StartLayer(layers libcnb.Layers, buildpackDir string) (libcnb.Layer, error) {
	layer, err := layers.Layer(Layer.Name)
	if err != nil {
		return layer, fmt.Errorf("unable to create start layer\n%w", err)
	}
	programs := []string{filepath.Join(buildpackDir, "bin", SupervisorName), filepath.Join(buildpackDir, "bin", ConcurrencyName)}
	digest, err := filesDigest(programs)
	if err != nil {
		return layer, err
	}
	previous, _ := layer.Metadata[startKey].(string)
	_, statErr := os.Stat(layer.Path)
	if previous == digest && os.IsNotExist(statErr) {
		layer.LayerTypes = Layer.Types
		return layer, nil
	}
	if layer, err = layer.Reset(); err != nil {
		return layer, fmt.Errorf("unable to reset start layer\n%w", err)
	}
	layer.LayerTypes = Layer.Types
	layer.Metadata = map[string]interface{}{startKey: digest}
	if err := layerspec.CopyFile(programs[0], filepath.Join(layer.Path, "bin", SupervisorName), 0755); err != nil {
		return layer, err
	}
	if err := layerspec.CopyFile(programs[1], layer.Exec.FilePath(ConcurrencyName), 0755); err != nil {
		return layer, err
	}
	return layer, nil
}

// startKey names the start layer's metadata: the sha256 of its programs.
const startKey = "programs"

func filesDigest(paths []string) (string, error) {
	hash := sha256.New()
	for _, path := range paths {
		file, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("unable to read %s\n%w", path, err)
		}
		_, err = io.Copy(hash, file)
		file.Close()
		if err != nil {
			return "", fmt.Errorf("unable to read %s\n%w", path, err)
		}
	}
	return hex.EncodeToString(hash.Sum(nil)), nil
}

// compound matches what makes a shell line more than one simple command:
// lists, pipes, background jobs, subshells, and the keywords of compound
// commands.
var compound = regexp.MustCompile("&&|\\|\\||[;|&\n()`]|^\\s*(if|for|while|until|case|exec|\\{|!)\\b|^\\s*[A-Za-z_][A-Za-z0-9_]*=")

// Supervised runs each process under the supervisor, which is PID 1: it
// passes SIGTERM to the app's whole process group and waits for it, so a
// shell (Debian's dash keeps itself as the parent of a list's last command)
// never swallows docker stop; and the app is never PID 1 itself, for which
// the kernel drops signals the program has no handler for (python
// server.py would ignore SIGTERM). A single simple command is exec'd, so
// no shell stays at all.
func Supervised(processes []libcnb.Process, startLayerDir string) []libcnb.Process {
	supervisor := filepath.Join(startLayerDir, "bin", SupervisorName)
	var out []libcnb.Process
	for _, p := range processes {
		command := append([]string{}, p.Command...)
		if len(command) == 3 && command[0] == "sh" && command[1] == "-c" && !compound.MatchString(command[2]) {
			command[2] = "exec " + strings.TrimSpace(command[2])
		}
		p.Command = append([]string{supervisor}, command...)
		out = append(out, p)
	}
	return out
}

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// dockerClient is a docker CLI that builds with BuildKit, which the
// careful Dockerfiles' cache mounts need. A CLI with the buildx plugin
// does; a CLI older than 23 has BuildKit built in behind DOCKER_BUILDKIT=1;
// a newer one without buildx refuses BuildKit, so each docker on PATH is
// asked in turn rather than trusting the first.
type dockerClient struct {
	path string
}

func (d dockerClient) env() []string { return []string{"DOCKER_BUILDKIT=1"} }

// build runs `docker build ARGS` with BuildKit and returns its output.
func (d dockerClient) build(args ...string) (string, error) {
	cmd := exec.Command(d.path, append([]string{"build"}, args...)...)
	cmd.Env = append(os.Environ(), d.env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s build %s: %w\n%s", d.path, strings.Join(args, " "), err, problem.LastLines(string(out), 30))
	}
	return string(out), nil
}

func buildKitClient() (dockerClient, error) {
	var tried []string
	seen := map[string]bool{}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		path := filepath.Join(dir, "docker")
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil || seen[resolved] {
			continue
		}
		seen[resolved] = true
		if exec.Command(path, "buildx", "version").Run() == nil {
			return dockerClient{path: path}, nil
		}
		out, err := exec.Command(path, "version", "--format", "{{.Client.Version}}").Output()
		version := strings.TrimSpace(string(out))
		tried = append(tried, path+" "+version)
		if major, convErr := strconv.Atoi(strings.SplitN(version, ".", 2)[0]); err == nil && convErr == nil && major < 23 {
			return dockerClient{path: path}, nil
		}
	}
	return dockerClient{}, fmt.Errorf("no docker client on PATH builds with BuildKit (tried: %s): install the buildx plugin, "+
		"or put a docker CLI older than 23 (Debian's docker.io on bookworm) on PATH", strings.Join(tried, ", "))
}

// builderFlavour is the stack flavour of a builder image, from its stack
// id (io.onbuild.stacks.FLAVOUR).
func builderFlavour(image string) (string, error) {
	out, err := exec.Command("docker", "image", "inspect", "-f", `{{index .Config.Labels "io.buildpacks.stack.id"}}`, image).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("the builder image %s is missing (run `make builder`): %v\n%s", image, err, out)
	}
	id := strings.TrimSpace(string(out))
	flavour, ok := strings.CutPrefix(id, "io.onbuild.stacks.")
	if !ok || flavour == "" {
		return "", fmt.Errorf("the builder %s has the stack id %q, which is no onbuild stack flavour", image, id)
	}
	return flavour, nil
}

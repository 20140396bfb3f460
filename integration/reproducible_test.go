package integration_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// testReproducible holds onbuild to "the same source gives the same image":
// for every kind of app the suite has, a build from scratch, a build that
// reuses every cache (of the source checked out again an hour later: same
// bytes, other mtimes) and a build after --clear-cache give one image ID.
// A step that runs only when a layer is rebuilt and leaves something in
// the app (an editable install's egg-info) shows up here as two IDs.
func testReproducible(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	// threeWays builds a three times and expects one image ID; warm is
	// what the cached build must log, to show it did reuse its caches.
	threeWays := func(a *app, warm string, extra ...string) {
		t.Helper()
		a.mustBuild(extra...)
		cold := imageID(a.image)

		later := time.Now().Add(time.Hour)
		Expect(filepath.WalkDir(a.dir, func(path string, _ os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Chtimes(path, later, later)
		})).To(Succeed())
		out := a.mustBuild(extra...)
		Expect(out).To(ContainSubstring(warm), "the second build reuses its caches")
		cached := imageID(a.image)

		out = a.mustBuild(append(extra, "--clear-cache")...)
		Expect(out).NotTo(ContainSubstring(warm), "--clear-cache starts from nothing")
		cleared := imageID(a.image)

		for _, id := range []string{cold, cached} {
			if id != cleared {
				// Untagged now, and ours: the comparison below says how
				// they differ before they go.
				defer exec.Command("docker", "image", "rm", "-f", id).Run()
			}
		}
		Expect(map[string]string{"cached": cached, "after --clear-cache": cleared}).To(HaveEach(Equal(cold)),
			"cold build's layers:\n%s\ncached build's layers:\n%s\nafter --clear-cache:\n%s",
			imageLayers(cold), imageLayers(cached), imageLayers(cleared))
	}
	const venvReused = "Python virtualenv: Reusing cached layer"

	it("requirements.txt", func() {
		threeWays(newApp(t, "python/flask"), venvReused)
	})

	it("setup.py, installed editable", func() {
		a := newApp(t, "python/setuppy")
		threeWays(a, venvReused)
		Expect(a.get(a.start() + "/")).To(Equal("hello from setup.py"))
		Expect(workspace(a, "")).To(ConsistOf("setup.py", "hello"), "nothing the editable install left")
		out, err := inImage(a.image, "/cnb/lifecycle/launcher", "--", "python3", "-I", "-c", `import importlib.metadata as m; print(m.version("hello"))`)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(HaveSuffix("1.0.0\n"), "the app's metadata is in the venv")
	})

	it("pyproject.toml, installed editable", func() {
		threeWays(newApp(t, "python/pyproject"), venvReused)
	})

	it("Django, with collectstatic", func() {
		a := newApp(t, "python/django")
		threeWays(a, venvReused)
		Expect(workspace(a, "staticfiles")).To(ContainElement("site.css"), "collectstatic ran in every build")
	})

	it("uv.lock, with a path source", func() {
		lx := newLockIndex(t)
		a := newApp(t, "locks/uv")
		uvProject{index: lx, dev: []string{"six"}}.write(a)
		threeWays(a, venvReused, "--env", "PIP_INDEX_URL="+lx.URL())
	})

	it("poetry.lock, the root installed editable", func() {
		lx := newLockIndex(t)
		a := newApp(t, "locks/poetry")
		source, lock := "default = true", []string{"poetry", "lock", "--no-update", "--no-interaction"}
		if poetryMajor(t) >= 2 {
			source, lock = `priority = "primary"`, []string{"poetry", "lock", "--no-interaction"}
		}
		a.write("pyproject.toml", fmt.Sprintf(poetryProject, dependencyLines(lx.flaskStack()), lx.URL(), source))
		lockWith(t, a.dir, lx, lock...)
		threeWays(a, venvReused, "--env", "PIP_INDEX_URL="+lx.URL())
	})

	it("Pipfile.lock", func() {
		lx := newLockIndex(t)
		a := newApp(t, "locks/pipenv")
		a.write("Pipfile", fmt.Sprintf(pipfile, lx.URL(), dependencyLines(lx.flaskStack()), `six = "*"`))
		lockWith(t, a.dir, lx, pipenvLock...)
		threeWays(a, venvReused, "--env", "PIP_INDEX_URL="+lx.URL())
	})

	it("Go", func() {
		a := newApp(t, "go/web")
		threeWays(a, "Reusing cached layer", append([]string{"--run-image", tinyRunImage}, caBinding(t)...)...)
	})
}

// workspace lists a folder of the image's app dir (the run image has no
// ls).
func workspace(a *app, dir string) []string {
	a.t.Helper()
	out, err := inImage(a.image, "/cnb/lifecycle/launcher", "--", "python3", "-c",
		"import os, sys; print(*sorted(os.listdir(os.path.join('/workspace', sys.argv[1]))))", dir)
	if err != nil {
		a.t.Fatalf("list /workspace/%s: %v\n%s", dir, err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.Fields(lines[len(lines)-1])
}

// imageLayers describes an image for a failed comparison: its layers'
// digests and the lifecycle's metadata label, which names each layer.
func imageLayers(id string) string {
	out, err := exec.Command("docker", "image", "inspect", "--format",
		`{{range .RootFS.Layers}}{{println .}}{{end}}{{index .Config.Labels "io.buildpacks.lifecycle.metadata"}}`, id).CombinedOutput()
	if err != nil {
		return "missing: " + err.Error()
	}
	return string(out)
}

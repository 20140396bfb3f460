package integration_test

import (
	gocontext "context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

func testPythonIncremental(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("updates the venv in place when only the requirements change, to what a from-scratch build makes", func() {
		srv := incrementalIndex(t)
		defer srv.Close()
		env := []string{"--env", "PIP_INDEX_URL=" + srv.URL()}

		a := newApp(t, "python/incremental")
		a.write("requirements.txt", "flask==3.1.1\nsix==1.17.0\nclick==8.1.8\n")
		Expect(a.mustBuild(env...)).To(ContainSubstring("Creating virtualenv"))
		Expect(projects(t, a.image)).To(ContainElements("flask", "werkzeug", "jinja2", "six", "click", "itsdangerous"))

		for _, step := range []struct {
			name, requirements string
			gone               []string
			installs           bool
		}{
			// click comes down to bookworm's version; six goes.
			{"a requirement removed, one downgraded", "flask==3.1.1\nclick==8.1.3\n", []string{"six"}, true},
			// What only flask pulled in goes with it; itsdangerous, a
			// dependency so far, is now asked for (pip's REQUESTED mark).
			{"a requirement's own dependencies removed with it", "click==8.1.3\nitsdangerous==2.2.0\n",
				[]string{"flask", "werkzeug", "jinja2", "markupsafe", "blinker"}, true},
			// Only removed: nothing for pip to install.
			{"a requirement only removed", "click==8.1.3\n", []string{"itsdangerous"}, false},
		} {
			a.write("requirements.txt", step.requirements)
			out := a.mustBuild(env...)
			Expect(out).To(ContainSubstring("Only the requirements changed: updating the virtualenv in place"), step.name)
			Expect(out).NotTo(ContainSubstring("Creating virtualenv"), step.name)
			Expect(out).NotTo(ContainSubstring("from scratch"), step.name)
			if !step.installs {
				Expect(out).NotTo(ContainSubstring("Installing --requirement"), step.name)
			}

			fresh := newApp(t, "python/incremental")
			fresh.write("requirements.txt", step.requirements)
			Expect(fresh.mustBuild(env...)).To(ContainSubstring("Creating virtualenv"), step.name)

			Expect(projects(t, a.image)).NotTo(ContainElements(step.gone), step.name)
			Expect(onlyIn(venvRecords(t, a.image), venvRecords(t, fresh.image))).To(Equal([2][]string{}), step.name+": RECORD lines only in the updated venv, only in the new one")
			Expect(onlyIn(venvFiles(t, a.image), venvFiles(t, fresh.image))).To(Equal([2][]string{}), step.name+": files only in the updated venv, only in the new one")
			// Reproducible: the same requirements give the same layer.
			Expect(venvLayer(t, a.image)).To(Equal(venvLayer(t, fresh.image)), step.name)
		}
	})
}

// incrementalIndex serves the suite's wheels (Debian trixie's) plus
// bookworm's click 8.1.3, so a requirement can go down a version.
func incrementalIndex(t *testing.T) *pyindex.Server {
	t.Helper()
	older, err := pyindex.Build(gocontext.Background(), pyindex.Options{
		CacheDir: filepath.Join(root, ".cache", "pyindex"),
		Image:    flavours["bookworm"].image("build"),
		Packages: []string{"python3-click"},
		Stdout:   os.Stderr,
		Stderr:   os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, from := range []string{index.Dir(), older} {
		wheels, err := filepath.Glob(filepath.Join(from, "*.whl"))
		if err != nil || len(wheels) == 0 {
			t.Fatalf("no wheels in %s: %v", from, err)
		}
		for _, wheel := range wheels {
			content, err := os.ReadFile(wheel)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(wheel)), content, 0644); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv, err := pyindex.Serve(dir)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// venvScript prints, for the image's venv, either each RECORD file under
// site-packages with its content ("records") or every entry of the venv
// with its sha256, link target or "dir" ("files"), in a stable order.
const venvScript = `
import hashlib, os, sys
root = "/layers/onbuild_python/venv"
for d, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(files + dirs):
        path = os.path.join(d, name)
        rel = os.path.relpath(path, root)
        if sys.argv[1] == "records":
            if name == "RECORD" and "site-packages" in rel:
                print("==", rel)
                print(open(path).read())
        elif os.path.islink(path):
            print(rel, "->", os.readlink(path))
        elif os.path.isdir(path):
            print(rel, "dir")
        else:
            print(rel, hashlib.sha256(open(path, "rb").read()).hexdigest())
`

func venvOutput(t *testing.T, image, what string) []string {
	t.Helper()
	out, err := inImage(image, "/usr/bin/python3", "-c", venvScript, what)
	if err != nil {
		t.Fatalf("listing the venv of %s: %v\n%s", image, err, out)
	}
	return strings.Split(strings.TrimSpace(out), "\n")
}

func venvRecords(t *testing.T, image string) []string { return venvOutput(t, image, "records") }
func venvFiles(t *testing.T, image string) []string   { return venvOutput(t, image, "files") }

// venvLayer is the digest of the image's venv layer.
func venvLayer(t *testing.T, image string) string {
	t.Helper()
	out, err := exec.Command("docker", "image", "inspect", "--format", `{{index .Config.Labels "io.buildpacks.lifecycle.metadata"}}`, image).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", image, err)
	}
	var metadata struct {
		Buildpacks []struct {
			Key    string `json:"key"`
			Layers map[string]struct {
				SHA string `json:"sha"`
			} `json:"layers"`
		} `json:"buildpacks"`
	}
	if err := json.Unmarshal(out, &metadata); err != nil {
		t.Fatal(err)
	}
	for _, bp := range metadata.Buildpacks {
		if bp.Key == "onbuild/python" && bp.Layers["venv"].SHA != "" {
			return bp.Layers["venv"].SHA
		}
	}
	t.Fatalf("%s has no venv layer", image)
	return ""
}

// onlyIn returns the lines only a has and those only b has, so a failure
// shows the difference rather than two listings of a thousand lines.
func onlyIn(a, b []string) [2][]string {
	var diff [2][]string
	count := map[string]int{}
	for _, line := range a {
		count[line]++
	}
	for _, line := range b {
		count[line]--
	}
	for _, line := range append(append([]string{}, a...), b...) {
		if n := count[line]; n > 0 {
			diff[0] = append(diff[0], line)
			count[line]--
		} else if n < 0 {
			diff[1] = append(diff[1], line)
			count[line]++
		}
	}
	return diff
}

// projects names the distributions installed in the image's venv, from
// their dist-info folders.
func projects(t *testing.T, image string) []string {
	t.Helper()
	var names []string
	for _, line := range venvRecords(t, image) {
		if rel, ok := strings.CutPrefix(line, "== "); ok {
			info := filepath.Base(filepath.Dir(rel))
			names = append(names, strings.ToLower(strings.SplitN(info, "-", 2)[0]))
		}
	}
	return names
}

package integration_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// Monorepos: one app out of a repository that holds several, named by
// BP_APP_DIR (docs/monorepo.md). The fixtures are whole repositories under
// testdata/monorepo; each build uploads the repository root.
func testMonorepo(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("uv workspace: each member's image runs from its folder with only its own closure and the shared library, non-editable", func() {
		lx := newLockIndex(t)
		for _, member := range []struct {
			dir, answer string
			has, hasNot []string
		}{
			{"services/api", "Hello from api, with common itsdangerous (six installed: False)", []string{"api", "common", "flask", "gunicorn", "itsdangerous"}, []string{"six", "worker"}},
			{"services/worker", "Hello from worker, with common itsdangerous (six " + lx.wheels["six"].version + ", flask installed: False)", []string{"worker", "common", "six", "itsdangerous"}, []string{"flask", "api", "gunicorn"}},
		} {
			a := newApp(t, "monorepo/uv")
			writeUVLock(t, a, lx)
			out := a.mustBuild("--env", "PIP_INDEX_URL="+lx.URL(), "--env", "BP_APP_DIR="+member.dir)
			Expect(out).To(ContainSubstring("uv workspace at the upload root: installing the member " + member.dir + " and what it uses"))
			Expect(out).To(ContainSubstring("Installing common from uv.lock's git and path sources"))
			Expect(out).To(MatchRegexp(`The image holds the app ` + member.dir + ` and nothing else: removed \d+ other entries`))
			Expect(a.get(a.start())).To(Equal(member.answer))

			installed := venvDistributions(t, a)
			for _, name := range member.has {
				Expect(installed).To(HaveKey(name), member.dir)
			}
			for _, name := range member.hasNot {
				Expect(installed).NotTo(HaveKey(name), member.dir)
			}
			// The library went in as a copy: its source is not in the image.
			files := workspaceFiles(t, a.image)
			Expect(files).To(ContainElement(member.dir + "/pyproject.toml"))
			Expect(files).To(HaveEach(HavePrefix(member.dir+"/")), "the image holds the member, not the repository")
			Expect(lx.Downloads("colorama")).To(BeZero(), "its marker excludes Linux")
			if member.dir == "services/api" {
				Expect(lx.Downloads("six")).To(BeZero(), "only the worker's closure has six")
			}
		}
	})

	it("requirements app in services/web, named in project.toml: -e ../../libs/core goes in as a copy; an unrelated change reuses the venv, a library change rebuilds it", func() {
		a := newApp(t, "monorepo/web")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("Installing --requirement requirements.txt"))
		Expect(out).To(ContainSubstring("The image holds the app services/web and nothing else"))
		Expect(a.get(a.start())).To(Equal("Hello from services/web, with libs/core 1"))
		files := workspaceFiles(t, a.image)
		Expect(files).To(ContainElement("services/web/app.py"))
		Expect(files).To(HaveEach(HavePrefix("services/web/")), "the image holds the app, not the repository")

		a.write("docs/README.md", "# Notes, edited\n")
		a.write("services/web/extra.py", "X = 1\n")
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("Python virtualenv: Reusing cached layer"))
		Expect(out).NotTo(ContainSubstring("Installing --requirement"))

		a.write("libs/core/core/__init__.py", "def message():\n    return \"Hello from services/web, with libs/core 2\"\n")
		out = a.mustBuild()
		Expect(out).To(ContainSubstring("libs/core changed"))
		Expect(out).To(ContainSubstring("Installing --requirement requirements.txt"))
		Expect(a.get(a.start())).To(Equal("Hello from services/web, with libs/core 2"))
	})

	it("go.work repository: two commands in two modules, each built from the root into its own image that holds only its folder", func() {
		// The toolchain comes from a dependency-mapping binding (as in the
		// Go suite's offline spec): both builds skip its download.
		toolchain := hostToolchain(t, "1.23.4")
		mapping := binding(t, "go-toolchain", "dependency-mapping", map[string][]byte{
			toolchain.sha256: []byte("file:///offline/" + filepath.Base(toolchain.path)),
		})
		for _, cmd := range []struct{ dir, answer string }{
			{"services/api", "Hello from api, with example.com/greet (in /workspace/services/api)"},
			{"services/worker", "Hello from worker, with example.com/greet and example.com/version 1.0 (in /workspace/services/worker)"},
		} {
			a := newApp(t, "monorepo/go")
			args := append([]string{"--run-image", tinyRunImage, "--env", "BP_APP_DIR=" + cmd.dir,
				"--volume", filepath.Dir(toolchain.path) + ":/offline:ro"}, mapping...)
			out := a.mustBuild(args...)
			Expect(out).To(ContainSubstring("Go 1.23.4: go.work's toolchain line asks for it"))
			Expect(out).To(ContainSubstring(". → " + filepath.Base(cmd.dir)))
			if cmd.dir == "services/api" {
				Expect(a.get(a.start())).To(Equal(cmd.answer))
			} else {
				run, err := exec.Command("docker", "run", "--rm", a.image).CombinedOutput()
				Expect(err).NotTo(HaveOccurred(), string(run))
				Expect(strings.TrimSpace(string(run))).To(Equal(cmd.answer))
			}
			Expect(workspaceFiles(t, a.image)).To(BeEmpty(), "the source of the whole repository is removed")
		}
	})

	it("explains a BP_APP_DIR without an app, naming the folders that have one, and refuses one outside the upload", func() {
		a := newApp(t, "monorepo/uv")
		out, err := a.build("--env", "BP_APP_DIR=services")
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: No app in services (BP_APP_DIR)]"))
		Expect(out).To(ContainSubstring("api (pyproject.toml)"))
		Expect(out).To(ContainSubstring("worker (pyproject.toml)"))
		Expect(out).To(ContainSubstring("pack build --env BP_APP_DIR=services/api"))

		out, err = a.build("--env", "BP_APP_DIR=../elsewhere")
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: App folder outside the upload]"))
	})
}

// writeUVLock fills the hand-written uv.lock.tmpl with the test index's
// versions, files and sha256s, as uv would have locked them there.
func writeUVLock(t *testing.T, a *app, lx *lockIndex) {
	t.Helper()
	type wheelData struct{ Version, File, SHA256 string }
	data := struct {
		Registry, Files string
		Wheels          map[string]wheelData
	}{Registry: strings.TrimSuffix(lx.URL(), "/"), Wheels: map[string]wheelData{}}
	data.Files = strings.TrimSuffix(data.Registry, "/simple")
	for name, w := range lx.wheels {
		data.Wheels[name] = wheelData{w.version, w.file, w.sha256}
	}
	tmpl, err := template.New("uv.lock").Option("missingkey=error").ParseFiles(filepath.Join(a.dir, "uv.lock.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var lock strings.Builder
	if err := tmpl.ExecuteTemplate(&lock, "uv.lock.tmpl", data); err != nil {
		t.Fatal(err)
	}
	a.write("uv.lock", lock.String())
	if err := os.Remove(filepath.Join(a.dir, "uv.lock.tmpl")); err != nil {
		t.Fatal(err)
	}
}

// venvDistributions lists what the image's venv has installed.
func venvDistributions(t *testing.T, a *app) map[string]string {
	t.Helper()
	out, err := inImage(a.image, "/cnb/lifecycle/launcher", "--", "python3", "-I", "-c", listDistributions)
	if err != nil {
		t.Fatalf("listing the venv: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	installed := map[string]string{}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &installed); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return installed
}

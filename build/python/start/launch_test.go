package start_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python/start"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testLaunch(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	context("Supervised", func() {
		sh := func(line string) libcnb.Process {
			return libcnb.Process{Type: "web", Command: []string{"sh", "-c", line}, Default: true}
		}
		supervised := func(line string) []string {
			return start.Supervised([]libcnb.Process{sh(line)}, "/layers/onbuild_python/start")[0].Command
		}

		it("execs a single simple command, redirections and $PORT included", func() {
			Expect(supervised("gunicorn -b 0.0.0.0:$PORT app:app > /dev/stderr")).To(Equal([]string{
				"/layers/onbuild_python/start/bin/supervise", "sh", "-c", "exec gunicorn -b 0.0.0.0:$PORT app:app > /dev/stderr"}))
		})

		it("leaves lists, pipes, assignments and exec alone: the supervisor signals the whole group", func() {
			for _, line := range []string{
				"python manage.py migrate && gunicorn mysite.wsgi",
				"a; b", "a || b", "a | b", "worker & gunicorn", "FOO=1 gunicorn app:app",
				"exec gunicorn app:app", "if true; then gunicorn; fi", "(cd src && gunicorn app:app)",
			} {
				Expect(supervised(line)[3]).To(Equal(line))
			}
		})

		it("supervises a direct command as it is, keeping type and default", func() {
			processes := start.Supervised([]libcnb.Process{{Type: "worker", Command: []string{"python", "main.py"}}}, "/l/start")
			Expect(processes).To(Equal([]libcnb.Process{{Type: "worker", Command: []string{"/l/start/bin/supervise", "python", "main.py"}}}))
		})
	})

	context("Programs", func() {
		it("names the program of each simple command, past assignments and exec", func() {
			Expect(start.Programs("python manage.py migrate && python manage.py collectstatic --noinput && exec gunicorn app")).
				To(Equal([]string{"python", "python", "gunicorn"}))
			Expect(start.Programs("FOO=1 BAR=2 celery -A x worker | tee log; cd src; $SERVER run")).
				To(Equal([]string{"celery", "tee"}))
		})
	})

	context("MissingPrograms", func() {
		var appDir, venvDir, pathDir string
		it.Before(func() {
			appDir, venvDir, pathDir = t.TempDir(), t.TempDir(), t.TempDir()
			fake.WriteFiles(t, venvDir, map[string]string{"bin/python": ""})
			fake.WriteFiles(t, pathDir, map[string]string{"sh": ""})
			fake.WriteFiles(t, appDir, map[string]string{"bin/serve": ""})
		})

		it("warns, naming the process, the program and the fix, about what is nowhere", func() {
			processes := []libcnb.Process{
				{Type: "web", Command: []string{"sh", "-c", "python manage.py migrate && gunicorn mysite.wsgi"}},
				{Type: "worker", Command: []string{"sh", "-c", "./bin/serve && sh -c x"}},
			}
			warnings := start.MissingPrograms(processes, "Procfile", appDir, venvDir, pathDir+string(os.PathListSeparator)+"/nonexistent")
			Expect(warnings).To(HaveLen(1))
			Expect(warnings[0]).To(ContainSubstring(`Procfile process "web" runs gunicorn, which is neither in the virtualenv nor in the image`))
			Expect(warnings[0]).To(ContainSubstring(`"gunicorn: not found"`))
			Expect(warnings[0]).To(ContainSubstring("requirements.txt (or pyproject.toml), e.g. gunicorn"))
		})

		it("finds a program in the venv once it is installed", func() {
			fake.WriteFiles(t, venvDir, map[string]string{"bin/gunicorn": ""})
			processes := []libcnb.Process{{Type: "web", Command: []string{"sh", "-c", "gunicorn app:app"}}}
			Expect(start.MissingPrograms(processes, "Procfile", appDir, venvDir, pathDir)).To(BeEmpty())
			Expect(filepath.Join(venvDir, "bin", "gunicorn")).To(BeAnExistingFile())
		})
	})

	context("StartLayer", func() {
		it("writes the programs once, then leaves the unchanged layer for the lifecycle to reuse from the previous image", func() {
			buildpack := t.TempDir()
			fake.WriteFile(t, buildpack, "bin/supervise", "supervisor v1", 0755)
			fake.WriteFile(t, buildpack, "bin/web-concurrency", "concurrency v1", 0755)
			layers := libcnb.Layers{Path: t.TempDir()}

			layer, err := start.StartLayer(layers, buildpack)
			Expect(err).NotTo(HaveOccurred())
			Expect(filepath.Join(layer.Path, "bin", "supervise")).To(BeAnExistingFile())
			Expect(filepath.Join(layer.Path, "exec.d", "web-concurrency")).To(BeAnExistingFile())
			Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))
			digest := layer.Metadata["programs"]
			Expect(digest).To(HaveLen(64))

			// The next build: the lifecycle restores start.toml from the
			// app image, never the launch-only layer's files.
			Expect(os.RemoveAll(layer.Path)).To(Succeed())
			fake.WriteFile(t, layers.Path, "start.toml", "[types]\nlaunch = true\n[metadata]\nprograms = \""+digest.(string)+"\"\n", 0644)
			layer, err = start.StartLayer(layers, buildpack)
			Expect(err).NotTo(HaveOccurred())
			Expect(layer.Path).NotTo(BeADirectory(), "an unchanged layer is reused, not written")
			Expect(layer.Metadata).To(HaveKeyWithValue("programs", digest))
			Expect(layer.LayerTypes).To(Equal(libcnb.LayerTypes{Launch: true}))

			fake.WriteFile(t, buildpack, "bin/supervise", "supervisor v2", 0755)
			layer, err = start.StartLayer(layers, buildpack)
			Expect(err).NotTo(HaveOccurred())
			Expect(os.ReadFile(filepath.Join(layer.Path, "bin", "supervise"))).To(Equal([]byte("supervisor v2")))
			Expect(layer.Metadata["programs"]).NotTo(Equal(digest))
		})
	})
}

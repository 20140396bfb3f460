package python_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python"
	"github.com/onbuild-buildpacks/onbuild/internal/fake"
)

func testDjango(t *testing.T, context spec.G, it spec.S) {
	var (
		Expect   = NewWithT(t).Expect
		ctx      libcnb.BuildContext
		executor *fake.Executor
		builder  python.Builder
		output   *bytes.Buffer
		venvBin  string
		// staticAnswer is what the settings probe prints.
		staticAnswer string
		collect      func(e effect.Execution) error
		managePy     = func(e effect.Execution) bool { return len(e.Args) > 0 && e.Args[0] == "manage.py" }
		pythonRuns   = func() []string {
			var runs []string
			for _, e := range executor.Executions {
				if e.Command == filepath.Join(venvBin, "python") {
					runs = append(runs, strings.Join(e.Args, " "))
				}
			}
			return runs
		}
	)

	it.Before(func() {
		ctx = buildContext(t)
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{
			"requirements.txt":   "django\ngunicorn\n",
			"manage.py":          "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
			"mysite/settings.py": "WSGI_APPLICATION = 'mysite.wsgi.application'\n",
			"mysite/wsgi.py":     "application = get_wsgi_application()\n",
		})
		venvBin = filepath.Join(ctx.Layers.Path, "venv", "bin")
		staticAnswer = "onbuild-staticfiles: True True"
		collect = func(e effect.Execution) error {
			fmt.Fprintln(e.Stdout, "\n12 static files copied to '/workspace/staticfiles'.")
			return nil
		}
		executor = &fake.Executor{Run: func(e effect.Execution) error {
			answerVersionProbe(e)
			if e.Command == "python3" && len(e.Args) == 4 && e.Args[1] == "venv" {
				fake.WriteFiles(t, filepath.Dir(venvBin), map[string]string{
					"bin/gunicorn": "", "bin/python": "", "lib/python3.11/site-packages/django/__init__.py": "",
				})
			}
			if e.Command == filepath.Join(venvBin, "python") {
				Expect(e.Dir).To(Equal(ctx.ApplicationPath))
				Expect(e.Env).To(ContainElement("PYTHONDONTWRITEBYTECODE=1"))
				if managePy(e) {
					return collect(e)
				}
				Expect(e.Args[2]).To(Equal("mysite.settings"))
				fmt.Fprintln(e.Stdout, staticAnswer)
			}
			return nil
		}}
		output = &bytes.Buffer{}
		builder = python.Builder{Logger: log.NewPaketoLogger(output), Executor: executor, Environ: []string{"PATH=/usr/bin"}}
	})

	it("collects static files after the install and serves WSGI_APPLICATION", func() {
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(pythonRuns()).To(HaveLen(2))
		Expect(pythonRuns()[1]).To(Equal("manage.py collectstatic --noinput"))
		Expect(output.String()).To(ContainSubstring("Running python manage.py collectstatic --noinput"))
		Expect(output.String()).To(ContainSubstring("12 static files copied to '/workspace/staticfiles'."))
		Expect(result.Processes[0].Command[1:]).To(Equal([]string{"sh", "-c", `exec gunicorn --bind "0.0.0.0:${PORT:-8080}" mysite.wsgi:application`}))
	})

	it("skips, saying why, without staticfiles or STATIC_ROOT", func() {
		staticAnswer = "onbuild-staticfiles: False True"
		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("Skipping collectstatic: django.contrib.staticfiles is not in INSTALLED_APPS"))

		staticAnswer = "onbuild-staticfiles: True False"
		_, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("Skipping collectstatic: mysite/settings.py sets no STATIC_ROOT"))
		Expect(pythonRuns()).NotTo(ContainElement(HavePrefix("manage.py")))
	})

	it("is switched off by BP_DISABLE_COLLECTSTATIC or Heroku's DISABLE_COLLECTSTATIC", func() {
		builder.Environ = append(builder.Environ, "BP_DISABLE_COLLECTSTATIC=true")
		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("Skipping collectstatic: BP_DISABLE_COLLECTSTATIC=true is set"))

		builder.Environ = []string{"PATH=/usr/bin", "DISABLE_COLLECTSTATIC=1"}
		_, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring("Skipping collectstatic: DISABLE_COLLECTSTATIC=1 is set"))
		Expect(pythonRuns()).To(BeEmpty())

		builder.Environ = []string{"PATH=/usr/bin", "DISABLE_COLLECTSTATIC=0"}
		_, err = builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(pythonRuns()).To(ContainElement("manage.py collectstatic --noinput"))
	})

	it("shows the last lines and the usual causes when collectstatic fails", func() {
		collect = func(e effect.Execution) error {
			fmt.Fprintln(e.Stderr, "django.core.exceptions.ImproperlyConfigured: You're using the staticfiles app without having set the STATIC_ROOT setting")
			return errors.New("exit status 1")
		}
		_, err := builder.Build(ctx)
		Expect(err).To(MatchError(ContainSubstring("[Error: collectstatic failed]")))
		Expect(err.Error()).To(ContainSubstring("In mysite/settings.py:"))
		Expect(err.Error()).To(ContainSubstring("python manage.py collectstatic --noinput failed:\n\ndjango.core.exceptions.ImproperlyConfigured"))
		Expect(err.Error()).To(ContainSubstring("a storage backend (S3, GCS) needs credentials at build time"))
		Expect(err.Error()).To(ContainSubstring("BP_DISABLE_COLLECTSTATIC=true"))
	})

	it("does nothing for a manage.py without Django installed", func() {
		Expect(os.Remove(filepath.Join(ctx.ApplicationPath, "mysite", "wsgi.py"))).To(Succeed())
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"app.py": ""})
		executor.Run = func(e effect.Execution) error { answerVersionProbe(e); return nil }
		result, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(pythonRuns()).To(BeEmpty())
		Expect(result.Processes[0].Command[1:]).To(Equal([]string{"python", "app.py"}))
	})

	it("warns at build time about a Procfile program nothing provides", func() {
		fake.WriteFiles(t, ctx.ApplicationPath, map[string]string{"Procfile": "web: python manage.py migrate && uvicorn mysite.asgi:application\n"})
		_, err := builder.Build(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(output.String()).To(ContainSubstring(`Warning: Procfile process "web" runs uvicorn, which is neither in the virtualenv nor in the image`))
		Expect(output.String()).NotTo(ContainSubstring("runs python,"))
	})
}

package start

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
)

// staticProbe prints whether the project's settings use staticfiles and
// set STATIC_ROOT, the two things collectstatic needs. It reads the real
// settings (a split settings package, values from the environment), which
// no look at the source text could.
const staticProbe = `import os, sys
sys.path.insert(0, ".")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", sys.argv[1])
from django.conf import settings
print("onbuild-staticfiles:", "django.contrib.staticfiles" in settings.INSTALLED_APPS, bool(getattr(settings, "STATIC_ROOT", None)))
`

// collectStatic runs manage.py collectstatic in a Django project, after the
// dependencies and before the build hook (which may rely on the files), so
// the image serves static files without a step at every start.
func (s Starter) collectStatic(appDir, venvDir string, config Settings) error {
	if !DjangoInstalled(venvDir) {
		return nil
	}
	project, err := ReadDjango(appDir)
	if err != nil || project == nil {
		return err
	}
	if config.DisableCollectStatic != "" {
		s.Logger.Bodyf("Skipping collectstatic: %s is set", config.DisableCollectStatic)
		return nil
	}
	python := filepath.Join(venvDir, "bin", "python")
	out, err := s.inApp(appDir, python, "-c", staticProbe, project.Settings)
	if err != nil {
		return collectStaticProblem(project, "reading the settings", out)
	}
	var staticfiles, staticRoot bool
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "onbuild-staticfiles: "); ok {
			fmt.Sscanf(rest, "%t %t", &staticfiles, &staticRoot)
		}
	}
	switch {
	case !staticfiles:
		s.Logger.Bodyf("Skipping collectstatic: django.contrib.staticfiles is not in INSTALLED_APPS")
		return nil
	case !staticRoot:
		s.Logger.Bodyf("Skipping collectstatic: %s sets no STATIC_ROOT", project.SettingsFile)
		return nil
	}
	s.Logger.Bodyf("Running python manage.py collectstatic --noinput")
	out, err = s.inApp(appDir, python, "manage.py", "collectstatic", "--noinput")
	if err != nil {
		return collectStaticProblem(project, "python manage.py collectstatic --noinput", out)
	}
	s.Logger.Bodyf("  %s", problem.LastLines(out, 1))
	return nil
}

func collectStaticProblem(project *Django, step, out string) error {
	return problem.Problem{
		Title: "collectstatic failed",
		File:  project.SettingsFile,
		Cause: fmt.Sprintf("onbuild runs Django's collectstatic at build time; %s failed:\n\n%s\n\n"+
			"The usual causes: STATIC_ROOT is not set; the settings need a variable that only the running app has\n"+
			"(SECRET_KEY, DATABASE_URL); a storage backend (S3, GCS) needs credentials at build time.",
			step, problem.LastLines(out, 20)),
		Fixes: []string{
			"Set STATIC_ROOT in " + project.SettingsFile + ", e.g. STATIC_ROOT = BASE_DIR / \"staticfiles\".",
			"Give settings a build-time default: os.environ.get(\"SECRET_KEY\", \"build-only\"), or pass the variable with pack build --env.",
			"Or switch the step off with BP_DISABLE_COLLECTSTATIC=true (Heroku's DISABLE_COLLECTSTATIC=1 also works) and collect at start.",
		},
	}
}

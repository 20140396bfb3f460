package integration_test

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

func testPythonWeb(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	// stop times docker stop with a 10 s grace period: an app that does not
	// get SIGTERM takes all 10 s and is then killed.
	stop := func(id string) time.Duration {
		t.Helper()
		start := time.Now()
		out, err := exec.Command("docker", "stop", "-t", "10", id).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		took := time.Since(start)
		t.Logf("docker stop %.12s: %s", id, took.Round(10*time.Millisecond))
		return took
	}
	logs := func(id string) string {
		out, _ := exec.Command("docker", "logs", id).CombinedOutput()
		return string(out)
	}
	last := func(a *app) string { return a.containers[len(a.containers)-1] }
	// settle waits until gunicorn has booted its workers and a moment more:
	// a worker still importing Django when SIGTERM comes finishes the import
	// first, which on a loaded machine takes seconds and is not what the
	// stop timing is about.
	settle := func(id string, workers int) {
		t.Helper()
		NewWithT(t).Eventually(func() int { return strings.Count(logs(id), "Booting worker with pid") }, 30*time.Second, 200*time.Millisecond).
			Should(BeNumerically(">=", workers))
		time.Sleep(time.Second)
	}

	it("builds a Django project without a Procfile: collectstatic at build, gunicorn on WSGI_APPLICATION, workers from the limits", func() {
		a := newApp(t, "python/django")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("Running python manage.py collectstatic --noinput"))
		Expect(out).To(MatchRegexp(`\d+ static files? copied to '/workspace/staticfiles'`))
		Expect(out).To(ContainSubstring(`sh -c exec gunicorn --bind "0.0.0.0:${PORT:-8080}" mysite.wsgi:application`))
		Expect(out).To(ContainSubstring("/layers/onbuild_python/start/bin/supervise"))

		url := a.start()
		Expect(a.get(url + "/")).To(Equal("Hello from Django"))
		Expect(a.get(url+"/static/site.css")).To(ContainSubstring("rebeccapurple"), "whitenoise serves what collectstatic gathered at build time")
		Expect(logs(last(a))).To(MatchRegexp(`onbuild: WEB_CONCURRENCY=\d+: 2×\d+ CPUs \+ 1 = \d+; no memory limit \(cgroup v[12]\)`))

		url = a.startWith([]string{"--memory", "512m"})
		Expect(a.get(url + "/env")).To(ContainSubstring(`"web_concurrency": "2"`))
		settle(last(a), 2)
		output := logs(last(a))
		Expect(output).To(ContainSubstring("onbuild: WEB_CONCURRENCY=2: "))
		Expect(output).To(ContainSubstring("memory limit 512 MiB / 256 MiB = 2"))
		Expect(strings.Count(output, "Booting worker with pid")).To(Equal(2), output)
		Expect(stop(last(a))).To(BeNumerically("<", 5*time.Second), "gunicorn, started by a guessed command, must get docker stop's SIGTERM")
		Expect(logs(last(a))).To(ContainSubstring("Shutting down: Master"))

		url = a.startWith([]string{"--cpus", "1", "--memory", "2g"})
		Expect(a.get(url + "/env")).To(ContainSubstring(`"web_concurrency": "3"`))
		Expect(logs(last(a))).To(ContainSubstring("onbuild: WEB_CONCURRENCY=3: 2×1 CPU quota + 1 = 3; memory limit 2048 MiB / 256 MiB = 8"))

		url = a.start("WEB_CONCURRENCY=1")
		Expect(a.get(url + "/env")).To(ContainSubstring(`"web_concurrency": "1"`))
		Expect(logs(last(a))).To(ContainSubstring("onbuild: WEB_CONCURRENCY=1, as set for the container"))
	})

	it("runs a Django Procfile of migrate && collectstatic && gunicorn, writes its database, and stops at once", func() {
		a := newApp(t, "python/django")
		a.write("Procfile", "web: python manage.py migrate --noinput && python manage.py collectstatic --noinput && gunicorn --bind 0.0.0.0:$PORT mysite.wsgi\n")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("Running python manage.py collectstatic --noinput"))
		Expect(out).To(ContainSubstring("/layers/onbuild_python/start/bin/supervise sh -c python manage.py migrate --noinput && "))
		Expect(out).NotTo(ContainSubstring("Warning: Procfile process"))

		url := a.startWith([]string{"--memory", "512m"})
		// get retries until it gets a 200, so count from what it saw.
		var first, second int
		_, err := fmt.Sscanf(a.get(url+"/users"), `{"users": %d}`, &first)
		Expect(err).NotTo(HaveOccurred())
		_, err = fmt.Sscanf(a.get(url+"/users"), `{"users": %d}`, &second)
		Expect(err).NotTo(HaveOccurred())
		Expect(first).To(BeNumerically(">=", 1))
		Expect(second).To(Equal(first+1), "the app writes its SQLite database in the app directory")
		Expect(a.get(url + "/static/site.css")).To(ContainSubstring("rebeccapurple"))

		settle(last(a), 2)
		Expect(stop(last(a))).To(BeNumerically("<", 5*time.Second), "the shell of a && list must not swallow SIGTERM")
		output := logs(last(a))
		Expect(output).To(ContainSubstring("Handling signal: term"))
		Expect(output).To(ContainSubstring("Shutting down: Master"))
	})

	it("serves a FastAPI app without a Procfile on uvicorn, checked at build time, and stops at once", func() {
		a := newApp(t, "python/fastapi")
		out := a.mustBuild()
		Expect(out).To(ContainSubstring("Checked the entry point main:app: it imports and speaks ASGI"))
		Expect(out).To(ContainSubstring(`sh -c exec uvicorn --host 0.0.0.0 --port "${PORT:-8080}" main:app`))

		url := a.startWith([]string{"--memory", "512m"})
		Expect(a.get(url + "/")).To(Equal(`{"hello":"fastapi","web_concurrency":"2"}`))
		Expect(stop(last(a))).To(BeNumerically("<", 5*time.Second))
		Expect(logs(last(a))).To(ContainSubstring("Finished server process"))
	})

	it("refuses a WSGI app under an ASGI-only server, and warns about a Procfile program nothing installs", func() {
		a := newApp(t, "python/wsgi-under-asgi")
		out, err := a.build()
		Expect(err).To(HaveOccurred(), out)
		Expect(out).To(ContainSubstring("[Error: WSGI app under an ASGI server]"))
		Expect(out).To(ContainSubstring("app:app is a WSGI app"))
		Expect(out).To(ContainSubstring("installed is uvicorn, which serves ASGI apps only"))
		Expect(out).To(ContainSubstring("Add gunicorn to requirements.txt"))

		a.write("Procfile", "web: gunicorn --bind 0.0.0.0:$PORT app:app\n")
		out = a.mustBuild()
		Expect(out).To(ContainSubstring(`Warning: Procfile process "web" runs gunicorn, which is neither in the virtualenv nor in the image`))
		Expect(out).To(ContainSubstring(`"gunicorn: not found"`))
	})

	it("stops a plain Procfile program that has no SIGTERM handler at once", func() {
		a := newApp(t, "python/procfile")
		a.mustBuild()
		url := a.start()
		Expect(a.get(url + "/")).To(Equal("served by the Procfile"))
		Expect(stop(last(a))).To(BeNumerically("<", 5*time.Second), "python server.py must not be PID 1, which ignores SIGTERM")
	})
}

// startWith is start with more docker run flags (--memory, --cpus).
func (a *app) startWith(flags []string, env ...string) string {
	a.t.Helper()
	args := append([]string{"run", "-d", "-p", "127.0.0.1::8080"}, flags...)
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	out, err := exec.Command("docker", append(args, a.image)...).CombinedOutput()
	if err != nil {
		a.t.Fatalf("docker run %s: %v\n%s", a.image, err, out)
	}
	id := strings.TrimSpace(string(out))
	a.containers = append(a.containers, id)
	a.t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", id).Run() })
	port, err := exec.Command("docker", "port", id, "8080/tcp").Output()
	if err != nil {
		a.t.Fatalf("docker port %s: %v", id, err)
	}
	hostPort := strings.TrimSpace(strings.Split(string(port), "\n")[0])
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(hostPort) {
		a.t.Fatalf("container port published on %q, expected 127.0.0.1", hostPort)
	}
	return "http://" + hostPort
}

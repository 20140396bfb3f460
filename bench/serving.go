package main

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The serving rows run onbuild's image and the multi-stage Dockerfile's
// under the same limits: one CPU's quota and 512 MiB, a small container
// of the kind a platform gives a web app. onbuild sizes its gunicorn
// workers from them (internal/workers); the Dockerfile's CMD takes
// gunicorn's default.
const (
	servingCPUs   = "1"
	servingMemory = "512m"
	// servingConnections keeps more requests in flight than any image here
	// has workers, so every worker is busy.
	servingConnections = 16
)

// servingPlan is how much each image is measured. The images are
// measured in rounds, onbuild's and the Dockerfile's in turn, so a
// machine whose load moves (a shared Docker engine) moves both alike;
// each round starts each image starts times (the first response's median
// is over all of them) and loads the last start. The quick run keeps every
// step, short.
type servingPlan struct {
	rounds, starts int
	warmUp, load   time.Duration
}

func (b *bench) servingPlan() servingPlan {
	if b.quick {
		return servingPlan{rounds: 1, starts: 1, warmUp: time.Second, load: 2 * time.Second}
	}
	return servingPlan{rounds: 3, starts: 3, warmUp: 2 * time.Second, load: 10 * time.Second}
}

// servingApps are the apps whose images get serving rows, and the
// variants measured: onbuild's against the careful Dockerfile's.
var servingApps = []string{"Flask", "Go"}

func servesVariant(app, variant string) bool {
	return contains(servingApps, app) && (variant == "onbuild" || variant == "multi-stage Dockerfile")
}

// servedImage is an image kept for the serving rows after its builds.
type servedImage struct {
	app, variant, image string
	// env is given to the container: the one-worker diagnostic run of
	// onbuild's Flask image sets WEB_CONCURRENCY=1.
	env string
}

// keepForServing tags the image the builds left (its last change
// applied) under a name of its own, which the build scenarios' clean-up
// leaves alone, to serve once every build is done: no build competes with
// the load.
func (b *bench) keepForServing(app, variant, image string) error {
	kept := image + "-serving"
	if _, err := b.sh("docker", "tag", image, kept); err != nil {
		return err
	}
	b.served = append(b.served, servedImage{app: app, variant: variant, image: kept})
	return nil
}

// serveAll measures the kept images in rounds, then removes them.
func (b *bench) serveAll(report *table) error {
	defer func() {
		for _, s := range b.served {
			_ = exec.Command("docker", "image", "rm", s.image).Run()
		}
	}()
	plan := b.servingPlan()
	runs := append([]servedImage{}, b.served...)
	for _, s := range b.served {
		// The quick run proves the rows work; the diagnostic is one more
		// run of the same code, not worth its time there.
		if s.app == "Flask" && s.variant == "onbuild" && !b.quick {
			// Where onbuild's start differs from the Dockerfile's other
			// than in its worker count: the same image with one worker.
			one := s
			one.variant, one.env = "onbuild, WEB_CONCURRENCY=1", "WEB_CONCURRENCY=1"
			runs = append(runs, one)
		}
	}
	for round := 0; round < plan.rounds; round++ {
		for _, s := range runs {
			if err := b.serve(report, s, plan, round == plan.rounds-1); err != nil {
				return fmt.Errorf("serving %s, %s: %w", s.app, s.variant, err)
			}
		}
	}
	return nil
}

// serve measures one image for one round: time from `docker run` to the
// first HTTP 200, then requests per second and p99 latency under wrk, and
// memory at rest after the load; on the last round, the workers it ran.
// The one-worker diagnostic run goes to the notes, not to the table's
// columns.
func (b *bench) serve(report *table, s servedImage, plan servingPlan, last bool) error {
	var container string
	defer func() {
		if container != "" {
			_ = exec.Command("docker", "rm", "-f", container).Run()
		}
	}()
	var port int
	for i := 0; i < plan.starts; i++ {
		if container != "" {
			_ = exec.Command("docker", "rm", "-f", container).Run()
			container = ""
		}
		var err error
		if port, err = freePort(); err != nil {
			return err
		}
		name := fmt.Sprintf("%sserve-%d", imagePrefix, port)
		args := []string{"run", "-d", "--name", name, "--cpus", servingCPUs, "--memory", servingMemory,
			"-p", fmt.Sprintf("127.0.0.1:%d:8080", port)}
		if s.env != "" {
			args = append(args, "-e", s.env)
		}
		start := time.Now()
		if _, err := b.sh("docker", append(args, s.image)...); err != nil {
			return err
		}
		container = name
		if err := firstOK(port, 60*time.Second); err != nil {
			logs, _ := exec.Command("docker", "logs", "--tail", "30", name).CombinedOutput()
			return fmt.Errorf("%w\n%s", err, logs)
		}
		took := time.Since(start)
		progress("serving %s, %s: start answered in %s", s.app, s.variant, took.Round(time.Millisecond))
		report.addServing(s, "docker run to first HTTP 200", took.Seconds(), "%.2f s")
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if _, err := wrk(url, plan.warmUp); err != nil {
		return err
	}
	load, err := wrk(url, plan.load)
	if err != nil {
		return err
	}
	progress("serving %s, %s: %.0f requests/s, p99 %.1f ms", s.app, s.variant, load.rps, load.p99.Seconds()*1000)
	report.addServing(s, "requests/s", load.rps, "%.0f")
	report.addServing(s, "p99 latency", load.p99.Seconds()*1000, "%.1f ms")
	// At rest: the load's connections closed and the workers idle again.
	time.Sleep(time.Second)
	memory, err := containerMemory(container)
	if err != nil {
		return err
	}
	report.addServing(s, "memory at rest after the load", float64(memory)/1e6, "%.1f MB")
	if !last {
		return nil
	}
	workers, err := b.workers(s, container)
	if err != nil {
		return err
	}
	report.note(workers)
	return nil
}

// addServing adds a serving measure: to the table for onbuild and the
// Dockerfile, to the diagnostics for the one-worker run.
func (t *table) addServing(s servedImage, measure string, value float64, format string) {
	scenario := s.app + ": serving, " + measure
	if s.env == "" {
		t.addValue(scenario, s.variant, value, format)
		return
	}
	if t.diagnostics == nil {
		t.diagnostics = map[string][]float64{}
		t.diagnosticFormats = map[string]string{}
	}
	key := scenario + " (" + s.variant + ")"
	if _, ok := t.diagnostics[key]; !ok {
		t.diagnosticOrder = append(t.diagnosticOrder, key)
	}
	t.diagnostics[key] = append(t.diagnostics[key], value)
	t.diagnosticFormats[key] = format
}

// servingNotes says how the serving rows were measured and whether the
// goals were met.
func (t *table) servingNotes(plan servingPlan) {
	if t.values == nil {
		return
	}
	ran := false
	for _, app := range servingApps {
		first := app + ": serving, docker run to first HTTP 200"
		rps := app + ": serving, requests/s"
		ours, theirs := t.values[first]["onbuild"], t.values[first]["multi-stage Dockerfile"]
		oursRPS, theirsRPS := t.values[rps]["onbuild"], t.values[rps]["multi-stage Dockerfile"]
		if len(ours) == 0 || len(theirs) == 0 || len(oursRPS) == 0 || len(theirsRPS) == 0 {
			continue
		}
		ran = true
		startRatio := medianValue(ours) / medianValue(theirs)
		rpsRatio := medianValue(oursRPS) / medianValue(theirsRPS)
		t.note(fmt.Sprintf("serving, %s: onbuild's first response %.2f× the multi-stage Dockerfile's (goal ≤ 1.1×: %s); "+
			"its requests/s %.2f× (goal ≥ 1×: %s)", app, startRatio, met(startRatio <= 1.1), rpsRatio, met(rpsRatio >= 1)))
	}
	for _, key := range t.diagnosticOrder {
		t.note(fmt.Sprintf("diagnostic, %s: "+t.diagnosticFormats[key], key, medianValue(t.diagnostics[key])))
	}
	if ran {
		t.note(fmt.Sprintf("serving rows: each image run with --cpus %s --memory %s, published on 127.0.0.1; first HTTP 200 "+
			"polled every 10 ms from `docker run`, median of %d starts; wrk -t2 -c%d for %s after a %s warm-up "+
			"(median of %d rounds, the images in turn), on the same cores; memory by docker stats 1 s after the load",
			servingCPUs, servingMemory, plan.rounds*plan.starts, servingConnections, plan.load, plan.warmUp, plan.rounds))
	}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

// firstOK polls the port until it answers 200. A short timeout per try:
// before the app listens, docker-proxy accepts and then drops the
// connection.
func firstOK(port int, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	deadline := time.Now().Add(limit)
	var last string
	for time.Now().Before(deadline) {
		response, err := client.Get(url)
		if err == nil {
			response.Body.Close()
			if response.StatusCode == http.StatusOK {
				return nil
			}
			last = response.Status
		} else {
			last = err.Error()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("no HTTP 200 on %s within %s (last: %s)", url, limit, last)
}

type wrkResult struct {
	rps float64
	p99 time.Duration
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99     = regexp.MustCompile(`(?m)^\s+99%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkErrors  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockets = regexp.MustCompile(`Socket errors: connect (\d+), read \d+, write \d+, timeout (\d+)`)
)

// wrk loads url for d and reads the requests per second and the p99
// latency. Responses other than 2xx, failed connections and timeouts fail
// the run: a rate of errors is no rate.
func wrk(url string, d time.Duration) (wrkResult, error) {
	args := []string{"-t2", fmt.Sprintf("-c%d", servingConnections), fmt.Sprintf("-d%ds", int(d.Seconds())), "--latency", url}
	out, err := exec.Command("wrk", args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w (run `make bench`, which installs it with tools/wrk.sh)\n%s", strings.Join(args, " "), err, out)
	}
	return parseWrk(string(out))
}

func parseWrk(out string) (wrkResult, error) {
	if match := wrkErrors.FindStringSubmatch(out); match != nil {
		return wrkResult{}, fmt.Errorf("wrk saw %s responses other than 2xx or 3xx:\n%s", match[1], out)
	}
	if match := wrkSockets.FindStringSubmatch(out); match != nil && (match[1] != "0" || match[2] != "0") {
		return wrkResult{}, fmt.Errorf("wrk saw %s failed connections and %s timeouts:\n%s", match[1], match[2], out)
	}
	rps, p99 := wrkRPS.FindStringSubmatch(out), wrkP99.FindStringSubmatch(out)
	if rps == nil || p99 == nil {
		return wrkResult{}, fmt.Errorf("no requests/s or p99 latency in wrk's output:\n%s", out)
	}
	var result wrkResult
	result.rps, _ = strconv.ParseFloat(rps[1], 64)
	latency, err := time.ParseDuration(p99[1] + p99[2])
	if err != nil {
		return wrkResult{}, err
	}
	result.p99 = latency
	return result, nil
}

var memUsage = regexp.MustCompile(`^([0-9.]+)\s*([KMG]i?B|B)\s*/`)

// containerMemory is the memory docker stats reports the container using
// (the cgroup's usage less its page cache).
func containerMemory(container string) (int64, error) {
	out, err := exec.Command("docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", container).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("docker stats %s: %w\n%s", container, err, out)
	}
	return parseMemUsage(strings.TrimSpace(string(out)))
}

func parseMemUsage(usage string) (int64, error) {
	match := memUsage.FindStringSubmatch(usage)
	if match == nil {
		return 0, fmt.Errorf("unexpected docker stats memory %q", usage)
	}
	value, err := strconv.ParseFloat(match[1], 64)
	if err != nil {
		return 0, err
	}
	unit := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}[match[2]]
	if unit == 0 {
		return 0, fmt.Errorf("unexpected docker stats memory unit in %q", usage)
	}
	return int64(value * unit), nil
}

var concurrencyLine = regexp.MustCompile(`onbuild: WEB_CONCURRENCY=[^\n]*`)

// workers counts the server processes the container runs and says why
// there are that many: gunicorn is a master and its workers; a Go server
// is one process.
func (b *bench) workers(s servedImage, container string) (string, error) {
	app, variant := s.app, s.variant
	out, err := b.sh("docker", "top", container, "-o", "pid,args")
	if err != nil {
		return "", err
	}
	var processes []string
	gunicorn := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		processes = append(processes, strings.Join(fields[1:], " "))
		// onbuild's supervisor names the command it started, gunicorn's
		// among them; it is no gunicorn process.
		if strings.Contains(line, "gunicorn") && filepath.Base(fields[1]) != "supervise" {
			gunicorn++
		}
	}
	why := ""
	switch {
	case app == "Go":
		// Go 1.24 sets GOMAXPROCS from the machine's CPUs, not the quota,
		// in both images alike.
		why = fmt.Sprintf("one Go process, GOMAXPROCS the machine's CPU count (%s)", strings.Join(processes, "; "))
	case strings.HasPrefix(variant, "onbuild"):
		logs, _ := exec.Command("docker", "logs", container).CombinedOutput()
		reason := concurrencyLine.FindString(string(logs))
		if reason == "" {
			reason = "no WEB_CONCURRENCY line in its log"
		}
		why = fmt.Sprintf("%d gunicorn worker(s) beside the master, as web-concurrency chose at start (%s)", gunicorn-1, reason)
	default:
		why = fmt.Sprintf("%d gunicorn worker(s) beside the master: gunicorn's default, its CMD sets no --workers", gunicorn-1)
	}
	return fmt.Sprintf("serving, %s, %s: %s; %d process(es) in the container", app, variant, why, len(processes)), nil
}

// Command bench measures onbuild against the Dockerfile ways it replaces, on
// the same machine, the same Debian bases (the flavour of the builder
// measured) and the same local Python index, and prints markdown tables
// (also written to bench/RESULTS.md): times, onbuild's time above the
// lifecycle floor, onbuild's time per lifecycle phase and outside them, and
// the bytes each cache layer costs to restore and to save. Run it with
// `make bench`, which builds the builder first; BENCH_RUNS sets how many
// times each scenario runs (default 3), ONBUILD_BUILDER the builder
// measured, and BENCH_APPS (comma-separated app names: Flask, Go, Flask
// (requirements.txt), Flask (uv.lock), Flask (poetry.lock), Flask (Python
// 3.12), Flask (psycopg, libpq5 from Debian)) runs only
// those, printing the tables without writing RESULTS.md. BENCH_QUICK=1 runs
// every kind of scenario once, small (a Go app that imports nothing, the
// lock apps' package added only), and writes nothing: the integration
// suite runs it so the bench cannot silently break.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/onbuild-buildpacks/onbuild/internal/problem"
	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

var (
	// builder is the builder measured; the floor builder and the bench's
	// images and volumes take their names from it, so two checkouts can
	// measure at once on one Docker engine.
	builder      = envOr("ONBUILD_BUILDER", "onbuild/builder")
	floorBuilder = builder + "-bench-floor"
	imagePrefix  = "onbuild-bench-" + strings.NewReplacer("/", "-", ":", "-").Replace(strings.TrimPrefix(builder, "onbuild/")) + "-"
	// The Dockerfiles' bases, built before any clock starts.
	pythonOnbuildBase = imagePrefix + "base-python-onbuild"
	goBase            = imagePrefix + "base-go"
	goOnbuildBase     = imagePrefix + "base-go-onbuild"
)

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// bench holds what every scenario needs.
type bench struct {
	root  string
	pack  string
	index *pyindex.Server
	runs  int
	// phases collects, per scenario, the lifecycle's phase timers of each
	// onbuild run, and the time outside them (before, between, after).
	phases map[string][]map[string]time.Duration
	// layers collects, per scenario, each cache layer's restore and save
	// bytes of each onbuild run.
	layers map[string][]map[string]layerBytes
	// done and total count builds, for the progress lines.
	done, total int
	// caBinding is a ca-certificates binding of this machine's CAs, and
	// goproxy its GOPROXY, both read at run time, for the Go builds.
	caBinding string
	goproxy   string
	// started names this bench run in the edits its rebuilds make, and
	// mounts holds each Dockerfile image's cache mount prefix since its
	// cold build: BuildKit's layer cache outlives a bench run, and its cache
	// mounts outlive --no-cache, so a rebuild's edit must differ from every
	// earlier run's and a cold build needs cache mounts of its own.
	started string
	mounts  map[string]string
	// only, from BENCH_APPS, names the apps to run; all when empty.
	only []string
	// quick, from BENCH_QUICK, runs every scenario once, small.
	quick bool
	// flavour is the builder's stack flavour (trixie, bookworm): the
	// Dockerfiles and the floor use its images, so every variant runs on
	// the same Debian.
	flavour string
	// docker is the docker client that speaks BuildKit here.
	docker dockerClient
	// served are the images kept for the serving rows (bench/serving.go).
	served []servedImage
}

// stackImage is the flavour's stack image NAME (build, run-python, run-tiny).
func (b *bench) stackImage(name string) string { return "onbuild/stack-" + name + ":" + b.flavour }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	b, err := setUp()
	if err != nil {
		return err
	}
	defer b.index.Close()

	report := &table{}
	if err := b.measure(report); err != nil {
		return err
	}
	if err := b.serveAll(report); err != nil {
		return err
	}
	report.servingNotes(b.servingPlan())
	out := report.markdown(b.machine()) + phaseTable(b.phases) + layerTable(b.layers)
	fmt.Print(out)
	if len(b.only) > 0 || b.quick {
		// A partial or quick run would replace the record with rows that
		// are not measurements.
		return nil
	}
	return os.WriteFile(filepath.Join(b.root, "bench", "RESULTS.md"), []byte(out), 0644)
}

func setUp() (*bench, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	b := &bench{root: root, pack: os.Getenv("PACK"), runs: 3,
		started: time.Now().UTC().Format(time.RFC3339Nano), mounts: map[string]string{},
		phases: map[string][]map[string]time.Duration{}, layers: map[string][]map[string]layerBytes{}}
	if b.pack == "" {
		return nil, fmt.Errorf("PACK is not set: run `make bench`")
	}
	if runs := os.Getenv("BENCH_RUNS"); runs != "" {
		if b.runs, err = strconv.Atoi(runs); err != nil || b.runs < 1 {
			return nil, fmt.Errorf("BENCH_RUNS must be a positive number, not %q", runs)
		}
	}
	if os.Getenv("BENCH_QUICK") == "1" {
		b.quick, b.runs = true, 1
	}
	for _, name := range strings.Split(os.Getenv("BENCH_APPS"), ",") {
		if name = strings.TrimSpace(name); name != "" {
			b.only = append(b.only, name)
		}
	}
	if b.flavour, err = builderFlavour(builder); err != nil {
		return nil, err
	}
	if b.docker, err = buildKitClient(); err != nil {
		return nil, err
	}
	progress("setting up: the local Python index, the floor builder %s and the Dockerfile bases, on %s", floorBuilder, b.flavour)
	// The index is made from the flavour's Debian packages, so every
	// version the bench adds is read from it, never written down.
	wheels, err := pyindex.Build(context.Background(), pyindex.Options{
		CacheDir: filepath.Join(root, ".cache", "pyindex"), Packages: benchPackages, Stderr: os.Stderr,
		Image: b.stackImage("build"),
	})
	if err != nil {
		return nil, err
	}
	if b.index, err = pyindex.Serve(wheels); err != nil {
		return nil, err
	}
	if b.caBinding, err = writeCABinding(filepath.Join(root, "out", "bench-ca")); err != nil {
		return nil, err
	}
	// The floor and the Dockerfile bases serve the Flask and Go rows only.
	if !b.selected("Flask") && !b.selected("Go") {
		return b, nil
	}
	if err := b.floorBuilder(); err != nil {
		return nil, err
	}
	if _, err := b.docker.build("-q", "-t", pythonOnbuildBase, "--build-arg", "BUILD_IMAGE="+b.stackImage("build"),
		"-f", "bench/python/onbuild.Dockerfile", "bench/python"); err != nil {
		return nil, err
	}
	if !b.selected("Go") {
		return b, nil
	}
	return b, b.goBases()
}

// selected tells whether BENCH_APPS asks for the app (all run without it).
func (b *bench) selected(app string) bool {
	if len(b.only) == 0 {
		return true
	}
	for _, name := range b.only {
		if name == app {
			return true
		}
	}
	return false
}

// goToolchain is what onbuild picks for the bench app's `go 1.24` (the
// newest 1.24 patch in buildpacks/go/buildpack.toml); the Dockerfiles get
// the same one.
const goToolchain = "golang.org/toolchain@v0.0.1-go1.24.13.linux-amd64"

// caBundle is this machine's CA bundle: onbuild's builds get it as a
// binding and the Dockerfiles' Go base in its context, for a network that
// re-signs HTTPS. It is copied at run time, never committed.
func caBundle() string {
	if bundle := os.Getenv("SSL_CERT_FILE"); bundle != "" {
		return bundle
	}
	return "/etc/ssl/certs/ca-certificates.crt"
}

// writeCABinding writes a ca-certificates binding of caBundle into dir.
func writeCABinding(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0755); err != nil {
		return "", err
	}
	if err := copyFile(caBundle(), filepath.Join(dir, "ca-certificates.crt")); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "type"), []byte("ca-certificates\n"), 0644)
}

// goBases builds the Dockerfile bases for Go from a context made at run
// time: the toolchain zip from the module cache and this machine's CAs.
func (b *bench) goBases() error {
	context := filepath.Join(b.root, "out", "bench-go")
	if err := os.MkdirAll(context, 0755); err != nil {
		return err
	}
	if err := copyFile(caBundle(), filepath.Join(context, "ca.pem")); err != nil {
		return err
	}
	proxy, err := b.sh("go", "env", "GOPROXY")
	if err != nil {
		return err
	}
	b.goproxy = strings.TrimSpace(proxy)
	zip, err := b.sh("go", "mod", "download", "-json", goToolchain)
	if err != nil {
		return err
	}
	var module struct{ Zip string }
	if err := json.Unmarshal([]byte(zip), &module); err != nil || module.Zip == "" {
		return fmt.Errorf("no zip for %s: %v", goToolchain, err)
	}
	if err := copyFile(module.Zip, filepath.Join(context, "go.zip")); err != nil {
		return err
	}
	if _, err := b.docker.build("-q", "-t", goBase, "--build-arg", "BUILD_IMAGE="+b.stackImage("build"),
		"-f", "bench/go/base.Dockerfile", context); err != nil {
		return err
	}
	_, err = b.docker.build("-q", "-t", goOnbuildBase, "--build-arg", "BASE="+goBase, "-f", "bench/go/onbuild.Dockerfile", context)
	return err
}

func copyFile(from, to string) error {
	content, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, content, 0644)
}

// floorBuilder makes the same builder with a no-op buildpack: the lifecycle's
// cost on these stacks, which no buildpack can go below.
func (b *bench) floorBuilder() error {
	dir := filepath.Join(b.root, "out", "bench-floor")
	config := fmt.Sprintf(`[[buildpacks]]
  uri = %q
[[order]]
  [[order.group]]
    id = "onbuild/bench-noop"
[build]
  image = %q
[[run.images]]
  image = %q
[lifecycle]
  uri = %q
`, filepath.Join(b.root, "bench", "floor"), b.stackImage("build"), b.stackImage("run-python"), b.lifecycle())
	if err := os.MkdirAll(dir, 0755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "builder.toml"), []byte(config), 0644); err != nil {
		return err
	}
	_, err := b.sh(b.pack, "builder", "create", floorBuilder, "--config", filepath.Join(dir, "builder.toml"), "--pull-policy", "never")
	return err
}

func (b *bench) lifecycle() string {
	out, err := exec.Command(filepath.Join(b.root, "tools", "lifecycle.sh")).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// benchApp is one sample app and the edits its rebuild scenarios make.
type benchApp struct {
	name     string
	source   string
	variants []variant
	changes  []change
	// prepare, when set, turns the copied source into the app before the
	// cold build (it is not timed).
	prepare func(dir string) error
}

type change struct {
	scenario string
	apply    func(dir string, run int) error
}

// variant is one way of building an image: build(image, appDir, cold).
type variant struct {
	name  string
	build func(image, dir string, cold bool) (buildRun, error)
}

// buildRun is one timed build: its output and, for pack, when the bench
// saw the lifecycle start and end, to tell pack's own time from the
// lifecycle's.
type buildRun struct {
	took                         time.Duration
	out                          string
	lifecycleStart, lifecycleEnd time.Duration
}

func (b *bench) apps() []benchApp {
	caArgs := []string{"--volume", b.caBinding + ":/platform/bindings/ca-certificates"}
	goArgs := append([]string{"--run-image", b.stackImage("run-tiny")}, caArgs...)
	goSource := "integration/testdata/go/web"
	if b.quick {
		// Only the runtime to compile: the quick run proves every step
		// works, it measures nothing.
		goSource = "bench/quick/go"
	}
	apps := []benchApp{{
		name:   "Flask",
		source: "samples/python",
		variants: []variant{
			{"onbuild", b.packBuild(builder)},
			{"ONBUILD Dockerfile", b.dockerBuild("bench/python/app.Dockerfile", "BASE="+pythonOnbuildBase)},
			{"multi-stage Dockerfile", b.dockerBuild("bench/python/multistage.Dockerfile",
				"BUILD_IMAGE="+b.stackImage("build"), "RUN_IMAGE="+b.stackImage("run-python"))},
			{"floor (no-op buildpack)", b.packBuild(floorBuilder)},
		},
		changes: []change{
			{"rebuild after an app-file change", func(dir string, run int) error {
				return appendFile(filepath.Join(dir, "app.py"), "\n# "+b.edit(run)+"\n")
			}},
			{"rebuild after one requirement change", func(dir string, run int) error {
				return b.addIndexPin(dir, "six")
			}},
		},
	}, {
		name:   "Go",
		source: goSource,
		variants: []variant{
			{"onbuild", b.packBuild(builder, goArgs...)},
			{"ONBUILD Dockerfile", b.dockerBuild("bench/go/app.Dockerfile", "BASE="+goOnbuildBase)},
			{"multi-stage Dockerfile", b.dockerBuild("bench/go/multistage.Dockerfile",
				"BASE="+goBase, "RUN_IMAGE="+b.stackImage("run-tiny"))},
			{"floor (no-op buildpack)", b.packBuild(floorBuilder)},
		},
		changes: []change{
			{"rebuild after one .go file change", func(dir string, run int) error {
				return appendFile(filepath.Join(dir, "greeting.go"), "\n// "+b.edit(run)+"\n")
			}},
		},
	}}
	return append(append(apps, b.lockApps()...), b.pythonApps()...)
}

// measure runs every app through every variant, b.runs times.
func (b *bench) measure(report *table) error {
	for _, app := range b.apps() {
		if !b.selected(app.name) {
			continue
		}
		b.total += len(app.variants) * b.runs * (1 + len(app.changes))
	}
	for _, app := range b.apps() {
		if !b.selected(app.name) {
			continue
		}
		for _, v := range app.variants {
			for i := 0; i < b.runs; i++ {
				if err := b.appRun(report, app, v, i); err != nil {
					return fmt.Errorf("%s, %s, run %d: %w", app.name, v.name, i+1, err)
				}
			}
		}
	}
	return nil
}

func (b *bench) appRun(report *table, app benchApp, v variant, i int) error {
	dir, err := os.MkdirTemp("", "onbuild-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(b.root, app.source))); err != nil {
		return err
	}
	image := imagePrefix + strings.Trim(imageWord.ReplaceAllString(strings.ToLower(app.name), "-"), "-") + "-" + strings.Fields(strings.ToLower(v.name))[0]
	defer b.clean(image)
	b.clean(image)

	pack := v.name == "onbuild" || strings.HasPrefix(v.name, "floor")
	cached := map[string]cachedLayer{}
	cold := func(string, int) error { return nil }
	if app.prepare != nil {
		cold = func(dir string, _ int) error { return app.prepare(dir) }
	}
	steps := append([]change{{"cold build", cold}}, app.changes...)
	for n, step := range steps {
		scenario := app.name + ": " + step.scenario
		if err := step.apply(dir, i); err != nil {
			return err
		}
		flask, six := b.index.Downloads("flask"), b.index.Downloads("six")
		run, err := v.build(image, dir, n == 0)
		b.done++
		progress("[%d/%d] %s, %s, run %d: %s", b.done, b.total, scenario, v.name, i+1, seconds(run.took))
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", scenario, err, problem.LastLines(run.out, 30))
		}
		report.add(scenario, v.name, run.took)
		if app.name == "Go" && n == 0 {
			// The Dockerfiles' base holds the toolchain already; onbuild
			// downloads it in its first build.
			report.add(app.name+": cold build, toolchain download set apart", v.name, run.took-toolchainDownload(run.out))
		}
		if pack {
			key := scenario + " (" + v.name + ")"
			b.phases[key] = append(b.phases[key], run.phases())
			after, err := b.cacheLayers(cacheVolume(run.out, image))
			if err != nil {
				return err
			}
			b.layers[key] = append(b.layers[key], layerUse(cached, after, run.out))
			cached = after
		}
		if v.name == "onbuild" && strings.Contains(scenario, "requirement change") {
			report.note(fmt.Sprintf("onbuild, one requirement change: downloaded six %d time(s), flask %d time(s)",
				b.index.Downloads("six")-six, b.index.Downloads("flask")-flask))
		}
		if v.name == "onbuild" && strings.Contains(scenario, "package added") {
			report.note(fmt.Sprintf("onbuild, %s: downloaded six %d time(s), flask %d time(s)",
				scenario, b.index.Downloads("six")-six, b.index.Downloads("flask")-flask))
		}
		if n == 0 {
			if err := b.sizes(report, app, v, image); err != nil {
				return err
			}
		}
	}
	if servesVariant(app.name, v.name) && i == b.runs-1 {
		return b.keepForServing(app.name, v.name, image)
	}
	return nil
}

var cacheVolumeLine = regexp.MustCompile(`Using build cache volume '([^']+)'`)

// cacheVolume is the build cache volume pack says it used: with the
// --cache value above, pack v0.40 takes the last name given for both.
func cacheVolume(out, image string) string {
	if match := cacheVolumeLine.FindStringSubmatch(out); match != nil {
		return match[1]
	}
	return image + "-build"
}

// progress shows where a long bench is, on stderr; stdout is the table.
func progress(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

var downloadTimer = regexp.MustCompile(`Installed Go \S+ in \S+ \(download ([0-9.]+[mµn]?s)`)

// toolchainDownload reads how long onbuild/go took to download the
// toolchain, from its log; 0 when it did not.
func toolchainDownload(out string) time.Duration {
	if match := downloadTimer.FindStringSubmatch(out); match != nil {
		if d, err := time.ParseDuration(match[1]); err == nil {
			return d
		}
	}
	return 0
}

// sizes records the image size, and for Go the size of the binary in it.
func (b *bench) sizes(report *table, app benchApp, v variant, image string) error {
	size, err := b.imageSize(image)
	if err != nil {
		return err
	}
	report.addSize(app.name+": image size", v.name, size)
	if v.name == "onbuild" {
		report.id(app.name, b.imageID(image))
	}
	if app.name != "Go" || strings.HasPrefix(v.name, "floor") {
		return nil
	}
	path := "/home/cnb/app"
	switch v.name {
	case "onbuild":
		path = "/layers/onbuild_go/binaries/bin/"
	case "multi-stage Dockerfile":
		path = "/app"
	}
	binary, err := b.copiedSize(image, path)
	if err != nil {
		return err
	}
	report.addSize("Go: binary size", v.name, binary)
	return nil
}

// copiedSize copies a path out of an image (which may have no shell) and
// returns the size of the files copied.
func (b *bench) copiedSize(image, path string) (int64, error) {
	out, err := b.sh("docker", "create", image)
	if err != nil {
		return 0, err
	}
	id := strings.TrimSpace(out)
	defer exec.Command("docker", "rm", "-f", id).Run()
	dir, err := os.MkdirTemp("", "onbuild-bench-copy-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	if _, err := b.sh("docker", "cp", id+":"+path, dir); err != nil {
		return 0, err
	}
	var total int64
	err = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			total += info.Size()
		}
		return err
	})
	return total, err
}

func (b *bench) packBuild(builder string, extra ...string) func(image, dir string, cold bool) (buildRun, error) {
	return func(image, dir string, cold bool) (buildRun, error) {
		args := append([]string{"build", image, "--builder", builder, "--path", dir, "-v",
			"--pull-policy", "never", "--trust-builder", "--network", "host",
			"--cache", fmt.Sprintf("type=build;format=volume;name=%s-build;type=launch;format=volume;name=%s-launch", image, image),
			"--env", "PIP_INDEX_URL=" + b.index.URL(), "--env", "PIP_TRUSTED_HOST=127.0.0.1"}, extra...)
		return b.timed(b.pack, args...)
	}
}

// dockerBuild builds with BuildKit. A cold build passes --no-cache and
// gives every cache mount an id no build used before (--no-cache keeps
// cache mounts); the rebuilds keep the layer cache and the cache mounts of
// the build before.
func (b *bench) dockerBuild(dockerfile string, buildArgs ...string) func(image, dir string, cold bool) (buildRun, error) {
	return func(image, dir string, cold bool) (buildRun, error) {
		if cold || b.mounts[image] == "" {
			b.mounts[image] = fmt.Sprintf("bench-%d-", time.Now().UnixNano())
		}
		file, err := b.withMountIDs(dockerfile, b.mounts[image])
		if err != nil {
			return buildRun{}, err
		}
		defer os.Remove(file)
		args := []string{"build", "--progress", "plain", "-t", image, "-f", file, "--network", "host",
			"--build-arg", "PIP_INDEX_URL=" + b.index.URL(), "--build-arg", "PIP_TRUSTED_HOST=127.0.0.1",
			"--build-arg", "GOPROXY=" + b.goproxy}
		for _, arg := range buildArgs {
			args = append(args, "--build-arg", arg)
		}
		if cold {
			args = append(args, "--no-cache")
		}
		return b.timedEnv(b.docker.env(), b.docker.path, append(args, dir)...)
	}
}

// cacheMount matches a cache mount named by its target only.
var cacheMount = regexp.MustCompile(`--mount=type=cache,target=([^,\s]+)`)

// withMountIDs writes dockerfile to a temporary file with an id of prefix
// and its target on every cache mount that has none (one cache per target,
// as BuildKit's default id is the target), and returns the file's path.
func (b *bench) withMountIDs(dockerfile, prefix string) (string, error) {
	text, err := os.ReadFile(filepath.Join(b.root, dockerfile))
	if err != nil {
		return "", err
	}
	text = cacheMount.ReplaceAll(text, []byte("--mount=type=cache,id="+prefix+"$1,target=$1"))
	f, err := os.CreateTemp("", "bench-*.Dockerfile")
	if err != nil {
		return "", err
	}
	_, err = f.Write(text)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	return f.Name(), err
}

// edit is the comment a rebuild appends to a source file: run n of this
// bench, so no earlier bench's layer cache holds the edited source.
func (b *bench) edit(n int) string {
	return fmt.Sprintf("change %d of the bench started %s", n, b.started)
}

// imageWord matches what an image name cannot hold ("Flask (uv.lock)").
var imageWord = regexp.MustCompile(`[^a-z0-9]+`)

// clean removes an image and its cache volumes, so the next cold pack
// build is cold. Dockerfile builds need nothing removed: their cold builds
// pass --no-cache, and the engine's build cache belongs to everyone using it.
func (b *bench) clean(image string) {
	_ = exec.Command("docker", "image", "rm", "-f", image).Run()
	volumes, _ := exec.Command("docker", "volume", "ls", "-q", "--filter", "name="+image).Output()
	if names := strings.Fields(string(volumes)); len(names) > 0 {
		_ = exec.Command("docker", append([]string{"volume", "rm", "-f"}, names...)...).Run()
	}
}

// timed runs a build, reading its output as it comes to note when the
// lifecycle's first phase starts and its last ends.
func (b *bench) timed(command string, args ...string) (buildRun, error) {
	return b.timedEnv(nil, command, args...)
}

// timedEnv is timed with extra environment variables.
func (b *bench) timedEnv(env []string, command string, args ...string) (buildRun, error) {
	var run buildRun
	reader, writer := io.Pipe()
	cmd := exec.Command(command, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = writer, writer
	var out strings.Builder
	scanned := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(scanned)
		lines := bufio.NewScanner(reader)
		lines.Buffer(make([]byte, 1<<20), 1<<20)
		for lines.Scan() {
			line := lines.Text()
			out.WriteString(line + "\n")
			switch {
			case run.lifecycleStart == 0 && strings.Contains(line, "Timer: Analyzer started"):
				run.lifecycleStart = time.Since(start)
			case timer.MatchString(line):
				run.lifecycleEnd = time.Since(start)
			}
		}
		_, _ = io.Copy(io.Discard, reader)
	}()
	err := cmd.Run()
	run.took = time.Since(start)
	writer.Close()
	<-scanned
	run.out = out.String()
	return run, err
}

func (b *bench) sh(command string, args ...string) (string, error) {
	out, err := exec.Command(command, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", command, strings.Join(args, " "), err, problem.LastLines(string(out), 30))
	}
	return string(out), nil
}

func (b *bench) imageSize(image string) (int64, error) {
	out, err := b.sh("docker", "image", "inspect", "--format", "{{.Size}}", image)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(out), 10, 64)
}

func (b *bench) imageID(image string) string {
	out, _ := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", image).Output()
	return strings.TrimSpace(string(out))
}

func (b *bench) machine() string {
	memory := "unknown memory"
	if content, err := os.ReadFile("/proc/meminfo"); err == nil {
		if fields := strings.Fields(string(content)); len(fields) > 1 {
			if kb, err := strconv.Atoi(fields[1]); err == nil {
				memory = fmt.Sprintf("%.0f GiB", float64(kb)/1024/1024)
			}
		}
	}
	// The Docker engine may be shared: the load says how busy the machine
	// was, which moves every number.
	load := "unknown"
	if content, err := os.ReadFile("/proc/loadavg"); err == nil {
		if fields := strings.Fields(string(content)); len(fields) > 2 {
			load = strings.Join(fields[:3], " ")
		}
	}
	return fmt.Sprintf("%s, %d cores, %s, load average (1, 5, 15 min) at the end %s, %d runs per scenario (median, min-max)",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), memory, load, b.runs)
}

var timer = regexp.MustCompile(`Timer: (\w+) ran for ([0-9hmsµn.]+[sm])`)

// phaseTimers reads the lifecycle's "Timer: Builder ran for 1.2s" lines
// (pack build -v), to show which phase a rebuild spends its time in.
func phaseTimers(out string) map[string]time.Duration {
	phases := map[string]time.Duration{}
	for _, match := range timer.FindAllStringSubmatch(out, -1) {
		if d, err := time.ParseDuration(match[2]); err == nil {
			phases[match[1]] = d
		}
	}
	return phases
}

// lifecyclePhases are the creator's timed phases, in order.
var lifecyclePhases = []string{"Analyzer", "Detector", "Restorer", "Builder", "Exporter", "Cache"}

// phases adds to the lifecycle's timers the time outside them: pack
// before the lifecycle (ephemeral builder, volumes, app upload, container
// start), the lifecycle between its phases, and pack after it
// (container, volume and ephemeral builder removal).
func (r buildRun) phases() map[string]time.Duration {
	phases := phaseTimers(r.out)
	if r.lifecycleEnd == 0 {
		return phases
	}
	between := r.lifecycleEnd - r.lifecycleStart
	for _, phase := range lifecyclePhases {
		between -= phases[phase]
	}
	phases["before"] = r.lifecycleStart
	phases["between"] = between
	phases["after"] = r.took - r.lifecycleEnd
	return phases
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, text)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	return err
}

func median(samples []time.Duration) (time.Duration, time.Duration, time.Duration) {
	sorted := append([]time.Duration{}, samples...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[len(sorted)/2], sorted[0], sorted[len(sorted)-1]
}

// phaseTable shows where pack builds spend their time, phase by phase and
// outside the phases (medians).
func phaseTable(phases map[string][]map[string]time.Duration) string {
	order := append([]string{"before"}, lifecyclePhases...)
	order = append(order, "between", "after", "outside")
	var b strings.Builder
	b.WriteString("\npack builds, time per lifecycle phase and outside them (median). before: pack until the lifecycle's first phase " +
		"(ephemeral builder, volumes, app upload, container start); between: in the lifecycle, outside its timers; " +
		"after: from the lifecycle's end until pack returns (container, volume and ephemeral builder removal); outside: the three added up.\n\n")
	fmt.Fprintf(&b, "| scenario | %s |\n|%s\n", strings.Join(order, " | "), strings.Repeat(" --- |", len(order)+1))
	scenarios := make([]string, 0, len(phases))
	for scenario := range phases {
		scenarios = append(scenarios, scenario)
	}
	sort.Strings(scenarios)
	for _, scenario := range scenarios {
		row := []string{scenario}
		for _, phase := range order {
			var samples []time.Duration
			for _, run := range phases[scenario] {
				if phase == "outside" {
					if _, ok := run["before"]; ok {
						samples = append(samples, run["before"]+run["between"]+run["after"])
					}
				} else if d, ok := run[phase]; ok {
					samples = append(samples, d)
				}
			}
			if len(samples) == 0 {
				row = append(row, "–")
				continue
			}
			mid, _, _ := median(samples)
			row = append(row, fmt.Sprintf("%.1f s", mid.Seconds()))
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	return b.String()
}

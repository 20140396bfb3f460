package integration_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
)

// testBench runs `make bench`'s program once over every scenario, small
// (BENCH_QUICK=1: one run, a Go app that imports nothing, the lock apps'
// package added only, one start and a 2 s load per served image), on
// the builder under test, so the bench cannot break unnoticed: a version
// the index does not serve, an image of another flavour, a Dockerfile that
// no longer builds all fail here.
func testBench(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	it("runs every scenario of every app once, and leaves bench/RESULTS.md alone", func() {
		results := filepath.Join(root, "bench", "RESULTS.md")
		before, err := os.ReadFile(results)
		Expect(err).NotTo(HaveOccurred())

		var stdout, stderr bytes.Buffer
		cmd := exec.Command("go", "run", "./bench")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "BENCH_QUICK=1", "PACK="+pack, "ONBUILD_BUILDER="+builder)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		Expect(cmd.Run()).To(Succeed(), "bench:\n%s\n%s", stdout.String(), stderr.String())
		out := stdout.String()

		// Each row: the four variants' times, three ratios, onbuild − floor.
		time := `\d+\.\d s \(\d+\.\d–\d+\.\d\)`
		full := regexp.MustCompile(`^` + time + ` \| ` + time + ` \| ` + time + ` \| ` + time + ` \| \d+\.\d\d× \| \d+\.\d\d× \| \d+\.\d\d× \| -?\d+\.\d s \|$`)
		for _, scenario := range []string{
			"Flask: cold build", "Flask: rebuild after an app-file change", "Flask: rebuild after one requirement change",
			"Go: cold build", "Go: rebuild after one .go file change",
		} {
			Expect(row(out, scenario)).To(MatchRegexp(full.String()), "%s\n%s", scenario, out)
		}
		// The quick run locks each app, builds it and adds a package.
		for _, app := range []string{"Flask (uv.lock)", "Flask (poetry.lock)"} {
			for _, scenario := range []string{"cold build", "rebuild after one package added"} {
				Expect(row(out, app+": "+scenario)).To(MatchRegexp(`^`+time+` \|`), "%s: %s\n%s", app, scenario, out)
			}
			Expect(out).To(ContainSubstring("onbuild, " + app + ": rebuild after one package added: downloaded six 1 time(s), flask 0 time(s)"))
		}
		// A Python the stack lacks and a library the run image lacks: their
		// cold cost beside the plain sample's.
		for _, app := range []string{"Flask (Python 3.12)", "Flask (psycopg, libpq5 from Debian)"} {
			for _, scenario := range []string{"cold build", "rebuild after an app-file change"} {
				Expect(row(out, app+": "+scenario)).To(MatchRegexp(`^`+time+` \|`), "%s: %s\n%s", app, scenario, out)
			}
		}
		Expect(out).To(ContainSubstring("onbuild, one requirement change: downloaded six 1 time(s), flask 0 time(s)"))
		Expect(out).To(ContainSubstring("| scenario | before | Analyzer |"), "the phase table")

		// The serving rows: onbuild's image and the multi-stage
		// Dockerfile's, started, loaded and measured at rest; the goals and
		// the workers each ran in the notes.
		for _, app := range []string{"Flask", "Go"} {
			for measure, value := range map[string]string{
				"docker run to first HTTP 200": `\d+\.\d\d s`, "requests/s": `\d+`,
				"p99 latency": `\d+\.\d ms`, "memory at rest after the load": `\d+\.\d MB`,
			} {
				Expect(row(out, app+": serving, "+measure)).To(MatchRegexp(`^`+value+` \| – \| `+value+` \| – \| – \| \d+\.\d\d× \|`),
					"%s: serving, %s\n%s", app, measure, out)
			}
			Expect(out).To(MatchRegexp(`serving, ` + app + `: onbuild's first response \d+\.\d\d× the multi-stage Dockerfile's \(goal ≤ 1\.1×: (met|missed)\); ` +
				`its requests/s \d+\.\d\d× \(goal ≥ 1×: (met|missed)\)`))
		}
		Expect(out).To(MatchRegexp(`serving, Flask, onbuild: [1-9]\d* gunicorn worker\(s\) beside the master, as web-concurrency chose at start \(onbuild: WEB_CONCURRENCY=`))
		Expect(out).To(ContainSubstring("serving, Flask, multi-stage Dockerfile: 1 gunicorn worker(s) beside the master"))
		Expect(out).To(ContainSubstring("serving, Go, onbuild: one Go process"))

		after, err := os.ReadFile(results)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(after)).To(Equal(string(before)), "a quick run measures nothing worth keeping")
	})
}

// row is the rest of the markdown table row for scenario, empty if none.
func row(table, scenario string) string {
	match := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(scenario) + ` \| (.*)$`).FindStringSubmatch(table)
	if match == nil {
		return ""
	}
	return match[1]
}

package supervise_test

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"
	"github.com/sclevine/spec/report"

	"github.com/onbuild-buildpacks/onbuild/internal/supervise"
)

func TestSupervise(t *testing.T) {
	spec.Run(t, "Supervise", testSupervise, spec.Report(report.Terminal{}))
}

func testSupervise(t *testing.T, context spec.G, it spec.S) {
	var (
		g       = NewWithT(t)
		Expect  = g.Expect
		dir     string
		signals chan os.Signal
		stderr  *bytes.Buffer
		run     = func(argv ...string) <-chan int {
			codes := make(chan int, 1)
			go func() { codes <- supervise.Run(argv, signals, stderr) }()
			return codes
		}
		waitFor = func(path string) {
			g.Eventually(func() error { _, err := os.Stat(path); return err }, 5*time.Second, 20*time.Millisecond).Should(Succeed())
		}
	)

	it.Before(func() {
		dir = t.TempDir()
		signals = make(chan os.Signal, 1)
		stderr = &bytes.Buffer{}
	})

	it("exits with the command's code", func() {
		Expect(<-run("sh", "-c", "exit 3")).To(Equal(3))
	})

	it("says when the program is missing, with the shell's code", func() {
		Expect(<-run("no-such-program-here")).To(Equal(127))
		Expect(stderr.String()).To(ContainSubstring("unable to start no-such-program-here"))
	})

	it("hands SIGTERM to the last command of a list and waits for it to finish", func() {
		ready, stopped := filepath.Join(dir, "ready"), filepath.Join(dir, "stopped")
		// The inner shell stands for gunicorn: it takes a while to stop
		// after SIGTERM, and its parent shell dies at once of the signal.
		server := `trap 'sleep 0.3; touch ` + stopped + `; exit 0' TERM; touch ` + ready + `; while :; do sleep 0.05; done`
		codes := run("sh", "-c", "true && sh -c \""+server+"\"")
		waitFor(ready)

		start := time.Now()
		signals <- syscall.SIGTERM
		var code int
		g.Eventually(codes, 5*time.Second).Should(Receive(&code))
		Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second))
		Expect(stopped).To(BeAnExistingFile(), "the supervisor returned before the server had stopped")
		Expect(code).To(Equal(128 + int(syscall.SIGTERM)))
	})

	it("lets a command that has no handler die of SIGTERM, as PID 1 would not", func() {
		ready := filepath.Join(dir, "ready")
		codes := run("sh", "-c", "touch "+ready+"; exec sleep 30")
		waitFor(ready)
		time.Sleep(50 * time.Millisecond)

		signals <- syscall.SIGTERM
		var code int
		g.Eventually(codes, 5*time.Second).Should(Receive(&code))
		Expect(code).To(Equal(128 + int(syscall.SIGTERM)))
	})
}

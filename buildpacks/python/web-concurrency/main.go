// Command web-concurrency is onbuild/python's exec.d program: at container
// start it sets WEB_CONCURRENCY from the container's CPU and memory limits
// unless the user set it.
package main

import (
	"io"
	"os"
	"runtime"
	"syscall"

	"github.com/onbuild-buildpacks/onbuild/internal/workers"
)

func main() {
	if err := workers.Run(os.Getenv, "/", runtime.NumCPU(), execDOutput(), os.Stderr); err != nil {
		os.Stderr.WriteString("onbuild: web-concurrency: " + err.Error() + "\n")
		os.Exit(1)
	}
}

// execDOutput is fd 3, where the launcher reads an exec.d program's
// variables; run by hand there is none.
func execDOutput() io.Writer {
	var stat syscall.Stat_t
	if err := syscall.Fstat(3, &stat); err != nil {
		return io.Discard
	}
	return os.NewFile(3, "exec.d output")
}

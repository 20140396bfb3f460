// Command supervise is onbuild/python's process supervisor: every process
// the build sets runs under it, as PID 1, so that docker stop's SIGTERM
// reaches the app through any shell.
package main

import (
	"os"
	"os/signal"

	"github.com/onbuild-buildpacks/onbuild/internal/supervise"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, supervise.Forwarded...)
	os.Exit(supervise.Run(os.Args[1:], signals, os.Stderr))
}

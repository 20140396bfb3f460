// Command registry serves an OCI registry on 127.0.0.1 until SIGTERM or
// SIGINT, blobs and manifests kept under -dir (see package registry).
//
//	registry -dir .cache/registry -listen 127.0.0.1:5111
//
// stdout carries exactly one line, REGISTRY=127.0.0.1:PORT, printed once the
// registry answers; requests are logged on stderr. tools/registry.sh runs it
// in the background.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/onbuild-buildpacks/onbuild/tools/registry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "registry:", strings.TrimPrefix(err.Error(), "registry: "))
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", ".cache/registry", "directory of the blobs and the manifest journal")
	listen := flag.String("listen", "127.0.0.1:0", "127.0.0.1:PORT to serve on (port 0: any free port)")
	quiet := flag.Bool("quiet", false, "do not log requests on stderr")
	flag.Parse()

	opts := registry.Options{Dir: *dir, Addr: *listen, Log: os.Stderr}
	if *quiet {
		opts.Log = nil
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	srv, err := registry.Listen(opts)
	if err != nil {
		return err
	}
	fmt.Printf("REGISTRY=%s\n", srv.Addr())
	<-signals
	return srv.Close()
}

// Command pyindex builds wheels from Debian python3-* packages and serves
// them as a local Python package index until it gets SIGTERM or SIGINT.
//
//	pyindex -cache .cache/pyindex -listen 127.0.0.1:0 [packages...]
//
// stdout carries exactly one line, PYINDEX_URL=<index url>, printed once the
// index answers, so a script can wait for it; everything else goes to
// stderr.
//
// To stop it from a script, build it first (go build -o) and signal that
// process: `go run` dies of SIGTERM without passing it on, which leaves the
// server running.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/onbuild-buildpacks/onbuild/tools/pyindex"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pyindex:", strings.TrimPrefix(err.Error(), "pyindex: "))
		os.Exit(1)
	}
}

func run() error {
	cache := flag.String("cache", ".cache/pyindex", "directory of cached wheel builds")
	image := flag.String("image", pyindex.DefaultImage, "local Debian image whose apt downloads the packages")
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to serve on (port 0: any free port)")
	buildOnly := flag.Bool("build-only", false, "build (or find) the wheels, print PYINDEX_DIR=<dir> and exit")
	quiet := flag.Bool("quiet", false, "do not log apt output and requests on stderr")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] [debian-packages...]\n(default packages: %v)\n", os.Args[0], pyindex.DefaultPackages)
		flag.PrintDefaults()
	}
	flag.Parse()
	packages := flag.Args()
	if len(packages) == 0 {
		packages = pyindex.DefaultPackages
	}
	var logw io.Writer = os.Stderr
	if *quiet {
		logw = nil
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	dir, err := pyindex.Build(ctx, pyindex.Options{
		CacheDir: *cache,
		Image:    *image,
		Packages: packages,
		Stdout:   logw,
		Stderr:   logw,
	})
	if err != nil {
		return err
	}
	if *buildOnly {
		fmt.Printf("PYINDEX_DIR=%s\n", dir)
		return nil
	}
	srv, err := pyindex.Listen(dir, pyindex.ServeOptions{Addr: *listen, Log: logw})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "pyindex: serving %d projects from %s\n", len(srv.Projects()), dir)
	fmt.Printf("PYINDEX_URL=%s\n", srv.URL())
	<-ctx.Done()
	return srv.Close()
}

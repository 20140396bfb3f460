// Command minimum is a module as `go mod init` writes it today: go 1.25.0
// and no toolchain line. It answers with the Go it was built with, and
// uses sync.WaitGroup.Go, new in 1.25, so an older Go cannot build it.
package main

import (
	"net/http"
	"os"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	var built string
	wg.Go(func() { built = runtime.Version() })
	wg.Wait()
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(built)) })
	panic(http.ListenAndServe(":"+port, nil))
}

// The onbuild Go sample: a web server with nothing but its source.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello from a Go app built by onbuild (%s)\n", runtime.Version())
	})
	log.Fatal(http.ListenAndServe(":"+port, nil))
}

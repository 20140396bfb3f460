// An app whose only dependency is a private module: the go command fetches
// it with git, straight from its repository (GOPRIVATE). The test writes
// go.sum, which depends on the module it serves.
package main

import (
	"fmt"
	"net/http"
	"os"

	lib "git.onbuild.test/private/lib.git"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, lib.Greeting())
	})
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

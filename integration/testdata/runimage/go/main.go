// A Go app for the run image test: it answers on $PORT and says whether
// the image it runs on has a shell.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, err := os.Stat("/bin/sh")
		fmt.Fprintf(w, "hello from go; /bin/sh present: %v\n", err == nil)
	})
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// A Go app that links libpq through cgo: its binary is dynamically linked
// and needs libpq.so.5 at run time.
package main

// #cgo LDFLAGS: -lpq
// #include <postgresql/libpq-fe.h>
import "C"

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
		fmt.Fprintf(w, "libpq %d", int(C.PQlibVersion()))
	})
	panic(http.ListenAndServe(":"+port, nil))
}

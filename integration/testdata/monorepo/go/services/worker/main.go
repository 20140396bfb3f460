package main

import (
	"fmt"
	"net/http"
	"os"

	"example.com/greet"
	"example.com/version"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s and example.com/version %s", greet.Hello("worker"), version.Version)
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	_ = http.ListenAndServe(":"+port, nil)
}

package main

import (
	"fmt"
	"net/http"
	"os"

	"example.com/greet"
)

func main() {
	wd, _ := os.Getwd()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s (in %s)", greet.Hello("api"), wd)
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	_ = http.ListenAndServe(":"+port, nil)
}

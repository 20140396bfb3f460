// Command vendored answers HTTP with a string from its vendored module.
package main

import (
	"log"
	"net/http"
	"os"

	"example.com/greeting"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(greeting.Hello()))
	})
	log.Fatal(http.ListenAndServe(":"+port, nil))
}

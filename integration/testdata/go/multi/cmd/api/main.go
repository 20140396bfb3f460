// Command api is the web process of the multi-binary app.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("api"))
	})
	log.Fatal(http.ListenAndServe(":"+port, nil))
}

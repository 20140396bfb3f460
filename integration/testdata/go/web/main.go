// Command web answers HTTP on $PORT (default 8080) with a greeting that
// golang.org/x/text capitalises, so the build needs a downloaded module,
// and serves static/ from the app directory, which BP_KEEP_FILES keeps.
package main

import (
	"log"
	"net/http"
	"os"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.Handle("/static/", http.FileServer(http.Dir(".")))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(cases.Title(language.English).String(greeting)))
	})
	log.Fatal(http.ListenAndServe(":"+port, nil))
}

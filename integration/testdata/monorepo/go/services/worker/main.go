// The worker runs a job and exits: it needs no server.
package main

import (
	"fmt"
	"os"

	"example.com/greet"
	"example.com/version"
)

func main() {
	wd, _ := os.Getwd()
	fmt.Printf("%s and example.com/version %s (in %s)\n", greet.Hello("worker"), version.Version, wd)
}

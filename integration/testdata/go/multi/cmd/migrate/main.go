// Command migrate is a main package BP_GO_TARGETS leaves out.
package main

import "fmt"

func main() {
	fmt.Println("migrate ran")
}

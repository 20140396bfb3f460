// Command worker is a second process type: it runs once and exits.
package main

import "fmt"

func main() {
	fmt.Println("worker ran")
}

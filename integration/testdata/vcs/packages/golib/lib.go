// Package lib is a private module the vcs/go app fetches with git.
package lib

const Version = "1.0.0"

// Greeting says where it comes from.
func Greeting() string {
	return "hello from a private module " + Version
}

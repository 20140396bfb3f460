package main

// greeting is in a file of its own: the bench's rebuild scenario edits it.
func greeting() string { return "hello from the bench's quick Go app" }

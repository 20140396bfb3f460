// Package greet is shared by the repository's commands through go.work.
package greet

// Hello says who answers.
func Hello(who string) string {
	return "Hello from " + who + ", with example.com/greet"
}

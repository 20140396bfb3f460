// Package envvar reads and edits environments in exec's KEY=VALUE form:
// the build's environment as the lifecycle hands it over, and the ones
// onbuild passes to pip, go and hooks.
package envvar

import "strings"

// Value returns the last value of name in env, as exec does.
func Value(env []string, name string) string {
	value := ""
	for _, kv := range env {
		if strings.HasPrefix(kv, name+"=") {
			value = strings.TrimPrefix(kv, name+"=")
		}
	}
	return value
}

// Set returns env with name set to value, replacing every earlier entry so
// that no stale value is left for a child to read.
func Set(env []string, name, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return append(out, name+"="+value)
}

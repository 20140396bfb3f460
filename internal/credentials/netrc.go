package credentials

import (
	"os"
	"strings"
)

// NetrcLogin finds the login and password a netrc file gives host (its
// machine entry, else its default entry), as pip's and Go's clients read
// it. Downloads that are neither pip nor go (the Go toolchain, through
// libpak) use it to honour the same binding.
func NetrcLogin(path, host string) (login, password string, ok bool) {
	content, err := os.ReadFile(path)
	if err != nil {
		return "", "", false
	}
	var fallback [2]string
	var hasFallback bool
	fields := strings.Fields(string(content))
	for i := 0; i < len(fields); i++ {
		var entry string
		switch fields[i] {
		case "machine":
			if i+1 >= len(fields) {
				return "", "", false
			}
			entry = fields[i+1]
			i++
		case "default":
			entry = ""
		case "macdef":
			// A macro runs to the next blank line, which Fields lost: skip
			// the rest of the file rather than misread it.
			i = len(fields)
			continue
		default:
			continue
		}
		l, p := entryLogin(fields[i+1:])
		if entry == host {
			return l, p, true
		}
		if entry == "" && !hasFallback {
			fallback, hasFallback = [2]string{l, p}, true
		}
	}
	return fallback[0], fallback[1], hasFallback
}

// entryLogin reads login and password tokens up to the next entry.
func entryLogin(fields []string) (login, password string) {
	for i := 0; i+1 < len(fields); i += 2 {
		switch fields[i] {
		case "machine", "default", "macdef":
			return login, password
		case "login":
			login = fields[i+1]
		case "password":
			password = fields[i+1]
		default:
			// account and unknown tokens take one value, as in netrc(5).
		}
	}
	return login, password
}

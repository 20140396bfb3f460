package network

import (
	"io"
	"regexp"
)

// userInfo matches the user info of every URL in a text: a GOPROXY list
// ("direct|https://me:token@proxy"), a client's error line, a log line.
// url.Parse cannot do this: a list is not one URL, and an error line is
// not a URL at all.
var userInfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\s'"<>,|]+)@`)

// RedactText hides the user info of every URL in text: the password of
// user:password, and a lone user name, which is how tokens are often passed
// (https://TOKEN@host).
func RedactText(text string) string {
	return userInfo.ReplaceAllStringFunc(text, func(match string) string {
		parts := userInfo.FindStringSubmatch(match)
		scheme, info := parts[1], parts[2]
		for i := 0; i < len(info); i++ {
			if info[i] == ':' {
				return scheme + info[:i] + ":xxxxx@"
			}
		}
		return scheme + "xxxxx@"
	})
}

// RedactingWriter passes what is written to w with RedactText applied, for
// loggers that print URLs we do not format ourselves (libpak's "Downloading
// from ..."). Each Write is redacted on its own: loggers write whole lines.
func RedactingWriter(w io.Writer) io.Writer {
	return redactingWriter{w}
}

type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, RedactText(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

package network

import "io"

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

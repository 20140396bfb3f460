package network

import (
	"bytes"
	"io"
)

// LineRedactor passes a command's output on line by line with RedactText
// applied: pip hides the passwords it prints itself, but a requirement line,
// a VCS tool's message or a URL split across writes may carry one, so a
// line is written only once it is whole.
type LineRedactor struct {
	out     io.Writer
	pending []byte
}

// RedactingWriter returns a LineRedactor writing to w; call Flush when the
// command is done, for a last line without a newline.
func RedactingWriter(w io.Writer) *LineRedactor {
	return &LineRedactor{out: w}
}

func (w *LineRedactor) Write(p []byte) (int, error) {
	w.pending = append(w.pending, p...)
	end := bytes.LastIndexByte(w.pending, '\n')
	if end < 0 {
		return len(p), nil
	}
	if _, err := io.WriteString(w.out, RedactText(string(w.pending[:end+1]))); err != nil {
		return 0, err
	}
	w.pending = append(w.pending[:0], w.pending[end+1:]...)
	return len(p), nil
}

// Flush writes what is left after the last newline.
func (w *LineRedactor) Flush() {
	if len(w.pending) > 0 {
		_, _ = io.WriteString(w.out, RedactText(string(w.pending))+"\n")
		w.pending = nil
	}
}

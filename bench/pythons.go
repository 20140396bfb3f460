package main

import (
	"os"
	"path/filepath"
)

// pythonApps are the Flask sample on a Python the stack lacks (3.12, a
// python-build-standalone build in its own layer) and with a library the
// run image lacks (psycopg 3, which loads libpq5 from Debian's packages),
// built by onbuild, so the cost of each shows beside the plain sample's
// rows: a cold build downloads them, an app-file change must not.
func (b *bench) pythonApps() []benchApp {
	// The Python download comes over HTTPS from the Go module proxy.
	onbuild := []variant{{"onbuild", b.packBuild(builder, "--volume", b.caBinding+":/platform/bindings/ca-certificates")}}
	sourceChange := change{"rebuild after an app-file change", func(dir string, run int) error {
		return appendFile(filepath.Join(dir, "app.py"), "\n# "+b.edit(run)+"\n")
	}}
	return []benchApp{{
		name: "Flask (Python 3.12)", source: "samples/python", variants: onbuild,
		prepare: func(dir string) error {
			return os.WriteFile(filepath.Join(dir, ".python-version"), []byte("3.12\n"), 0644)
		},
		changes: []change{sourceChange},
	}, {
		name: "Flask (psycopg, libpq5 from Debian)", source: "samples/python", variants: onbuild,
		prepare: func(dir string) error { return b.addIndexPin(dir, "psycopg") },
		changes: []change{sourceChange},
	}}
}

// Package lockfile turns a Python project's lock file (uv.lock,
// poetry.lock, Pipfile.lock) into the exact set of distributions pip
// installs, so builds need neither uv, Poetry nor pipenv.
//
// The caller installs a Set in up to three pip calls, because pip refuses
// hashes for VCS and local-directory requirements:
//
//	pip install --require-hashes --no-deps -r <Set.Hashed().Requirements()>
//	pip install --no-deps -r <Set.Unhashed().Requirements()>   (when not empty)
//	pip install --no-deps -e .                                  (when Set.Root.Kind == RootEditable)
//
// Environment markers are written, never evaluated: pip evaluates them on
// the machine that installs.
package lockfile

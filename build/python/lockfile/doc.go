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
// Run pip from the app directory: local paths in the requirements are
// relative to it. Environment markers are written, never evaluated: pip
// evaluates them on the machine that installs.
//
// Staleness: a dependency the manifest declares (for the selected groups)
// that the lock does not cover is an error naming it. poetry.lock's
// metadata.content-hash and Pipfile.lock's _meta.hash.sha256 are also
// recomputed exactly as Poetry (1.x and 2.x) and pipenv do; a Pipfile
// without [[source]] is checked by names only, since pipenv hashes an
// implicit default index into it. uv.lock records no manifest hash, so
// only names are compared (against the root's [package.metadata]).
package lockfile

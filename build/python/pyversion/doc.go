// Package pyversion reads every place an app declares which Python it wants
// and chooses, before pip runs, the Python that satisfies it: the stack's
// Debian python3 when it fits (Check), else the newest of the interpreters
// the buildpack can download that does (Choose); nothing fitting is
// refused, naming the file, the line and the versions the builder has.
//
// The first declaration found wins, in this order:
//
//  1. BP_PYTHON_VERSION (the override passed to Read): 3.13, 3.13.5 or a
//     specifier set such as >=3.12
//  2. .python-version: the first version line (pyenv and uv style; # comments
//     and blank lines are skipped, later lines are pyenv fallbacks)
//  3. runtime.txt: python-3.13.5 or python-3.13 (Heroku style)
//  4. pyproject.toml: [project] requires-python (PEP 440 specifier set)
//  5. Pipfile: [requires] python_full_version, else python_version
//  6. uv.lock: the top-level requires-python
//
// A version named outright (3.13.1) accepts another patch release of the same
// minor, with a note, because patch releases come with the stack or the
// buildpack's pin; a requires-python range is held to exactly, as pip would.
package pyversion

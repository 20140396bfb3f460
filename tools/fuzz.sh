#!/usr/bin/env bash
# A short run of every fuzz target of the repo (FUZZTIME each, default 10s),
# one at a time: `make test` runs it after the unit tests. A longer run is
# the same with FUZZTIME=10m (docs/fuzzing.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
time=${FUZZTIME:-10s}
count=0
while IFS=: read -r file _ line; do
  target=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"$line")
  pkg=./$(dirname "$file")
  echo "fuzz: $target in $pkg for $time" >&2
  go test "$pkg" -run '^$' -fuzz "^$target\$" -fuzztime "$time" -parallel 2
  count=$((count + 1))
done < <(git ls-files '*_test.go' | xargs grep -Hn '^func Fuzz' | sort)
[[ $count -gt 0 ]] || { echo "fuzz: no fuzz targets found" >&2; exit 1; }
echo "fuzz: $count targets, $time each, no failure" >&2

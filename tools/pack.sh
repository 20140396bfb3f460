#!/usr/bin/env bash
# Prints the path of a pack CLI built from a pinned module version. Built from
# source because release binaries are not reachable here; cached under a
# content key so a warm machine skips the ~70 s build.
set -euo pipefail

MOD=github.com/buildpacks/pack
VER=v0.40.6

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
key="$( { echo "$MOD@$VER"; go version; cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16)"
out="$root/.cache/tools/pack-$key"

if [[ ! -x $out/pack ]]; then
  echo "pack.sh: building $MOD@$VER (about a minute)" >&2
  mkdir -p "$out"
  # Staged on the same filesystem so the final mv is an atomic rename: an
  # interrupted build never leaves a half-written binary at $out/pack.
  tmp="$(mktemp -d "$root/.cache/tools/.pack-$key.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  src="$(go mod download -json "$MOD@$VER" | grep '"Dir"' | cut -d'"' -f4)"
  [[ -n $src ]] || { echo "pack.sh: go mod download $MOD@$VER failed" >&2; exit 1; }
  # The module cache is read-only; build in a writable copy.
  cp -r "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
  (cd "$tmp/src" && GOWORK=off CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $MOD/pkg/client.Version=${VER#v}" -o "$tmp/pack" .) >&2
  mv -f "$tmp/pack" "$out/pack"
fi
echo "$out/pack"

#!/usr/bin/env bash
# Prints the path of a lifecycle tarball (for builder.toml's [lifecycle] uri)
# built from a pinned module version, cached under a content key.
# v0.21+ needs Docker API 1.44 and fails against Debian's 20.10 engine (1.41).
#
#   tools/lifecycle.sh [ARCH]   ARCH: the binaries' architecture, amd64 or
#                               arm64 (default: go env GOARCH)
set -euo pipefail

MOD=github.com/buildpacks/lifecycle
VER=v0.20.12

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch=${1:-$(go env GOARCH)}
key="$( { echo "$MOD@$VER $arch"; go version; cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16)"
out="$root/.cache/tools/lifecycle-$key"

if [[ ! -f $out/lifecycle.tgz ]]; then
  echo "lifecycle.sh: building $MOD@$VER for linux/$arch (about a minute)" >&2
  mkdir -p "$out"
  # Staged on the same filesystem so the final mv is an atomic rename.
  tmp="$(mktemp -d "$root/.cache/tools/.lifecycle-$key.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  src="$(go mod download -json "$MOD@$VER" | grep '"Dir"' | cut -d'"' -f4)"
  [[ -n $src ]] || { echo "lifecycle.sh: go mod download $MOD@$VER failed" >&2; exit 1; }
  # The module cache is read-only; build in a writable copy.
  cp -r "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
  bin="$tmp/lifecycle" # the packager names the tarball's top dir after this dir
  mkdir -p "$bin"
  (
    cd "$tmp/src"
    export GOWORK=off
    # The binaries run in Linux build containers whatever the host OS is.
    for cmd in lifecycle launcher; do
      GOOS=linux GOARCH=$arch CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X $MOD/cmd.Version=${VER#v}" -o "$bin/$cmd" "./cmd/$cmd"
    done
    for phase in detector analyzer restorer builder exporter rebaser creator extender; do
      ln -s lifecycle "$bin/$phase"
    done
    # The packager chdirs before writing, so every path must be absolute.
    # The packager runs here, whatever the binaries' architecture.
    GOARCH=$(go env GOHOSTARCH) go run ./tools/packager -inputDir "$bin" -archivePath "$tmp/lifecycle.tgz" \
      -descriptorPath "$tmp/src/lifecycle.toml" -version "${VER#v}"
  ) >&2
  mv -f "$tmp/lifecycle.tgz" "$out/lifecycle.tgz"
fi
echo "$out/lifecycle.tgz"

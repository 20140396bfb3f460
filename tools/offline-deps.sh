#!/usr/bin/env bash
# Copies the compiled buildpacks (out/buildpacks) to DEST with every
# [[metadata.dependencies]] of their buildpack.toml inside, where libpak
# v2.2.0's DependencyCache looks before any download:
#
#   DEST/NAME/dependencies/<sha256>.toml        the dependency (its presence is the hit)
#   DEST/NAME/dependencies/<sha256>/<basename>  the artifact, named after its uri
#
# so a builder made from DEST builds with no network but the app's own
# package index: git/hg .debs need no Debian mirror, Go toolchains and the
# Python builds no GOPROXY.
#
#   tools/offline-deps.sh SRC DEST
#
# Go toolchains and Python builds come from this machine's `go mod download` (its GOPROXY and
# module cache), .debs (those of every stack flavour, so one set of offline
# buildpacks serves each builder) from the Debian mirror of its apt sources
# (DEBIAN_MIRROR); every artifact is checked against its sha256 and kept in
# .cache/offline/<sha256>/, so a warm run downloads nothing.
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/.." && pwd)
src=${1:?usage: $0 SRC DEST}
dest=${2:?usage: $0 SRC DEST}
cache=$root/.cache/offline

# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"

# dependencies FILE ARCH: "id version uri sha256" per [[metadata.dependencies]]
# pinned for ARCH (its purl's arch qualifier: ARCH, "all", or none): each
# architecture's builder carries its own.
dependencies() {
  awk -v want="$2" '
    function flush() {
      if (uri != "" && (arch == "" || arch == want || arch == "all")) print id, version, uri, sum
      id = version = uri = sum = arch = ""
    }
    /^\[\[metadata\.dependencies\]\]/ { flush(); in_dep = 1; next }
    /^\[/ { if ($0 !~ /^\[\[metadata\.dependencies\./) { flush(); in_dep = 0 } ; next }
    in_dep && /^ *(id|version|uri|checksum) = "/ {
      value = $0; sub(/^[^"]*"/, "", value); sub(/".*$/, "", value)
      if ($1 == "id") id = value; else if ($1 == "version") version = value
      else if ($1 == "uri") uri = value; else sum = value
    }
    in_dep && /^ *purls = / && match($0, /[?&]arch=[a-z0-9]+/) { arch = substr($0, RSTART + 6, RLENGTH - 6) }
    END { flush() }' "$1"
}

# fetch FILE URI SHA256: the artifact of URI into .cache/offline, verified;
# prints its path.
fetch() {
  local file=$1 uri=$2 sum=$3 path tmp mod zip mirror
  path="$cache/$sum/$(basename "$uri")"
  if [[ ! -f $path ]]; then
    mkdir -p "$cache/$sum"
    tmp="$path.tmp"
    case $uri in
      /golang.org/toolchain/@v/*.zip)
        # The toolchain module's zip: the same bytes on every Go proxy.
        mod=$(basename "$uri" .zip)
        zip=$(go mod download -json "golang.org/toolchain@$mod" | sed -n 's/^\t"Zip": "\(.*\)",$/\1/p')
        [[ -f $zip ]] || die "go mod download golang.org/toolchain@$mod gave no zip (see $file)"
        cp "$zip" "$tmp"
        ;;
      /github.com/kluctl/go-embed-python/@v/*.zip)
        # Python builds the stacks lack: a module zip, like the toolchains.
        mod=$(basename "$uri" .zip)
        zip=$(go mod download -json "github.com/kluctl/go-embed-python@$mod" | sed -n 's/^\t"Zip": "\(.*\)",$/\1/p')
        [[ -f $zip ]] || die "go mod download github.com/kluctl/go-embed-python@$mod gave no zip (see $file)"
        cp "$zip" "$tmp"
        ;;
      pool/*)
        # Every suite's pool is under the same path of the archive.
        mirror=$(debian_mirror "${STACK:-$STACK_DEFAULT}")
        [[ -n $mirror ]] || die "no apt source serves Debian for $uri ($file); set DEBIAN_MIRROR"
        curl -fsSL --retry 2 -o "$tmp" "$mirror/$uri" ||
          die "download $mirror/$uri failed ($file): refresh the pins with tools/vcs-packages.sh, or set DEBIAN_MIRROR to a snapshot archive"
        ;;
      *) die "$file: dependency uri $uri is neither a Go toolchain nor a Debian pool path; teach tools/offline-deps.sh where it comes from" ;;
    esac
    [[ $(sha256sum "$tmp" | cut -d' ' -f1) == "$sum" ]] ||
      { rm -f "$tmp"; die "$uri does not match its sha256 $sum in $file"; }
    mv "$tmp" "$path"
    log "fetched $(basename "$uri") ($(du -h "$path" | cut -f1))"
  fi
  echo "$path"
}

[[ -d $src ]] || die "$src is missing: run \`make buildpacks\`"
rm -rf "$dest"
cp -a "$src" "$dest"
for toml in "$dest"/*/buildpack.toml; do
  deps=$(dirname "$toml")/dependencies
  while read -r id version uri checksum; do
    sum=${checksum#sha256:}
    [[ $sum =~ ^[0-9a-f]{64}$ ]] || die "$toml: dependency $id $version has no sha256 checksum; libpak caches only checksummed dependencies"
    mkdir -p "$deps/$sum"
    artifact=$(fetch "$toml" "$uri" "$sum")
    # A hard link: the cache and the copy share the bytes.
    ln -f "$artifact" "$deps/$sum/$(basename "$uri")"
    printf 'id = "%s"\nversion = "%s"\nuri = "%s"\nchecksum = "%s"\n' "$id" "$version" "$uri" "$checksum" >"$deps/$sum.toml"
  done < <(dependencies "$toml" "$(host_arch)")
done
log "buildpacks with their dependencies in $dest ($(du -sh "$dest" | cut -f1))"

#!/usr/bin/env bash
# Prints the directory holding the node's parts that come from Debian, not
# from source: etcd, containerd and the CNI plugins from trixie, runc from
# bookworm (trixie's needs a newer glibc than a bookworm host has). Each
# .deb is unpacked with `dpkg -x`, never installed, so the host's packages
# are left as they are.
#
# apt resolves and verifies them against the suites' signed indexes, in a
# state directory of its own under .cache/kpack/ (the mirror is the one of
# this machine's apt sources, tools/lib.sh). Cached by the package list
# and the versions apt picked.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
LOG_NAME=kpack/node.sh
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"

# suite=package pairs.
PACKAGES="trixie=etcd-server trixie=containerd trixie=containernetworking-plugins bookworm=runc"

cache=$root/.cache/kpack
apt_dir=$cache/apt
mkdir -p "$apt_dir"

mirror=$(debian_mirror trixie)
[[ -n $mirror ]] || die "no apt source serves Debian; set DEBIAN_MIRROR"

# apt_of apt-get|apt-cache SUITE ARGS...: an apt of its own: its sources, lists and archives live in $apt_dir, so
# the host's apt state is not touched.
suites=$(tr ' ' '\n' <<<"$PACKAGES" | cut -d= -f1 | sort -u)
for suite in $suites; do
  mkdir -p "$apt_dir/$suite/lists/partial" "$apt_dir/$suite/archives/partial"
  echo "deb $mirror $suite main" >"$apt_dir/$suite/sources.list"
done
apt_of() {
  local cmd=$1 suite=$2
  shift 2
  "$cmd" -q -o Dir::Etc::SourceList="$apt_dir/$suite/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$apt_dir/$suite/lists" -o Dir::Cache::Archives="$apt_dir/$suite/archives" \
    -o Dir::State::Status=/dev/null -o APT::Architecture=amd64 -o APT::Sandbox::User=root "$@"
}

# The versions apt would pick now; the cache key.
versions=""
for suite in $suites; do
  # A day-old index is fresh enough and saves the download.
  if [[ -z $(find "$apt_dir/$suite/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null) ]]; then
    apt_of apt-get "$suite" update >&2
  fi
done
for pair in $PACKAGES; do
  suite=${pair%%=*} pkg=${pair#*=}
  version=$(apt_of apt-cache "$suite" show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p')
  [[ -n $version ]] || die "$pkg is not in $suite of the Debian mirror"
  versions+="$pkg=$version "
done
key=$( { echo "$versions"; cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16)
out=$cache/node-$key
if [[ ! -f $out/.complete ]]; then
  t=$(now_ms)
  tmp=$(mktemp -d "$cache/.node.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  for pair in $PACKAGES; do
    suite=${pair%%=*} pkg=${pair#*=}
    (cd "$apt_dir/$suite/archives" && apt_of apt-get "$suite" download "$pkg" >&2)
    dpkg -x "$(ls -t "$apt_dir/$suite/archives/${pkg}_"*.deb | head -n 1)" "$tmp/root"
  done
  echo "$versions" >"$tmp/versions"
  touch "$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
  log "unpacked $versions in $(elapsed_ms "$t")"
fi
echo "$out"

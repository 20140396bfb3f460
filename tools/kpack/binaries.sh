#!/usr/bin/env bash
# Prints the directory holding every binary `make kpack-e2e` runs that is
# compiled from source: Kubernetes v1.34.4 (kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl),
# the pod sandbox's pause, and kpack v0.17.1's components (controller,
# webhook, build-init, build-waiter, completion, rebase).
#
# Each set is cached under .cache/kpack/ by a key of its pinned versions,
# its sources here and the Go version, so only the first run compiles:
# about 20 minutes on 2 shared cores, 1.3-1.9 GB of memory per link. The
# compiles run one at a time under `nice -n 10` so they take only idle time
# from whatever else the machine is doing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
LOG_NAME=kpack/binaries.sh
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"

KUBERNETES=v1.34.4
KPACK_MOD=github.com/pivotal/kpack KPACK=v0.17.1
cache=$root/.cache/kpack
mkdir -p "$cache"
# One compile at a time, even from two checkouts sharing the cache: a
# second run waits for the first's binaries instead of compiling them too.
exec 9>"$cache/.lock"
flock 9
here=$root/tools/kpack

# key FILE...: a short hash of the files, this script and the Go version.
key() { { go version; cat "$@" "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16; }

# build_set DIR DESCRIPTION FUNCTION: runs FUNCTION TMPDIR unless DIR is
# complete, then renames TMPDIR to DIR (an interrupted compile leaves no
# directory a later run would trust).
build_set() {
  local dir=$1 what=$2 fn=$3 t tmp
  [[ -f $dir/.complete ]] && return 0
  t=$(now_ms)
  log "compiling $what (only on the first run; about 20 minutes cold)"
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  "$fn" "$tmp"
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  trap - EXIT
  log "compiled $what in $(elapsed_ms "$t")"
}

kubernetes() {
  local out=$1 cmd ldflags=""
  for var in "gitVersion=$KUBERNETES" gitMajor=1 "gitMinor=$(cut -d. -f2 <<<"$KUBERNETES")" gitTreeState=clean; do
    ldflags+=" -X k8s.io/component-base/version.$var -X k8s.io/client-go/pkg/version.$var"
  done
  (
    cd "$here/kubernetes"
    export GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=mod
    go mod download
    # One at a time: each link takes up to 1.9 GB.
    for cmd in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
      nice -n 10 go build -trimpath -ldflags "-s -w$ldflags" -o "$out/$cmd" "k8s.io/kubernetes/cmd/$cmd"
      log "  $cmd built"
    done
    nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out/pause" ./pause
  ) >&2
}

kpack() {
  local out=$1 src
  src=$(go mod download -json "$KPACK_MOD@$KPACK" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n $src ]] || die "go mod download $KPACK_MOD@$KPACK failed"
  # Built inside a copy of its own module: its replace directive and the
  # versions it pins are what its release was built with.
  cp -r "$src" "$out/src" && chmod -R u+w "$out/src"
  (
    cd "$out/src"
    export GOWORK=off CGO_ENABLED=0
    go mod download
    for cmd in controller webhook build-init build-waiter completion rebase; do
      nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out/$cmd" "./cmd/$cmd"
      log "  kpack $cmd built"
    done
  ) >&2
  # The manifests (config/) are what the cluster applies; the sources are
  # not needed any more.
  mv "$out/src/config" "$out/config"
  rm -rf "$out/src"
}

k8s_dir=$cache/kubernetes-$KUBERNETES-$(key "$here/kubernetes/go.mod" "$here/kubernetes/go.sum" "$here/kubernetes/pause/main.go")
kpack_dir=$cache/kpack-$KPACK-$(key)
build_set "$k8s_dir" "Kubernetes $KUBERNETES" kubernetes
build_set "$kpack_dir" "kpack $KPACK" kpack
echo "$k8s_dir"
echo "$kpack_dir"

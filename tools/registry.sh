#!/usr/bin/env bash
# Runs the loopback OCI registry (tools/registry) in the background, the way
# tools/docker.sh runs dockerd: a builder with image extensions makes pack
# pull its builder and run images, and here no other registry is reachable.
#
#   tools/registry.sh start   # idempotent; prints 127.0.0.1:PORT
#   tools/registry.sh url     # prints 127.0.0.1:PORT (running or not)
#   tools/registry.sh stop
#
# State lives in .cache/registry/ (blobs/, manifests.jsonl, pid, log), so a
# restart serves everything pushed before. ONBUILD_REGISTRY_PORT changes the
# port (default 5111); builders created against one port name it in their
# image references, so keep it stable.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="$root/.cache/registry"
addr="127.0.0.1:${ONBUILD_REGISTRY_PORT:-5111}"
pidfile="$state/pid"

answers() { curl -fsS -o /dev/null --max-time 2 "http://$addr/v2/" 2>/dev/null; }

running_pid() {
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  # A stale pid file may name an unrelated process by now: check what it runs.
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-dir $state/data" || return 1
  echo "$pid"
}

binary() {
  local key out
  key="$( { go version; cat "$root/go.sum" "$root"/tools/registry/*.go "$root"/tools/registry/cmd/registry/*.go; } | sha256sum | cut -c1-16)"
  out="$root/.cache/tools/registry-$key"
  if [[ ! -x $out/registry ]]; then
    mkdir -p "$out"
    (cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$out/registry.tmp" ./tools/registry/cmd/registry) >&2
    mv -f "$out/registry.tmp" "$out/registry"
  fi
  echo "$out/registry"
}

start() {
  if running_pid >/dev/null && answers; then
    echo "$addr"
    return
  fi
  mkdir -p "$state/data"
  local bin pid
  bin="$(binary)"
  echo "registry.sh: starting the registry on $addr (log: $state/log)" >&2
  # setsid+nohup: the registry must outlive this script and its terminal.
  setsid nohup "$bin" -dir "$state/data" -listen "$addr" >"$state/out" 2>"$state/log" </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"
  for _ in $(seq 100); do
    if answers; then
      echo "$addr"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "registry.sh: the registry is not answering on $addr; log tail:" >&2
  tail -n 20 "$state/log" >&2 || true
  exit 1
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$addr" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Makes sure a Docker engine answers. On a user's machine we only use the
# Docker they have; on a fresh root Debian machine (CI) we install and start one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log="$root/.cache/dockerd.log"

err="$(docker info 2>&1 >/dev/null)" && exit 0

if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
  echo "docker.sh: 'docker info' fails: ${err##*$'\n'}" >&2
  echo "docker.sh: start Docker (or get access to its socket) and retry" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
  echo "docker.sh: installing docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends docker.io >&2
fi

# A daemon that is still starting must not get a second one racing for its pid
# file; read that file rather than rely on procps, which minimal images lack.
pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
  echo "docker.sh: starting dockerd (log: $log)" >&2
  mkdir -p "$(dirname "$log")"
  # setsid+nohup: the daemon must outlive this script and its terminal.
  setsid nohup dockerd >"$log" 2>&1 </dev/null &
  pid=$!
fi

for _ in $(seq 60); do
  docker info >/dev/null 2>&1 && exit 0
  kill -0 "$pid" 2>/dev/null || break # died: no point waiting out the minute
  sleep 1
done
echo "docker.sh: dockerd is not answering; log tail:" >&2
tail -n 30 "$log" >&2 || true
exit 1

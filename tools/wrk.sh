#!/usr/bin/env bash
# Makes sure wrk exists on this machine: the bench's serving rows load each
# image with it on 127.0.0.1. On a user's machine we only check; on a root
# Debian machine (CI) we install Debian's package.
set -euo pipefail

command -v wrk >/dev/null && exit 0
if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
  echo "wrk.sh: the bench's serving rows need wrk (Debian package wrk); install it and retry" >&2
  exit 1
fi
echo "wrk.sh: installing wrk" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends wrk >&2

#!/usr/bin/env bash
# Makes sure git and hg exist on this machine: the integration tests serve
# their test repositories with them. On a user's machine we only check; on a
# root Debian machine (CI) we install what is missing.
set -euo pipefail

missing=()
command -v git >/dev/null || missing+=(git)
command -v hg >/dev/null || missing+=(mercurial)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
  echo "vcs.sh: the integration tests need ${missing[*]}; install them and retry" >&2
  exit 1
fi
echo "vcs.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

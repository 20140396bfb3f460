#!/usr/bin/env bash
# Makes sure poetry and pipenv exist on this machine: the integration tests
# make real poetry.lock and Pipfile.lock files with them against the test
# index. On a user's machine we only check; on a root Debian machine (CI) we
# install Debian's packages.
set -euo pipefail

missing=()
command -v poetry >/dev/null || missing+=(python3-poetry)
command -v pipenv >/dev/null || missing+=(pipenv)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
  echo "locktools.sh: the integration tests need ${missing[*]}; install them and retry" >&2
  exit 1
fi
echo "locktools.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

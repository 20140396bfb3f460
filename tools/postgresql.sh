#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs exist on this machine: the native
# libraries specs start a real server on 127.0.0.1 (initdb, pg_ctl, psql,
# run as the postgres user). On a user's machine we only check; on a root
# Debian machine (CI) we install Debian's postgresql when it is missing.
set -euo pipefail

compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && id postgres >/dev/null 2>&1 && exit 0
if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
  echo "postgresql.sh: the integration tests need PostgreSQL's server (Debian package postgresql); install it and retry" >&2
  exit 1
fi
echo "postgresql.sh: installing postgresql" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends postgresql >&2

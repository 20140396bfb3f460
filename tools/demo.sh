#!/usr/bin/env bash
# Builds the sample Python and Go apps with pack on onbuild/builder (the
# trixie stacks) and shows them answering on 127.0.0.1. Run through `make
# demo`, which builds the builder first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
stack_flavour
builder=$BUILDER_IMAGE
pack=$("$root/tools/pack.sh")
work=$(mktemp -d)
index_pid=""
containers=()

cleanup() {
  [ -n "$index_pid" ] && kill "$index_pid" 2>/dev/null || true
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# PyPI is not always reachable (it is not here): serve the sample's packages
# from a local index made of Debian's python3-* packages.
(cd "$root" && go build -o "$work/pyindex" ./tools/pyindex/cmd/pyindex)
"$work/pyindex" -cache "$root/.cache/pyindex" -image "$(stack_image build)" -listen 127.0.0.1:0 >"$work/index.out" 2>"$work/index.err" &
index_pid=$!
for _ in $(seq 1 600); do
  grep -q '^PYINDEX_URL=' "$work/index.out" 2>/dev/null && break
  kill -0 "$index_pid" 2>/dev/null || { cat "$work/index.err" >&2; exit 1; }
  sleep 0.5
done
index_url=$(sed -n 's/^PYINDEX_URL=//p' "$work/index.out")
[ -n "$index_url" ] || { echo "the local Python index did not start" >&2; cat "$work/index.err" >&2; exit 1; }

# answer IMAGE: runs the image on a free loopback port and prints its reply.
answer() {
  local image=$1 id port
  id=$(docker run -d -p 127.0.0.1::8080 "$image")
  containers+=("$id")
  port=$(docker port "$id" 8080/tcp | head -n 1)
  for _ in $(seq 1 60); do
    if body=$(curl -fsS "http://$port/" 2>/dev/null); then
      echo "==> $image answers on http://$port/"
      echo "$body"
      return 0
    fi
    sleep 0.5
  done
  docker logs "$id" >&2
  echo "$image did not answer on http://$port/" >&2
  return 1
}

echo "==> pack build onbuild-demo-python --builder $builder"
"$pack" build onbuild-demo-python --builder "$builder" --path "$root/samples/python" \
  --pull-policy never --trust-builder --network host \
  --env "PIP_INDEX_URL=$index_url" --env PIP_TRUSTED_HOST=127.0.0.1
answer onbuild-demo-python

# The Go toolchain and modules come over HTTPS from the module proxy: hand the
# build this machine's CAs, as a ca-certificates binding, in case a proxy
# re-signs HTTPS (harmless when none does).
bundle=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
binding=()
if [ -r "$bundle" ]; then
  mkdir -p "$work/ca" && cp "$bundle" "$work/ca/ca-certificates.crt" && echo ca-certificates >"$work/ca/type"
  chmod -R a+rX "$work/ca"
  binding=(--volume "$work/ca:/platform/bindings/ca-certificates")
fi
echo "==> pack build onbuild-demo-go --builder $builder --run-image $(stack_image run-tiny)"
"$pack" build onbuild-demo-go --builder "$builder" --path "$root/samples/go" \
  --run-image "$(stack_image run-tiny)" --pull-policy never --trust-builder "${binding[@]}"
answer onbuild-demo-go

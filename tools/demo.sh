#!/usr/bin/env bash
# `make demo`: from a fresh clone to both samples answering, one timed step
# at a time (Docker, pack, lifecycle, stacks, buildpacks, builder, pack's
# setup, each sample), then the commands that build the user's own app,
# which are the README's. The samples are built with those very commands,
# through pack's own configuration (tools/pack-setup.sh): no flag here that
# the README's commands lack.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
stack_flavour
builder=$BUILDER_IMAGE
work=$(mktemp -d)
containers=()
summary=()
demo_start=$(now_ms)

cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# seconds MS: milliseconds as seconds with one decimal.
seconds() { printf '%d.%d s' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# step NAME COMMAND...: runs COMMAND under a header, then says how long it
# took; the summary at the end lists every step again.
step() {
  local name=$1 t
  shift
  echo
  echo "==> $name"
  t=$(now_ms)
  "$@"
  local took=$(($(now_ms) - t))
  echo "--> $name: $(seconds "$took")"
  summary+=("$(printf '%-22s %8s' "$name" "$(seconds "$took")")")
}

# Steps run in this shell, so what one sets (pack, wheels) the next uses.
pack_path() { pack=$("$root/tools/pack.sh") && echo "$pack"; }
lifecycle_path() { "$root/tools/lifecycle.sh"; }

# The sample's packages come from Debian's python3-* packages made wheels
# (tools/pyindex): PyPI is not reachable everywhere (it is not on onbuild's
# CI machines), and the volume made of them needs no server left running.
python_wheels() {
  (cd "$root" && go build -o "$work/pyindex" ./tools/pyindex/cmd/pyindex)
  wheels=$("$work/pyindex" -cache "$root/.cache/pyindex" -image "$(stack_image build)" -build-only -quiet | sed -n 's/^PYINDEX_DIR=//p')
  [[ -n $wheels ]] || die "the local Python index built no wheels"
  echo "$(find "$wheels" -maxdepth 1 -name '*.whl' | wc -l) wheels in $wheels"
}

pack_setup() { ONBUILD_WHEELS=$wheels "$root/tools/pack-setup.sh"; }

# answer IMAGE: runs the image on a free loopback port and prints its reply.
answer() {
  local image=$1 id port body
  id=$(docker run -d -p 127.0.0.1::8080 "$image")
  containers+=("$id")
  port=$(docker port "$id" 8080/tcp | head -n 1)
  for _ in $(seq 1 60); do
    if body=$(curl -fsS "http://$port/" 2>/dev/null); then
      echo "$image answers on http://$port/: $body"
      return 0
    fi
    sleep 0.5
  done
  docker logs "$id" >&2
  die "$image did not answer on http://$port/"
}

# sample NAME ARGS...: the README's command, in a copy of samples/NAME as
# the user's app, with the demo's image name, then a request to the image.
sample() {
  local name=$1 image=onbuild-demo-$1
  shift
  cp -R "$root/samples/$name" "$work/$name"
  echo "$ (cd samples/$name && pack build $image --builder $builder $*)"
  (cd "$work/$name" && "$pack" build "$image" --builder "$builder" "$@")
  answer "$image"
}

# What the samples need besides the README's bare commands where PyPI is out
# of reach or HTTPS is re-signed; built with and printed from these, so the
# demo shows what it ran (internal/layout checks them against the README).
python_volumes="--volume onbuild-wheels:/wheels --env PIP_FIND_LINKS=/wheels --env PIP_NO_INDEX=1"
go_volumes="--volume onbuild-ca:/platform/bindings/ca-certificates"

step "Docker" "$root/tools/docker.sh"
step "pack" pack_path
step "lifecycle" lifecycle_path
step "stacks" "$root/stacks/build.sh"
step "buildpacks" "$root/tools/buildpacks.sh"
step "builder" "$root/builder/builder.sh"
step "Python wheels" python_wheels
step "pack setup" pack_setup
# shellcheck disable=SC2086 # the flags are words on purpose
step "Python sample" sample python $python_volumes
# shellcheck disable=SC2086
step "Go sample" sample go --run-image "$(stack_image run-tiny)" $go_volumes

echo
echo "==> make demo took $(seconds $(($(now_ms) - demo_start))):"
printf '    %s\n' "${summary[@]}"
cat <<EOF

==> Build your own app: in its folder, in any shell,
    pack build myapp --builder $builder                                     # Python
    pack build myapp --builder $builder --run-image $(stack_image run-tiny)   # Go
    Without PyPI, or behind HTTPS re-signed by a local CA, with the volumes the samples used:
    pack build myapp --builder $builder $python_volumes
    pack build myapp --builder $builder --run-image $(stack_image run-tiny) $go_volumes
    Then: docker run --rm -p 127.0.0.1:8080:8080 myapp
EOF

#!/usr/bin/env bash
# Creates the onbuild/builder image from the packaged buildpacks (out/), the
# stack images and the lifecycle built by tools/lifecycle.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out
pack=$("$root/tools/pack.sh")
lifecycle=$("$root/tools/lifecycle.sh")

# shellcheck source=stacks/mirror.sh
source "$root/stacks/mirror.sh"
# shellcheck source=stacks/defaults.sh
source "$root/stacks/defaults.sh"

# build_env NAME VALUE: a [[build.env]] entry, the default every build on
# the builder gets for NAME; `pack build --env NAME=...` still wins.
build_env() {
  local value=${2//\\/\\\\}
  printf '\n[[build.env]]\n  name = "%s"\n  value = "%s"\n  suffix = "default"\n' "$1" "${value//\"/\\\"}"
}

mirror=$(debian_mirror bookworm)
[[ -n $mirror ]] || { echo "builder.sh: no apt source serves bookworm; set DEBIAN_MIRROR" >&2; exit 1; }

# OFFLINE=1: onbuild/builder-offline, whose buildpacks carry their
# dependencies (git/hg .debs, Go toolchains) where libpak's dependency cache
# looks first, so builds need no network but the app's own package index.
# A separate image and directory: onbuild/builder and out/builder stay as
# they are for the builds and scripts that use them.
# ONBUILD_BUILDER names the image, so a second checkout can build and test
# its own builder beside the usual one.
image=${ONBUILD_BUILDER:-onbuild/builder} config=$out/builder buildpacks=$out/buildpacks
if [[ ${OFFLINE:-} == 1 ]]; then
  image=onbuild/builder-offline config=$out/builder-offline buildpacks=$out/buildpacks-offline
  "$root/tools/offline-deps.sh" "$out/buildpacks" "$buildpacks"
elif [[ -n ${OFFLINE:-} && ${OFFLINE} != 0 ]]; then
  echo "builder.sh: OFFLINE=$OFFLINE: use OFFLINE=1 (make builder OFFLINE=1) or leave it unset" >&2
  exit 1
fi

mkdir -p "$config"
{
  sed -e "s|@OUT@/buildpacks/|$buildpacks/|g" -e "s|@OUT@|$out|g" -e "s|@LIFECYCLE@|$lifecycle|g" "$root/stacks/builder/builder.toml.in"
  # Defaults taken from this machine, which builds with the same network.
  check_builder_default BP_DEBIAN_MIRROR "$mirror" "the apt sources" DEBIAN_MIRROR || exit 1
  build_env BP_DEBIAN_MIRROR "$mirror"
  # onbuild/go fetches toolchains and modules from this machine's Go proxy
  # and checks them against its checksum database; none is named in the repo.
  for name in GOPROXY GOSUMDB; do
    value=$(command -v go >/dev/null && go env "$name" || true)
    if [[ -n $value ]]; then
      check_builder_default "$name" "$value" "go env $name" "$name" || exit 1
      build_env "$name" "$value"
    fi
  done
} >"$config/builder.toml"
"$pack" builder create "$image" --config "$config/builder.toml" --pull-policy never

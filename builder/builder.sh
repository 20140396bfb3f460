#!/usr/bin/env bash
# Creates the builder image from the packaged buildpacks (out/), the stack
# images of one flavour (STACK, default trixie) and the lifecycle built by
# tools/lifecycle.sh:
#
#   make builder                  onbuild/builder          on the trixie stacks
#   make builder STACK=bookworm   onbuild/builder:bookworm on the bookworm stacks
#
# Env: STACK            the stack flavour (docs/stacks.md)
#      STACK_ARCH       amd64 or arm64 (default: this machine's): the builder for
#                       another machine's is onbuild/builder:ARCH (or
#                       :FLAVOUR-ARCH), from `make stacks buildpacks STACK_ARCH=ARCH`
#      ONBUILD_BUILDER  the image name instead of the flavour's default
#      OFFLINE=1        onbuild/builder-offline[:FLAVOUR], the builder's name with
#                       -offline (docs/publishing.md)
#      DEBIAN_MIRROR    the builds' BP_DEBIAN_MIRROR default (else apt's)
#      DEBIAN_SECURITY_MIRROR  the builds' BP_DEBIAN_SECURITY_MIRROR default
#                       (else the one apt uses for the flavour's -security)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
# shellcheck source=builder/defaults.sh
source "$root/builder/defaults.sh"
stack_flavour
pack=$("$root/tools/pack.sh")
lifecycle=$("$root/tools/lifecycle.sh" "$STACK_ARCH")

# build_env NAME VALUE: a [[build.env]] entry, the default every build on
# the builder gets for NAME; `pack build --env NAME=...` still wins.
build_env() {
  local value=${2//\\/\\\\}
  printf '\n[[build.env]]\n  name = "%s"\n  value = "%s"\n  suffix = "default"\n' "$1" "${value//\"/\\\"}"
}

mirror=$(debian_mirror "$STACK_SUITE")
[[ -n $mirror ]] || die "no apt source serves Debian; set DEBIAN_MIRROR"
security_mirror=$(debian_security_mirror "$STACK_SUITE")
for name in build run-python run-tiny; do
  docker image inspect "$(stack_image "$name")" >/dev/null 2>&1 ||
    die "$(stack_image "$name") is not in the daemon: run \`make stacks STACK=$STACK STACK_ARCH=$STACK_ARCH\`"
done

# OFFLINE=1: onbuild/builder-offline, whose buildpacks carry their
# dependencies (git/hg .debs of the flavour, Go toolchains) where libpak's
# dependency cache looks first, so builds need no network but the app's own
# package index. A separate image and directory: the online builder and its
# out/ directory stay as they are for the builds and scripts that use them.
suffix=""
[[ $STACK == "$STACK_DEFAULT" ]] || suffix="-$STACK"
[[ $STACK_ARCH == "$(host_arch)" ]] || suffix+="-$STACK_ARCH"
image=$BUILDER_IMAGE config=$out/builder$suffix buildpacks=$(buildpacks_dir "$out" "$STACK_ARCH")
[[ -d $buildpacks ]] || die "$buildpacks is missing: run \`make buildpacks STACK_ARCH=$STACK_ARCH\`"
if [[ ${OFFLINE:-} == 1 ]]; then
  # offline-deps.sh fetches the dependencies pinned for this machine's
  # architecture only.
  [[ $STACK_ARCH == "$(host_arch)" ]] || die "OFFLINE=1 builds only this machine's architecture ($(host_arch)), not STACK_ARCH=$STACK_ARCH"
  image=$(offline_image "$BUILDER_IMAGE")
  # One set of offline buildpacks serves every flavour: they carry the
  # packages of each.
  config=$out/builder-offline$suffix buildpacks=$out/buildpacks-offline
  "$root/tools/offline-deps.sh" "$out/buildpacks" "$buildpacks"
elif [[ -n ${OFFLINE:-} && ${OFFLINE} != 0 ]]; then
  die "OFFLINE=$OFFLINE: use OFFLINE=1 (make builder OFFLINE=1) or leave it unset"
fi

# onbuild/debian-packages and onbuild/native-libraries install only what
# the run image lacks: they read the run image's package records (the
# status.d files scanners read) and its shared libraries' file names, which
# the build cannot see, from their own folders. Each flavour's stamp is kept
# in out/run-images, which `make buildpacks` leaves alone, and every
# flavour's goes into the buildpacks: the builders of several flavours (and
# the one buildpackage `make publish` makes of each) share them. Another
# architecture's stamps are kept apart (out/run-images-ARCH), as its
# buildpacks are.
stamp_run_image() {
  local tmp container stamps
  stamps=$(run_images_dir "$out" "$STACK_ARCH")
  tmp=$(mktemp -d)
  container=$(docker create "$(stack_image run-python)" /nonexistent)
  if ! docker export "$container" >"$tmp/rootfs.tar"; then
    docker rm "$container" >/dev/null
    die "unable to read $(stack_image run-python)"
  fi
  docker rm "$container" >/dev/null
  mkdir "$tmp/root"
  tar -xf "$tmp/rootfs.tar" -C "$tmp/root" var/lib/dpkg/status.d
  mkdir -p "$stamps"
  # status.d records have no blank line between them once joined.
  find "$tmp/root/var/lib/dpkg/status.d" -type f | LC_ALL=C sort | xargs cat |
    awk 'NR > 1 && /^Package: / { print "" } { print }' >"$stamps/$STACK_ID.status"
  tar -tf "$tmp/rootfs.tar" | grep -E '(^|/)(lib|ld-linux)[^/]*\.so(\.[0-9][^/]*)?$' | sed 's|.*/||' |
    LC_ALL=C sort -u >"$stamps/$STACK_ID.libraries"
  rm -rf "$tmp"
  for name in debian-packages native-libraries; do
    mkdir -p "$1/$name/run-images"
    cp "$stamps"/* "$1/$name/run-images/"
  done
}
stamp_run_image "$buildpacks"

mkdir -p "$config"
{
  sed -e "s|@OUT@/buildpacks/|$buildpacks/|g" -e "s|@OUT@|$out|g" -e "s|@LIFECYCLE@|$lifecycle|g" \
    -e "s|@STACK@|$STACK|g" -e "s|@TAG@|$STACK_TAG|g" "$root/builder/builder.toml.in"
  # Defaults taken from this machine, which builds with the same network.
  check_builder_default BP_DEBIAN_MIRROR "$mirror" "the apt sources" DEBIAN_MIRROR || exit 1
  build_env BP_DEBIAN_MIRROR "$mirror"
  if [[ -n $security_mirror ]]; then
    check_builder_default BP_DEBIAN_SECURITY_MIRROR "$security_mirror" "the apt sources" DEBIAN_SECURITY_MIRROR || exit 1
    build_env BP_DEBIAN_SECURITY_MIRROR "$security_mirror"
  fi
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
log "$image: the $STACK stacks ($STACK_ID), linux/$STACK_ARCH"

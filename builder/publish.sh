#!/usr/bin/env bash
# Publishes onbuild to a platform team's registry, the way a kpack cluster
# or a pack user elsewhere consumes it (`make publish REGISTRY=host:port/prefix`),
# for each stack flavour F of PUBLISH_STACKS (docs/publishing.md):
#
#   REGISTRY/stack-build:F                the build image
#   REGISTRY/stack-run-python:F           the run images (io.buildpacks.rebasable)
#   REGISTRY/stack-run-tiny:F
#   REGISTRY/buildpacks/NAME:VERSION      one buildpackage per component buildpack
#   REGISTRY/buildpacks/onbuild:VERSION   the composite, referencing the components
#   REGISTRY/builder:latest               the builder on the trixie stacks
#   REGISTRY/builder:F                    the builder of each flavour (builder:trixie
#                                         is builder:latest)
#   REGISTRY/sources/python-sample:latest the samples' source, for kpack's sample Images
#   REGISTRY/sources/go-sample:latest
#
# and renders the kpack resources of builder/kpack/ with REGISTRY filled in,
# into $PUBLISH_DIR/kpack/ (default out/publish/kpack/).
#
# Needs `make builder STACK=F` first for each flavour: the published builder
# starts from the builder.toml that builder/builder.sh wrote, so both carry
# the same buildpacks and defaults, and the stack images come from the daemon.
#
# Env: REGISTRY         required; where to publish (host[:port]/prefix)
#      PUBLISH_STACKS   the flavours to publish (default: trixie bookworm)
#      PUBLISH_MIRRORS  space-separated registry prefixes that also get the
#                       run images, listed as run image mirrors of the builder:
#                       pack picks the mirror in the registry an app is published to
#      PUBLISH_DIR      where package.toml, builder.toml and kpack/ are written
#      OFFLINE=1        publish `make builder OFFLINE=1`'s buildpacks, which carry
#                       their dependencies, as NAME:VERSION-offline and the
#                       builders as REGISTRY/builder:offline[-F]; the rest is the same
set -euo pipefail
# A failed pack inside $(package ...) must stop the script.
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out
publish_dir=${PUBLISH_DIR:-$out/publish}

LOG_NAME=publish.sh
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
# shellcheck source=builder/push.sh
source "$root/builder/push.sh"

# A registry prefix as docker and pack accept it: a host (a dot, a port or
# localhost tells them it is one), then at least one lowercase path element.
valid_prefix() {
  [[ $1 =~ ^([a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]+)?)(/[a-z0-9]+([._-][a-z0-9]+)*)+$ ]] || return 1
  local host=${BASH_REMATCH[1]}
  [[ $host == *.* || $host == *:* || $host == localhost ]]
}

[[ -n ${REGISTRY:-} ]] || die "REGISTRY is not set: run \`make publish REGISTRY=host:port/prefix\`, for example REGISTRY=HOST:5000/onbuild (see docs/publishing.md)"
valid_prefix "$REGISTRY" || die "REGISTRY=$REGISTRY is not host[:port]/prefix: the host needs a dot or a port, the prefix at least one lowercase path element (docs/publishing.md)"
for mirror in ${PUBLISH_MIRRORS:-}; do
  valid_prefix "$mirror" || die "PUBLISH_MIRRORS entry $mirror is not host[:port]/prefix"
done
flavours=${PUBLISH_STACKS:-$STACK_FLAVOURS}
for flavour in $flavours; do
  (STACK=$flavour stack_flavour) || exit 1
done
[[ -z ${OFFLINE:-} || $OFFLINE == 0 || $OFFLINE == 1 ]] || die "OFFLINE=$OFFLINE: use OFFLINE=1 (make publish OFFLINE=1 REGISTRY=...) or leave it unset"
# `make publish` checks the input before it spends minutes on the builder.
if [[ ${1:-} == --check ]]; then
  echo "$flavours"
  exit 0
fi

pack=$("$root/tools/pack.sh")
# base_toml FLAVOUR: the builder.toml builder/builder.sh wrote for it.
base_toml() {
  local dir=builder
  [[ ${OFFLINE:-} == 1 ]] && dir=builder-offline
  [[ $1 == "$STACK_DEFAULT" ]] || dir+="-$1"
  echo "$out/$dir/builder.toml"
}
buildpacks=$out/buildpacks suffix=""
if [[ ${OFFLINE:-} == 1 ]]; then
  buildpacks=$out/buildpacks-offline suffix=-offline
fi
for flavour in $flavours; do
  [[ -f $(base_toml "$flavour") ]] || die "$(base_toml "$flavour") is missing: run \`make builder STACK=$flavour\` (with the same OFFLINE) first"
  (STACK=$flavour && stack_flavour && check_stamped "$buildpacks") || exit 1
  for name in build run-python run-tiny; do
    docker image inspect "onbuild/stack-$name:$flavour" >/dev/null 2>&1 ||
      die "onbuild/stack-$name:$flavour is not in the daemon: run \`make stacks STACK=$flavour\`"
  done
done
mkdir -p "$publish_dir"
start=$(now_ms)

# version_of DIR: the [buildpack] version of DIR/buildpack.toml, which comes
# before any order group's or dependency's version.
version_of() { sed -n 's/^ *version = "\(.*\)"$/\1/p' "$1/buildpack.toml" | head -n 1; }

# --- stacks -----------------------------------------------------------------
for flavour in $flavours; do
  for name in build run-python run-tiny; do
    push_image "onbuild/stack-$name:$flavour" "$REGISTRY/stack-$name:$flavour"
  done
  for mirror in ${PUBLISH_MIRRORS:-}; do
    for name in run-python run-tiny; do
      push_image "onbuild/stack-$name:$flavour" "$mirror/stack-$name:$flavour"
    done
  done
done

# --- buildpackages ----------------------------------------------------------
# Components first: the composite's package.toml names them by registry
# reference, and pack reads them back from the registry to package it.
components=()
for dir in "$buildpacks"/*/; do
  name=$(basename "$dir")
  # The composite comes last; the run-image extension belongs only to the
  # extension experiment of builder/builder-registry.sh.
  [[ $name == onbuild || ! -f $dir/buildpack.toml ]] && continue
  components+=("$name")
done
((${#components[@]} > 0)) || die "no buildpacks in $buildpacks: run \`make buildpacks\`"

# package NAME [DEPENDENCY...]: publishes $buildpacks/NAME as
# REGISTRY/buildpacks/NAME:VERSION$suffix and prints that reference.
package() {
  local name=$1 dir=$buildpacks/$1 ref config t dep
  shift
  ref="$REGISTRY/buildpacks/$name:$(version_of "$dir")$suffix"
  config="$publish_dir/package-$name.toml"
  {
    printf '[buildpack]\n  uri = "%s"\n\n[platform]\n  os = "linux"\n' "$dir"
    # A bare reference: pack v0.40.6 rejects docker:// before a host:port.
    for dep in "$@"; do printf '\n[[dependencies]]\n  uri = "%s"\n' "$dep"; done
  } >"$config"
  t=$(now_ms)
  "$pack" buildpack package "$ref" --config "$config" --publish >&2
  log "published $ref in $(elapsed_ms "$t")"
  echo "$ref"
}

declare -A refs=()
for name in "${components[@]}"; do
  refs[$name]=$(package "$name")
done
deps=()
for name in "${components[@]}"; do deps+=("${refs[$name]}"); done
refs[onbuild]=$(package onbuild "${deps[@]}")

# --- builders ---------------------------------------------------------------
# Each flavour's daemon builder definition with every buildpack taken from
# its buildpackage and every stack image named in the registry.
run_mirrors() {
  local list="" mirror
  for mirror in ${PUBLISH_MIRRORS:-}; do list+="${list:+, }\"$mirror/stack-$1:$suite\""; done
  echo "$list"
}
builders=()
for suite in $flavours; do
  base=$(base_toml "$suite")
  sed_args=(-e "s|\"onbuild/stack-|\"$REGISTRY/stack-|g")
  for name in "${!refs[@]}"; do
    sed_args+=(-e "s|^\( *uri = \)\"$buildpacks/$name\"$|\1\"${refs[$name]}\"|")
  done
  if [[ -n ${PUBLISH_MIRRORS:-} ]]; then
    for name in run-python run-tiny; do
      sed_args+=(-e "s|^\( *\)image = \"$REGISTRY/stack-$name:$suite\"$|&\n\1mirrors = [$(run_mirrors "$name")]|")
    done
    sed_args+=(-e "s|^\( *\)run-image = \"$REGISTRY/stack-run-python:$suite\"$|&\n\1run-image-mirrors = [$(run_mirrors run-python)]|")
  fi
  config=$publish_dir/builder-$suite.toml
  sed "${sed_args[@]}" "$base" >"$config"
  if grep -n "uri = \"$out/" "$config" >&2; then
    die "$config still names the buildpack directories above: every buildpack of $base needs a buildpackage"
  fi
  tags=()
  if [[ ${OFFLINE:-} == 1 ]]; then
    [[ $suite == "$STACK_DEFAULT" ]] && tags+=(offline)
    tags+=("offline-$suite")
  else
    [[ $suite == "$STACK_DEFAULT" ]] && tags+=(latest)
    tags+=("$suite")
  fi
  t=$(now_ms)
  "$pack" builder create "$REGISTRY/builder:${tags[0]}" --config "$config" --publish >&2
  for tag in "${tags[@]:1}"; do
    # Every layer is in the registry already: only the manifest is new.
    "$pack" builder create "$REGISTRY/builder:$tag" --config "$config" --publish >&2
  done
  builders+=("${tags[@]/#/$REGISTRY/builder:}")
  log "published ${tags[*]/#/$REGISTRY/builder:} ($suite stacks) in $(elapsed_ms "$t")"
done

# --- sample sources and kpack resources -------------------------------------
# kpack builds from git, a blob URL or a registry image; a source image keeps
# the sample Images free of any host but REGISTRY.
for sample in python go; do
  t=$(now_ms)
  # kpack extracts a source image's layers into the workspace: one layer
  # holding the sample's files is all it needs.
  tar -C "$root/samples/$sample" --owner=0 --group=0 --numeric-owner -cf - . |
    docker import - "$REGISTRY/sources/$sample-sample:latest" >/dev/null
  docker push -q "$REGISTRY/sources/$sample-sample:latest" >/dev/null
  # Only the registry needs it; a re-publish would leave the old one dangling.
  docker image rm "$REGISTRY/sources/$sample-sample:latest" >/dev/null
  log "pushed $REGISTRY/sources/$sample-sample:latest in $(elapsed_ms "$t")"
done

"$root/builder/kpack/render.sh" "$REGISTRY" "$suffix" "$publish_dir/kpack"
log "kpack resources for $REGISTRY in $publish_dir/kpack/ (kubectl apply -f)"
log "published everything in $(elapsed_ms "$start")"

cat <<EOF
Builders: ${builders[*]}
Build with:
  pack build IMAGE --builder ${builders[0]}
  pack build REGISTRY/IMAGE --builder ${builders[0]} --publish --cache-image REGISTRY/IMAGE-cache
On Kubernetes with kpack: kubectl apply -f $publish_dir/kpack/
EOF

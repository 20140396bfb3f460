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
# With more than one architecture in PUBLISH_ARCHES, every image above but
# the sample sources is a multi-architecture image index whose manifests
# are published beside it as NAME:TAG-ARCH (stack-build:trixie-arm64,
# builder:trixie-arm64, buildpacks/go:0.1.0-arm64): pack, docker and kpack
# pull the one of their platform (`pack build --platform linux/arm64`).
# Each architecture's builder is created on its own from its own
# definition, with its [[targets]] entry, lifecycle and buildpacks, and
# the index made of them: pack v0.40.6 puts one lifecycle in every
# architecture of a builder it makes multi-arch itself.
#
# and renders the kpack resources of builder/kpack/ with REGISTRY filled in,
# into $PUBLISH_DIR/kpack/ (default out/publish/kpack/).
#
# Needs `make builder STACK=F STACK_ARCH=A` first for each flavour and
# architecture: the published builder
# starts from the builder.toml that builder/builder.sh wrote, so both carry
# the same buildpacks and defaults, and the stack images come from the daemon.
#
# Env: REGISTRY         required; where to publish (host[:port]/prefix)
#      PUBLISH_STACKS   the flavours to publish (default: trixie bookworm)
#      PUBLISH_ARCHES   the architectures to publish (default: this machine's;
#                       "amd64 arm64" for the multi-arch builder)
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
arches=${PUBLISH_ARCHES:-$(host_arch)}
for arch in $arches; do
  [[ " $STACK_ARCHES " == *" $arch "* ]] || die "PUBLISH_ARCHES=\"$arches\": $arch is not an architecture onbuild builds for; use some of: $STACK_ARCHES"
done
multi=""
[[ $(wc -w <<<"$arches") -gt 1 ]] && multi=1
[[ -n $multi && ${OFFLINE:-} == 1 ]] && die "OFFLINE=1 publishes this machine's architecture only; leave PUBLISH_ARCHES unset"
# `make publish` checks the input before it spends minutes on the builder.
if [[ ${1:-} == --check ]]; then
  echo "$flavours"
  exit 0
fi
if [[ ${1:-} == --check-arches ]]; then
  echo "$arches"
  exit 0
fi

pack=$("$root/tools/pack.sh")
# base_toml FLAVOUR ARCH: the builder.toml builder/builder.sh wrote for them.
base_toml() {
  local dir=builder
  [[ ${OFFLINE:-} == 1 ]] && dir=builder-offline
  [[ $1 == "$STACK_DEFAULT" ]] || dir+="-$1"
  [[ $2 == "$(host_arch)" ]] || dir+="-$2"
  echo "$out/$dir/builder.toml"
}
# local_stack NAME FLAVOUR ARCH: the daemon's stack image.
local_stack() { (STACK=$2 STACK_ARCH=$3 && stack_flavour && stack_image "$1"); }
# buildpacks_of ARCH: the compiled buildpacks builder/builder.sh used.
buildpacks_of() {
  if [[ ${OFFLINE:-} == 1 ]]; then echo "$out/buildpacks-offline"; else buildpacks_dir "$out" "$1"; fi
}
suffix=""
[[ ${OFFLINE:-} == 1 ]] && suffix=-offline
for flavour in $flavours; do
  for arch in $arches; do
    [[ -f $(base_toml "$flavour" "$arch") ]] ||
      die "$(base_toml "$flavour" "$arch") is missing: run \`make builder STACK=$flavour STACK_ARCH=$arch\` (with the same OFFLINE) first"
    (STACK=$flavour STACK_ARCH=$arch && stack_flavour && check_stamped "$(buildpacks_of "$arch")") || exit 1
    for name in build run-python run-tiny; do
      docker image inspect "$(local_stack "$name" "$flavour" "$arch")" >/dev/null 2>&1 ||
        die "$(local_stack "$name" "$flavour" "$arch") is not in the daemon: run \`make stacks STACK=$flavour STACK_ARCH=$arch\`"
    done
  done
done
mkdir -p "$publish_dir"
start=$(now_ms)

# publish_as LOCAL_OF REMOTE: pushes the image of this machine's
# architecture as REMOTE; with several architectures, each one's as
# REMOTE-ARCH and REMOTE as their index. LOCAL_OF ARCH prints the local
# image of ARCH.
if [[ -n $multi ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  imageindex=$tmp/imageindex
  (cd "$root" && CGO_ENABLED=0 go build -o "$imageindex" ./builder/cmd/imageindex)
fi
# make_index REMOTE IMAGE...: REMOTE becomes the index of the IMAGEs.
make_index() {
  local t
  t=$(now_ms)
  "$imageindex" "$@" >/dev/null
  log "published $1, the index of ${*:2} in $(elapsed_ms "$t")"
}
publish_as() {
  local local_of=$1 remote=$2 arch images=()
  if [[ -z $multi ]]; then
    push_image "$($local_of "$arches")" "$remote"
    return
  fi
  for arch in $arches; do
    push_image "$($local_of "$arch")" "$remote-$arch"
    images+=("$remote-$arch")
  done
  make_index "$remote" "${images[@]}"
}

# version_of DIR: the [buildpack] version of DIR/buildpack.toml, which comes
# before any order group's or dependency's version.
version_of() { sed -n 's/^ *version = "\(.*\)"$/\1/p' "$1/buildpack.toml" | head -n 1; }

# --- stacks -----------------------------------------------------------------
# stack_of ARCH: the local stack image $name of $flavour for ARCH.
stack_of() { local_stack "$name" "$flavour" "$1"; }
for flavour in $flavours; do
  for name in build run-python run-tiny; do
    publish_as stack_of "$REGISTRY/stack-$name:$flavour"
  done
  for mirror in ${PUBLISH_MIRRORS:-}; do
    for name in run-python run-tiny; do
      publish_as stack_of "$mirror/stack-$name:$flavour"
    done
  done
done

# --- buildpackages ----------------------------------------------------------
# Components first: the composite's package.toml names them by registry
# reference, and pack reads them back from the registry to package it.
first=$(buildpacks_of "${arches%% *}")
components=()
for dir in "$first"/*/; do
  name=$(basename "$dir")
  # The composite comes last; the run-image extension belongs only to the
  # extension experiment of builder/builder-registry.sh.
  [[ $name == onbuild || ! -f $dir/buildpack.toml ]] && continue
  components+=("$name")
done
((${#components[@]} > 0)) || die "no buildpacks in $first: run \`make buildpacks\`"
for arch in $arches; do
  [[ -d $(buildpacks_of "$arch") ]] || die "$(buildpacks_of "$arch") is missing: run \`make buildpacks STACK_ARCH=$arch\`"
done

# package NAME ARCH [DEPENDENCY...]: publishes NAME compiled for ARCH as
# REGISTRY/buildpacks/NAME:VERSION$suffix (-ARCH after it when several
# architectures are published) and prints that reference.
package() {
  local name=$1 arch=$2 dir ref config t dep
  local -a target=()
  shift 2
  dir=$(buildpacks_of "$arch")/$name
  ref="$REGISTRY/buildpacks/$name:$(version_of "$dir")$suffix"
  config="$publish_dir/package-$name.toml"
  if [[ -n $multi ]]; then
    ref+="-$arch" config="$publish_dir/package-$name-$arch.toml"
    # The image's config names the architecture, which the index lists.
    target=(--target "linux/$arch")
  fi
  {
    printf '[buildpack]\n  uri = "%s"\n\n[platform]\n  os = "linux"\n' "$dir"
    # A bare reference: pack v0.40.6 rejects docker:// before a host:port.
    for dep in "$@"; do printf '\n[[dependencies]]\n  uri = "%s"\n' "$dep"; done
  } >"$config"
  t=$(now_ms)
  "$pack" buildpack package "$ref" --config "$config" --publish "${target[@]}" >&2
  log "published $ref in $(elapsed_ms "$t")"
  echo "$ref"
}

# refs[NAME ARCH]: the buildpackage of NAME for ARCH.
declare -A refs=()
for arch in $arches; do
  deps=()
  for name in "${components[@]}"; do
    refs[$name $arch]=$(package "$name" "$arch")
    deps+=("${refs[$name $arch]}")
  done
  refs[onbuild $arch]=$(package onbuild "$arch" "${deps[@]}")
done
if [[ -n $multi ]]; then
  for name in "${components[@]}" onbuild; do
    images=()
    for arch in $arches; do images+=("${refs[$name $arch]}"); done
    make_index "${images[0]%-*}" "${images[@]}"
  done
fi

# --- builders ---------------------------------------------------------------
# Each flavour's daemon builder definition with every buildpack taken from
# its buildpackage and every stack image named in the registry; with several
# architectures, one builder per architecture and their index.
run_mirrors() {
  local list="" mirror
  for mirror in ${PUBLISH_MIRRORS:-}; do list+="${list:+, }\"$mirror/stack-$1:$suite\""; done
  echo "$list"
}
builders=()
for suite in $flavours; do
  tags=()
  if [[ ${OFFLINE:-} == 1 ]]; then
    [[ $suite == "$STACK_DEFAULT" ]] && tags+=(offline)
    tags+=("offline-$suite")
  else
    [[ $suite == "$STACK_DEFAULT" ]] && tags+=(latest)
    tags+=("$suite")
  fi
  t=$(now_ms)
  images=()
  for arch in $arches; do
    base=$(base_toml "$suite" "$arch")
    buildpacks=$(buildpacks_of "$arch")
    # Another architecture's local stack images carry it in their tag; in
    # the registry every stack name serves each architecture.
    local_tag=$(STACK=$suite STACK_ARCH=$arch && stack_flavour && echo "$STACK_TAG")
    sed_args=(-e "s|\"onbuild/stack-\([a-z-]*\):$local_tag\"|\"$REGISTRY/stack-\1:$suite\"|g")
    for name in "${components[@]}" onbuild; do
      sed_args+=(-e "s|^\( *uri = \)\"$buildpacks/$name\"$|\1\"${refs[$name $arch]}\"|")
    done
    if [[ -n ${PUBLISH_MIRRORS:-} ]]; then
      for name in run-python run-tiny; do
        sed_args+=(-e "s|^\( *\)image = \"$REGISTRY/stack-$name:$suite\"$|&\n\1mirrors = [$(run_mirrors "$name")]|")
      done
      sed_args+=(-e "s|^\( *\)run-image = \"$REGISTRY/stack-run-python:$suite\"$|&\n\1run-image-mirrors = [$(run_mirrors run-python)]|")
    fi
    config=$publish_dir/builder-$suite.toml
    [[ -n $multi ]] && config=$publish_dir/builder-$suite-$arch.toml
    sed "${sed_args[@]}" "$base" >"$config"
    if [[ -n $multi ]]; then
      # pack fetches each stack image for this platform from its index.
      printf '\n[[targets]]\n  os = "linux"\n  arch = "%s"\n' "$arch" >>"$config"
    fi
    if grep -n "uri = \"$out/" "$config" >&2; then
      die "$config still names the buildpack directories above: every buildpack of $base needs a buildpackage"
    fi
    if [[ -z $multi ]]; then
      "$pack" builder create "$REGISTRY/builder:${tags[0]}" --config "$config" --publish >&2
      for tag in "${tags[@]:1}"; do
        # Every layer is in the registry already: only the manifest is new.
        "$pack" builder create "$REGISTRY/builder:$tag" --config "$config" --publish >&2
      done
    else
      "$pack" builder create "$REGISTRY/builder:$suite$suffix-$arch" --config "$config" --publish >&2
      images+=("$REGISTRY/builder:$suite$suffix-$arch")
    fi
  done
  if [[ -n $multi ]]; then
    for tag in "${tags[@]}"; do make_index "$REGISTRY/builder:$tag" "${images[@]}"; done
  fi
  builders+=("${tags[@]/#/$REGISTRY/builder:}")
  log "published ${tags[*]/#/$REGISTRY/builder:} ($suite stacks, $arches) in $(elapsed_ms "$t")"
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

#!/usr/bin/env bash
# Builds the onbuild stack images from Debian packages, with no container
# registry: the build image from debootstrap + apt, the run images by
# extracting package closures (distroless style).
#
#   stacks/build.sh                      all three images
#   stacks/build.sh build run-python     only those (run images need the build image)
#
# Images: onbuild/stack-build:FLAVOUR, onbuild/stack-run-python:FLAVOUR,
#         onbuild/stack-run-tiny:FLAVOUR (docs/stacks.md); FLAVOUR-ARCH for
#         an architecture other than this machine's
# Env:    STACK                   the flavour: trixie (default) or bookworm
#         STACK_ARCH              amd64 or arm64 (default: this machine's); another
#                                 machine's needs emulation (tools/emulation.sh),
#                                 and its root filesystems take minutes more
#         DEBIAN_MIRROR           default: the Debian URI in this machine's apt sources
#         DEBIAN_SECURITY_MIRROR  default: the -security URI in this machine's apt sources
#         STACKS_UPDATES=0        the release as it was, without the -updates and
#                                 -security suites (tagged FLAVOUR-base)
#         STACKS_FORCE=1          rebuild root filesystems even when cached
#         STACKS_DOCKER_NETWORK   network of helper containers (default host,
#                                 so a mirror on loopback is reachable too)
#
# Root filesystems are cached in .cache/stacks/ under a key hashing the
# package list, this script, the mirrors and the suites. Images carry the key
# in the label io.onbuild.stack.key, so a warm run only inspects them.
set -euo pipefail
LOG_NAME=stacks
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"

CNB_UID=1000
CNB_GID=1000
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ALL_IMAGES=(build run-python run-tiny)

# Package list without comments and blank lines.
packages() { sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$1"; }

# ---------------------------------------------------------------------------
# Host side
# ---------------------------------------------------------------------------

ensure_tools() {
  local root_dir=$1
  if [[ -x $root_dir/tools/docker.sh ]]; then
    "$root_dir/tools/docker.sh"
  else
    docker info >/dev/null 2>&1 || die "no Docker engine answers 'docker info'"
  fi
}

ensure_debootstrap() {
  command -v debootstrap >/dev/null && return
  [[ $(id -u) -eq 0 && -f /etc/debian_version ]] ||
    die "debootstrap is missing; install it (Debian package 'debootstrap') and retry"
  log "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring gpgv >&2
}

key_of() {
  { cat "$STACKS/$1/packages.txt" 2>/dev/null || echo "$1"; cat "$SELF"; echo "$MIRROR"; echo "$SUITE"
    [[ $1 == minbase ]] || echo "$SECURITY_MIRROR $UPDATES"
    [[ $ARCH == amd64 ]] || echo "$ARCH"; } |
    sha256sum | cut -c1-16
}

# docker run flags shared by helper containers.
helper_flags() {
  local v
  HELPER=(--network "${STACKS_DOCKER_NETWORK:-host}" -v "$ROOT/stacks:/src/stacks:ro" -v "$ROOT/tools/lib.sh:/src/tools/lib.sh:ro"
          -e "MIRROR=$MIRROR" -e "SECURITY_MIRROR=$SECURITY_MIRROR" -e "SUITE=$SUITE" -e "UPDATES=$UPDATES"
          -e "STACK=$STACK" -e "HOST_UID=$(id -u)" -e "HOST_GID=$(id -g)")
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [[ -n ${!v:-} ]] && HELPER+=(-e "$v")
  done
  return 0
}

cleanup() {
  local c
  for c in "${CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
}

# Moves OUT/rootfs.tar and OUT/meta to the cache as NAME-KEY.*, dropping
# entries of NAME with other keys. meta goes first: the tar marks completeness.
commit_cache() {
  local name=$1 key=$2 out=$3 f
  for f in "$CACHE/$name"-*.tar "$CACHE/$name"-*.meta; do
    [[ -e $f && $f != "$CACHE/$name-$key".* ]] && rm -f "$f"
  done
  mv "$out/meta" "$CACHE/$name-$key.meta"
  mv "$out/rootfs.tar" "$CACHE/$name-$key.tar"
}

# Debian minbase from debootstrap, imported as the temporary image $MINBASE.
minbase_image() {
  local key tar tmp f
  key=$(key_of minbase)
  tar="$CACHE/minbase-$key.tar"
  if [[ ! -f $tar ]]; then
    ensure_debootstrap
    [[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
    tmp=$(mktemp -d "$CACHE/.minbase.XXXXXX")
    CLEANUP+=("rm -rf '$tmp'")
    if [[ $ARCH == "$(host_arch)" ]]; then
      log "debootstrap --variant=minbase $SUITE (about a minute)"
      debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$tmp/rootfs" "$MIRROR" >"$tmp/log" 2>&1 ||
        { tail -n 30 "$tmp/log" >&2; die "debootstrap failed"; }
    else
      # Another architecture's packages are unpacked here, then configured
      # by their own programs, which run under emulation in the chroot.
      log "debootstrap --variant=minbase --arch=$ARCH $SUITE, second stage emulated (a few minutes)"
      debootstrap --foreign --variant=minbase --arch="$ARCH" "$SUITE" "$tmp/rootfs" "$MIRROR" >"$tmp/log" 2>&1 ||
        { tail -n 30 "$tmp/log" >&2; die "debootstrap --foreign failed"; }
      chroot "$tmp/rootfs" /debootstrap/debootstrap --second-stage >>"$tmp/log" 2>&1 ||
        { tail -n 30 "$tmp/log" >&2; die "debootstrap --second-stage failed"; }
    fi
    tar -C "$tmp/rootfs" --numeric-owner -cf "$tmp/rootfs.tar" .
    for f in "$CACHE"/minbase-*.tar; do [[ -e $f ]] && rm -f "$f"; done
    mv "$tmp/rootfs.tar" "$tar"
    rm -rf "$tmp"
  fi
  MINBASE="onbuild/stack-tmp:minbase-$key"
  docker import "$tar" "$MINBASE" >/dev/null
  CLEANUP+=("docker rmi '$MINBASE'")
}

rootfs_build() {
  local key=$1 base out c
  minbase_image
  base=$MINBASE
  out=$(mktemp -d "$CACHE/.build.XXXXXX")
  CLEANUP+=("rm -rf '$out'")
  c="onbuild-stacks-build-$key-$$"
  CLEANUP+=("docker rm -f '$c'")
  log "build: installing packages"
  docker run --name "$c" "${HELPER[@]}" "$base" bash /src/stacks/build.sh --in-container build-install >&2
  log "build: normalizing the root filesystem"
  docker export "$c" |
    docker run -i --rm "${HELPER[@]}" -v "$out:/out" "$base" bash /src/stacks/build.sh --in-container normalize >&2
  docker rm "$c" >/dev/null
  commit_cache build "$key" "$out"
  rm -rf "$out"
}

rootfs_run() {
  local name=$1 key=$2 out
  ensure_image build
  out=$(mktemp -d "$CACHE/.$name.XXXXXX")
  CLEANUP+=("rm -rf '$out'")
  log "$name: resolving and extracting packages"
  docker run --rm --user 0:0 "${HELPER[@]}" -v "$out:/out" "$(stack_image build)" \
    bash /src/stacks/build.sh --in-container run-rootfs "$name" >&2
  commit_cache "$name" "$key" "$out"
  rm -rf "$out"
}

# Loads NAME's rootfs tar as a one-layer image through `docker load`, with a
# config written by stacks/cmd/stackimage (go-containerregistry): unlike
# `docker import`, the image id then depends only on the content (created =
# the packages' newest timestamp, not the wall clock).
load_image() {
  local name=$1 key=$2 tar=$3 tag released version desc old new dir
  local -a args
  tag=$(stack_image "$name")
  released=$(sed -n 's/^released=//p' "${tar%.tar}.meta")
  version=$(sed -n 's/^version=//p' "${tar%.tar}.meta")
  args=(-layer "$tar" -tag "$tag" -created "$released" -arch "$ARCH" -user "$CNB_UID:$CNB_GID"
        -env "PATH=$STD_PATH" -env "CNB_USER_ID=$CNB_UID" -env "CNB_GROUP_ID=$CNB_GID"
        -history "stacks/build.sh: Debian $SOURCES packages")
  case $name in
    build)      desc="onbuild build image: Debian $version ($SUITE) with Python 3, pip, venv, headers, gcc and make"
                args+=(-env "CNB_STACK_ID=$STACK_ID" -workdir /home/cnb -cmd /bin/bash) ;;
    run-python) desc="onbuild run image for Python apps: Debian $version ($SUITE) python3 runtime, CA certificates, tzdata, /bin/sh" ;;
    run-tiny)   desc="onbuild run image for static binaries: Debian $version ($SUITE) CA certificates, tzdata, passwd; no shell, no libc" ;;
  esac
  args+=(-label "io.buildpacks.stack.id=$STACK_ID"
         -label "io.buildpacks.base.distro.name=debian"
         -label "io.buildpacks.base.distro.version=$version"
         -label "io.buildpacks.base.maintainer=onbuild maintainers"
         -label "io.buildpacks.base.homepage=https://github.com/onbuild-buildpacks/onbuild"
         -label "io.buildpacks.base.description=$desc"
         -label "io.buildpacks.base.released=$released"
         -label "io.onbuild.stack.key=$key")
  [[ $name == run-* ]] && args+=(-label "io.buildpacks.rebasable=true" -label "io.onbuild.stack.sbom=$SBOM")

  dir=$(mktemp -d "$CACHE/.load.XXXXXX")
  CLEANUP+=("rm -rf '$dir'")
  (cd "$ROOT" && go run ./stacks/cmd/stackimage "${args[@]}" -o "$dir/image.tar") ||
    die "$name: stacks/cmd/stackimage failed"

  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  log "$name: loading $tag"
  docker load -q -i "$dir/image.tar" >/dev/null
  rm -rf "$dir"
  new=$(docker image inspect -f '{{.Id}}' "$tag")
  # The replaced image is an older build of ours (it has our key label): drop
  # it unless something still uses it.
  if [[ -n $old && $old != "$new" ]] &&
     [[ -n $(docker image inspect -f '{{index .Config.Labels "io.onbuild.stack.key"}}' "$old" 2>/dev/null) ]]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
}

ensure_image() {
  local name=$1 key tar
  [[ -n ${BUILT[$name]:-} ]] && return
  key=$(key_of "$name")
  tar="$CACHE/$name-$key.tar"
  if [[ -z ${STACKS_FORCE:-} ]] &&
     [[ $(docker image inspect -f '{{index .Config.Labels "io.onbuild.stack.key"}}' "$(stack_image "$name")" 2>/dev/null) == "$key" ]]; then
    log "$name: $(stack_image "$name") is up to date (key $key)"
  else
    if [[ -n ${STACKS_FORCE:-} || ! -f $tar ]]; then
      case $name in
        build) rootfs_build "$key" ;;
        *)     rootfs_run "$name" "$key" ;;
      esac
    else
      log "$name: root filesystem cached (key $key)"
    fi
    load_image "$name" "$key" "$tar"
  fi
  BUILT[$name]=1
}

main() {
  local root_dir name
  STACKS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  SELF="$STACKS/$(basename "${BASH_SOURCE[0]}")"
  ROOT="$(cd "$STACKS/.." && pwd)"
  root_dir=$ROOT
  CACHE="$root_dir/.cache/stacks"
  declare -gA BUILT=()
  CLEANUP=()
  trap cleanup EXIT

  local -a targets=("$@")
  [[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_IMAGES[@]}")
  for name in "${targets[@]}"; do
    [[ " ${ALL_IMAGES[*]} " == *" $name "* ]] || die "unknown image '$name' (known: ${ALL_IMAGES[*]})"
  done

  stack_flavour
  ARCH=$STACK_ARCH
  SUITE=$STACK_SUITE
  MIRROR=$(debian_mirror "$SUITE")
  [[ -n $MIRROR ]] || die "no apt source serves Debian; set DEBIAN_MIRROR"
  UPDATES=${STACKS_UPDATES:-1}
  TAG=$STACK_TAG
  case $UPDATES in
    1) SECURITY_MIRROR=$(debian_security_mirror "$SUITE")
       [[ -n $SECURITY_MIRROR ]] || die "no apt source serves Debian's security archive; set DEBIAN_SECURITY_MIRROR" ;;
    0) SECURITY_MIRROR="" TAG=$STACK_TAG-base ;;
    *) die "STACKS_UPDATES=$UPDATES: use 0 (the release without its updates) or leave it unset" ;;
  esac
  SOURCES="$SUITE"
  [[ $UPDATES == 1 ]] && SOURCES+=", $SUITE-updates and $SUITE-security"
  # Each flavour (and its base) keeps its own root filesystems.
  CACHE="$CACHE/$TAG"
  # The base flavour's run images are built in its own build image.
  stack_image() { echo "onbuild/stack-$1:$TAG"; }
  mkdir -p "$CACHE"
  log "flavour $STACK: Debian $SOURCES, $ARCH"
  ensure_tools "$root_dir"
  [[ $ARCH == "$(host_arch)" ]] || "$root_dir/tools/emulation.sh" "$ARCH"
  helper_flags

  local start=$SECONDS
  for name in "${targets[@]}"; do ensure_image "$name"; done
  log "done in $((SECONDS - start)) s"
}

# ---------------------------------------------------------------------------
# Container side (run by the host side above, never by hand)
# ---------------------------------------------------------------------------

# The release and, unless UPDATES=0, its -updates and -security suites, so
# a rebuild picks up security fixes for run images to be rebased onto.
write_sources() {
  {
    echo "deb $MIRROR $SUITE main"
    if [[ $UPDATES == 1 ]]; then
      echo "deb $MIRROR $SUITE-updates main"
      echo "deb $SECURITY_MIRROR $SUITE-security main"
    fi
  } >/etc/apt/sources.list
  rm -f /etc/apt/sources.list.d/*
}

# In the minbase container: everything the build image has beyond minbase.
in_build_install() {
  export DEBIAN_FRONTEND=noninteractive
  write_sources
  apt-get update -q
  # debootstrap installed the release's packages; the updates replace them.
  apt-get dist-upgrade -y -q
  # shellcheck disable=SC2046
  apt-get install -y -q --no-install-recommends $(packages /src/stacks/build/packages.txt)
  groupadd --gid "$CNB_GID" cnb
  useradd --uid "$CNB_UID" --gid "$CNB_GID" --create-home --home-dir /home/cnb --shell /bin/bash cnb
  apt-get clean
  rm -rf /var/lib/apt/lists/* /etc/passwd- /etc/group- /etc/shadow- /etc/gshadow- /etc/subuid- /etc/subgid-
}

# Prints "epoch=", "released=", "version=" for root filesystem R. released is
# the newest file in DIRS, which must hold package files only (with their
# original timestamps), so it moves only when a package does.
release_meta() {
  local r=$1 epoch
  shift
  epoch=$(find "$@" -type f -printf '%T@\n' | sort -n | tail -n 1 | cut -d. -f1)
  echo "epoch=$epoch"
  echo "released=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
  echo "version=$(. "$r/usr/lib/os-release" && echo "$VERSION_ID")"
}

# Writes /out/rootfs.tar of directory R with fixed order, owners and times,
# and /out/meta with its release data and layer digest.
write_rootfs_tar() {
  local r=$1 meta=$2 epoch
  epoch=$(sed -n 's/^epoch=//p' <<<"$meta")
  tar -C "$r" --sort=name --numeric-owner --format=gnu --mtime="@$epoch" --clamp-mtime -cf /out/rootfs.tar .
  { echo "$meta"; echo "diffid=$(sha256sum /out/rootfs.tar | cut -d' ' -f1)"; } >/out/meta
  chown "${HOST_UID:-0}:${HOST_GID:-0}" /out/rootfs.tar /out/meta
}

# Reads `docker export` of the build container on stdin and writes it back
# reproducibly: what records the machine or the day goes.
in_normalize() {
  local r=/rootfs meta
  mkdir "$r"
  tar -C "$r" --numeric-owner -xpf -
  cd "$r"
  rm -rf .dockerenv dev/* proc/* sys/* tmp/* var/tmp/* var/cache/ldconfig/aux-cache \
    var/lib/dpkg/*-old var/cache/debconf/*-old root/.bash_history
  find var/log -type f -exec truncate -s 0 {} +
  : >etc/hostname
  : >etc/resolv.conf
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >etc/hosts
  # Generated files (pyc, ld.so.cache, /etc/shadow) are newer than any package
  # file, so the release time comes from package documentation only.
  meta=$(release_meta "$r" "$r/usr/share/doc")
  # Password ages count days since the epoch: pin them to the release day.
  local day=$(($(sed -n 's/^epoch=//p' <<<"$meta") / 86400))
  awk -F: -v d="$day" 'BEGIN { OFS = ":" } $3 != "" { $3 = d } 1' etc/shadow >etc/shadow.new
  cat etc/shadow.new >etc/shadow && rm etc/shadow.new
  write_rootfs_tar "$r" "$meta"
}

# The CA bundle, per-certificate links and hash links, as update-ca-certificates
# would write them for the default configuration (every shipped certificate).
make_ca_certs() {
  local r=$1 crt pem
  [[ -d $r/usr/share/ca-certificates ]] || return 0
  mkdir -p "$r/etc/ssl/certs"
  {
    echo "# Generated by the onbuild stack build: every certificate shipped in"
    echo "# /usr/share/ca-certificates is trusted."
    (cd "$r/usr/share/ca-certificates" && find . -name '*.crt' | sed 's|^\./||' | LC_ALL=C sort)
  } >"$r/etc/ca-certificates.conf"
  : >"$r/etc/ssl/certs/ca-certificates.crt"
  grep -v '^#' "$r/etc/ca-certificates.conf" | while read -r crt; do
    pem=$(basename "$crt" .crt | sed -e 's/ /_/g' -e 's/[()]/=/g' -e 's/,/_/g').pem
    ln -sf "/usr/share/ca-certificates/$crt" "$r/etc/ssl/certs/$pem"
    sed -e '$a\' "$r/usr/share/ca-certificates/$crt" >>"$r/etc/ssl/certs/ca-certificates.crt"
  done
  # openssl rehash follows the absolute links; point them into R meanwhile.
  (
    cd "$r/etc/ssl/certs"
    mkdir ../.rehash
    for pem in *.pem; do ln -s "$r$(readlink "$pem")" "../.rehash/$pem"; done
    openssl rehash ../.rehash >/dev/null
    find ../.rehash -name '*.[0-9]' -type l -printf '%f %l\n' | while read -r h t; do ln -s "$t" "$h"; done
    rm -rf ../.rehash
  )
}

# SBOM is where a run image's CycloneDX list of its Debian packages lives
# (docs/stacks.md); the label io.onbuild.stack.sbom names it too.
SBOM=/usr/share/onbuild/sbom.cdx.json

# write_sbom R NAME RELEASED: the CycloneDX 1.5 JSON of the packages in
# R's status.d, sorted, with no serial number and the release time, so the
# same packages give the same file.
write_sbom() {
  local r=$1 name=$2 released=$3 distro
  distro="debian-$(. "$r/usr/lib/os-release" && echo "$VERSION_ID")"
  mkdir -p "$r$(dirname "$SBOM")"
  {
    printf '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.5",\n  "version": 1,\n'
    printf '  "metadata": {\n    "timestamp": "%s",\n' "$released"
    printf '    "component": {"type": "operating-system", "name": "onbuild/stack-%s", "version": "%s"}\n  },\n' "$name" "$STACK"
    printf '  "components": [\n'
    find "$r/var/lib/dpkg/status.d" -type f | LC_ALL=C sort | while read -r f; do
      awk -v distro="$distro" '
        /^Package:/ { p = $2 } /^Version:/ { v = $2 } /^Architecture:/ { a = $2 }
        /^Source:/ { s = $2 }
        END {
          purl = "pkg:deb/debian/" p "@" v "?arch=" a "&distro=" distro
          printf "    {\"type\": \"library\", \"bom-ref\": \"%s\", \"name\": \"%s\", \"version\": \"%s\", \"purl\": \"%s\"", purl, p, v, purl
          if (s != "") printf ", \"properties\": [{\"name\": \"debian:source\", \"value\": \"%s\"}]", s
          print "}"
        }' "$f"
    done | sed '$!s/$/,/'
    printf '  ]\n}\n'
  } >"$r$SBOM"
}

# The multiarch directory of the container's architecture (Debian's
# libraries live in /usr/lib/TRIPLET).
multiarch_dir() {
  case $(dpkg --print-architecture) in
    amd64) echo x86_64-linux-gnu ;;
    arm64) echo aarch64-linux-gnu ;;
    *) die "no multiarch directory known for $(dpkg --print-architecture)" ;;
  esac
}

# In the build image, as root: resolves the closure of an image's package list
# with apt, extracts it into an empty tree and writes /out/rootfs.tar.
in_run_rootfs() {
  local name=$1 list r=/rootfs debs=/tmp/debs st=/tmp/status deb pkg ver have f meta lib
  local -a incl=() excl=()
  lib=usr/lib/$(multiarch_dir)
  list="/src/stacks/$name/packages.txt"
  while read -r pkg; do
    case $pkg in
      !*) excl+=("${pkg#!}") ;;
      /*) REMOVE+=("$pkg") ;;
      *)  incl+=("$pkg") ;;
    esac
  done < <(packages "$list")

  # C collation: the glob order of .deb files below must not vary.
  export DEBIAN_FRONTEND=noninteractive LC_ALL=C
  write_sources
  apt-get update -q
  # Left-out packages become "installed" with no dependencies of their own, so
  # apt satisfies dependencies on them without pulling what they need.
  : >"$st"
  [[ ${#excl[@]} -eq 0 ]] || mapfile -t excl < <(installed_names "${excl[@]}")
  for pkg in "${excl[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]] ||
      die "$list: !$pkg is not installed in the build image"
    dpkg-query -W -f='Package: ${Package}\nStatus: install ok installed\nVersion: ${Version}\nArchitecture: ${Architecture}\nMulti-Arch: ${Multi-Arch}\nProvides: ${Provides}\n\n' "$pkg" |
      grep -v ': $' >>"$st"
  done
  mkdir -p "$debs/partial"
  apt-get install -q -y --download-only --no-install-recommends \
    -o Dir::State::status="$st" -o Dir::Cache::archives="$debs" "${incl[@]}"

  # Packages may still ship /bin, /lib... (bookworm's do): land them in /usr.
  mkdir -p "$r"/usr/{bin,sbin,lib,lib64} "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/status.d"
  for f in bin sbin lib lib64; do ln -s "usr/$f" "$r/$f"; done
  : >"$r/var/lib/dpkg/status"
  # Layout 1: list files of Multi-Arch: same packages are named pkg:arch.
  echo 1 >"$r/var/lib/dpkg/info/format"
  for deb in "$debs"/*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package)
    # apt "upgrades" left-out packages because their stanzas above are partial.
    [[ " ${excl[*]} " == *" $pkg "* ]] && continue
    dpkg-deb --fsys-tarfile "$deb" | tar -C "$r" -x --keep-directory-symlink --numeric-owner -p
    # One record per package in status.d, as distroless has them: scanners
    # (syft, trivy, grype) read these; the python image also keeps dpkg's
    # own database, with the file lists.
    dpkg-deb -f "$deb" | awk '{ print } NR == 1 { print "Status: install ok installed" }' >"$r/var/lib/dpkg/status.d/$pkg"
    { cat "$r/var/lib/dpkg/status.d/$pkg"; echo; } >>"$r/var/lib/dpkg/status"
    f=$pkg
    [[ $(dpkg-deb -f "$deb" Multi-Arch) == same ]] && f="$pkg:$(dpkg-deb -f "$deb" Architecture)"
    dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' -e 's|^$|/.|' >"$r/var/lib/dpkg/info/$f.list"
    dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums >"$r/var/lib/dpkg/info/$f.md5sums" 2>/dev/null ||
      rm -f "$r/var/lib/dpkg/info/$f.md5sums"
    ver=$(dpkg-deb -f "$deb" Version)
    have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
    if [[ -n $have && $have != "$ver" ]]; then
      log "warning: $name gets $pkg $ver but the build image has $have; rebuild with STACKS_FORCE=1"
    fi
  done
  meta=$(release_meta "$r" "$r/usr" "$r/etc")

  # What maintainer scripts would have done, plus the image's own files.
  [[ -e $r/usr/bin/dash && ! -e $r/usr/bin/sh ]] && ln -s dash "$r/usr/bin/sh"
  make_ca_certs "$r"
  if [[ -e $r/$lib/libssl.so.3 ]]; then
    # OpenSSL's default paths; the openssl package that ships them is left out.
    mkdir -p "$r/usr/lib/ssl"
    ln -s /etc/ssl/certs "$r/usr/lib/ssl/certs"
    ln -s /etc/ssl/certs/ca-certificates.crt "$r/usr/lib/ssl/cert.pem"
  fi
  if [[ -d $r/usr/share/zoneinfo ]]; then
    ln -sf /usr/share/zoneinfo/Etc/UTC "$r/etc/localtime"
    echo Etc/UTC >"$r/etc/timezone"
  fi
  if [[ -x $r/usr/bin/python3 ]]; then
    # Precompiled stdlib: the app user cannot write __pycache__ here, so
    # without these every start would compile again (about 0.3 s for a web
    # app's imports). The build image's python3 is the same version.
    for f in "$r"/usr/lib/python3.*; do
      python3 -m compileall -q -j 0 -d "${f#"$r"}" "$f" >/dev/null
    done
  fi
  if [[ $name == run-python ]]; then
    # What no running app uses, about 11 MB: glibc's iconv modules (Python's
    # codecs are its own; UTF-8 and Latin-1 are built into libc), CPython's
    # test support package and C test modules, and pydoc's topic index.
    rm -rf "$r/$lib/gconv" "$r"/usr/lib/python3.*/test "$r"/usr/lib/python3.*/pydoc_data
    rm -f "$r"/usr/lib/python3.*/lib-dynload/{_test,_ctypes_test,_xxtestfuzz,xxlimited,xxsubtype}*.so
  fi
  # Documentation: keep only the copyright files (licences).
  find "$r/usr/share/doc" -type f ! -name copyright -delete
  rm -rf "$r"/usr/share/{man,info,lintian,bug,menu}
  remove_listed "$r" ${REMOVE[@]+"${REMOVE[@]}"}

  local shell=/usr/sbin/nologin
  [[ -e $r/usr/bin/sh ]] && shell=/bin/sh
  cat >"$r/etc/passwd" <<EOF
root:x:0:0:root:/root:$shell
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
cnb:x:$CNB_UID:$CNB_GID::/home/cnb:$shell
EOF
  cat >"$r/etc/group" <<EOF
root:x:0:
nogroup:x:65534:
cnb:x:$CNB_GID:
EOF
  cat >"$r/etc/nsswitch.conf" <<EOF
passwd:         files
group:          files
shadow:         files
hosts:          files dns
networks:       files
protocols:      files
services:       files
ethers:         files
rpc:            files
EOF
  mkdir -p "$r"/{tmp,var/tmp,root,home/cnb,etc,proc,sys,dev}
  chmod 1777 "$r/tmp" "$r/var/tmp"
  chmod 0700 "$r/root"
  chown "$CNB_UID:$CNB_GID" "$r/home/cnb"

  # tiny has no dpkg to read its database: the status.d records are its
  # package list.
  if [[ $name == run-tiny ]]; then
    rm -rf "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/status"
  fi
  write_sbom "$r" "$name" "$(sed -n 's/^released=//p' <<<"$meta")"

  # Guard the promises the run images make.
  local bad=(usr/bin/apt usr/bin/apt-get usr/bin/dpkg usr/bin/dpkg-deb usr/bin/gcc usr/bin/cc usr/bin/pip usr/bin/pip3)
  [[ $name == run-tiny ]] && bad+=(usr/bin/sh usr/bin/dash "$lib/libc.so.6")
  for f in "${bad[@]}"; do [[ ! -e $r/$f && ! -L $r/$f ]] || die "$name: /$f must not be in the image"; done

  write_rootfs_tar "$r" "$meta"
}

# installed_names PATTERNS...: the installed packages each "!name" of a
# list stands for; a name may be a dpkg-query pattern (!libdb5.3*), for
# packages renamed between flavours (trixie's t64 libraries). A pattern
# matching none is printed as it is, for the check that follows to name.
installed_names() {
  local pattern names
  for pattern in "$@"; do
    names=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "$pattern" 2>/dev/null | awk '$1 == "installed" { print $2 }')
    echo "${names:-$pattern}"
  done
}

# remove_listed R PATTERNS...: removes the files an image's list names
# with "/path" lines (globs), files of packages it keeps that no running
# app uses. The package records stay, for the packages are there; dpkg's
# file lists and md5sums then drop every path no longer in R (these and
# the documentation removed above), so they name only what the image holds.
remove_listed() {
  local r=$1 pattern f path
  shift
  for pattern in "$@"; do
    # shellcheck disable=SC2086
    for f in "$r"$pattern; do
      # A path one flavour lacks is no error: the lists serve both.
      [[ -e $f || -L $f ]] || { log "$pattern matches nothing in this image"; continue; }
      rm -rf "$f"
    done
  done
  [[ -d $r/var/lib/dpkg/info ]] || return 0
  for f in "$r"/var/lib/dpkg/info/*.list; do
    while read -r path; do
      if [[ -e $r$path || -L $r$path ]]; then echo "$path"; fi
    done <"$f" >"$f.new"
    mv "$f.new" "$f"
  done
  for f in "$r"/var/lib/dpkg/info/*.md5sums; do
    while read -r sum path; do
      if [[ -e $r/$path || -L $r/$path ]]; then echo "$sum  $path"; fi
    done <"$f" >"$f.new"
    mv "$f.new" "$f"
  done
}

in_container() {
  local cmd=$1
  shift
  case $cmd in
    build-install) in_build_install ;;
    normalize)     in_normalize ;;
    run-rootfs)    in_run_rootfs "$@" ;;
    *)             die "unknown container command $cmd" ;;
  esac
}

if [[ ${1:-} == --in-container ]]; then
  shift
  in_container "$@"
else
  main "$@"
fi

# Sourced by the scripts of stacks/, builder/ and tools/: logging, the
# Debian mirrors of this machine's apt sources and the stack flavour, each
# defined once. A script sets LOG_NAME before sourcing to name itself in
# its messages (default: its file name).

LOG_NAME=${LOG_NAME:-$(basename "$0")}

log() { echo "$LOG_NAME: $*" >&2; }
die() { echo "$LOG_NAME: error: $*" >&2; exit 1; }

# --- flavours ------------------------------------------------------------
# A flavour is a Debian release the stacks are built from. STACK picks it
# (make stacks STACK=bookworm); every name that depends on it comes from
# stack_flavour, so the scripts agree on them.
STACK_FLAVOURS="trixie bookworm"
STACK_DEFAULT=trixie

# stack_flavour sets STACK (checked), STACK_SUITE, STACK_ID,
# STACK_DEBIAN_VERSION, STACK_ARCH, STACK_TAG and BUILDER_IMAGE
# (ONBUILD_BUILDER overrides it).
#
# STACK_ARCH is the architecture the images are for (docs/publishing.md):
# this machine's own unless set (make stacks STACK_ARCH=arm64). Images for
# this machine's architecture keep the plain names (onbuild/stack-build:trixie,
# onbuild/builder); those for another carry it in their tag
# (onbuild/stack-build:trixie-arm64, onbuild/builder:arm64), so the two
# never replace each other in one daemon.
stack_flavour() {
  STACK=${STACK:-$STACK_DEFAULT}
  [[ " $STACK_FLAVOURS " == *" $STACK "* ]] ||
    die "STACK=$STACK is not a stack flavour; use one of: $STACK_FLAVOURS (docs/stacks.md)"
  STACK_SUITE=$STACK
  STACK_ID=io.onbuild.stacks.$STACK
  case $STACK in
    trixie)   STACK_DEBIAN_VERSION=13 ;;
    bookworm) STACK_DEBIAN_VERSION=12 ;;
  esac
  STACK_ARCH=${STACK_ARCH:-$(host_arch)}
  [[ " $STACK_ARCHES " == *" $STACK_ARCH "* ]] ||
    die "STACK_ARCH=$STACK_ARCH is not an architecture onbuild builds for; use one of: $STACK_ARCHES"
  STACK_TAG=$STACK
  [[ $STACK_ARCH == "$(host_arch)" ]] || STACK_TAG+="-$STACK_ARCH"
  # The default flavour's builder is plain onbuild/builder; the others are
  # tags of it. ONBUILD_BUILDER names this machine's architecture's builder;
  # another's adds its architecture to the tag, as the default name does.
  local tag=""
  [[ $STACK == "$STACK_DEFAULT" ]] || tag=":$STACK"
  BUILDER_IMAGE=${ONBUILD_BUILDER:-onbuild/builder$tag}
  [[ $STACK_ARCH == "$(host_arch)" ]] || BUILDER_IMAGE=$(arch_image "$BUILDER_IMAGE" "$STACK_ARCH")
}

# arch_image IMAGE ARCH: IMAGE's tag with -ARCH after it, or ARCH as the tag
# when it has none (onbuild/builder -> onbuild/builder:arm64,
# onbuild/builder:bookworm -> onbuild/builder:bookworm-arm64).
arch_image() {
  local name=${1##*/}
  if [[ $name == *:* ]]; then echo "$1-$2"; else echo "$1:$2"; fi
}

# The architectures onbuild's images are made for, by Debian's and Go's name.
STACK_ARCHES="amd64 arm64"

# host_arch: this machine's architecture by Debian's (and Go's) name.
host_arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) uname -m ;;
  esac
}

# check_stamped BUILDPACKS: builder/builder.sh recorded the $STACK run
# image in BUILDPACKS' debian-packages and native-libraries, which cannot
# build for a run image they know nothing of.
check_stamped() {
  local name
  for name in debian-packages native-libraries; do
    [[ -f $1/$name/run-images/$STACK_ID.libraries ]] ||
      die "$1/$name has no record of the $STACK run image: run \`make builder STACK=$STACK$(arch_arg)\` first"
  done
}

# offline_image IMAGE: IMAGE's repository with -offline, its tag kept
# (onbuild/builder:bookworm -> onbuild/builder-offline:bookworm).
offline_image() {
  local name=${1##*/} tag=""
  [[ $name == *:* ]] && tag=":${name#*:}"
  echo "${1%"$tag"}-offline$tag"
}

# buildpacks_dir OUT ARCH: where tools/buildpacks.sh puts the buildpacks
# compiled for ARCH: OUT/buildpacks for this machine's, else OUT/buildpacks-ARCH.
buildpacks_dir() {
  if [[ $2 == "$(host_arch)" ]]; then echo "$1/buildpacks"; else echo "$1/buildpacks-$2"; fi
}

# run_images_dir OUT ARCH: where builder/builder.sh keeps the stamps of
# ARCH's run images: OUT/run-images for this machine's, else
# OUT/run-images-ARCH. Apart because the two architectures' package records
# and library names differ under the same stack id.
run_images_dir() {
  if [[ $2 == "$(host_arch)" ]]; then echo "$1/run-images"; else echo "$1/run-images-$2"; fi
}

# arch_arg: " STACK_ARCH=$STACK_ARCH" for another machine's architecture,
# else nothing: what a make command in a message needs.
arch_arg() { [[ ${STACK_ARCH:-$(host_arch)} == "$(host_arch)" ]] || echo " STACK_ARCH=$STACK_ARCH"; }

# stack_image NAME: the local image of stack image NAME (build, run-python,
# run-tiny) of the current flavour and architecture.
stack_image() { echo "onbuild/stack-$1:${STACK_TAG:-$STACK}"; }

# --- Debian mirrors --------------------------------------------------------
# Stacks and builds download from where this machine's apt does, so no host
# name is written in the repository.

# debian_mirror SUITE prints $DEBIAN_MIRROR, else the first URI that serves
# SUITE in the apt sources, else the one that serves this machine's own
# release (a Debian archive serves every suite under the same path); without
# a trailing slash, empty when none does.
debian_mirror() {
  local mirror=${DEBIAN_MIRROR:-}
  [[ -n $mirror ]] || mirror=$(apt_sources_mirror "$1" | head -n 1)
  [[ -n $mirror ]] || mirror=$(apt_sources_mirror "$(host_codename)" | head -n 1)
  printf '%s\n' "${mirror%/}"
}

# debian_security_mirror SUITE: the same for the security archive, which
# lives on a path of its own: $DEBIAN_SECURITY_MIRROR, else the URI serving
# SUITE-security, else the one serving this machine's release's -security.
debian_security_mirror() {
  local mirror=${DEBIAN_SECURITY_MIRROR:-}
  [[ -n $mirror ]] || mirror=$(apt_sources_mirror "$1-security" | head -n 1)
  [[ -n $mirror ]] || mirror=$(apt_sources_mirror "$(host_codename)-security" | head -n 1)
  printf '%s\n' "${mirror%/}"
}

host_codename() {
  [[ -f /etc/os-release ]] && (. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# apt_sources_mirror SUITE: every URI serving SUITE in one-line (.list) or
# deb822 (.sources) apt sources.
apt_sources_mirror() {
  local suite=$1 f
  [[ -n $suite ]] || return 0
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk -v suite="$suite" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk -v suite="$suite" '
      function has(list, word,   n, a, k) {
        n = split(list, a, /[ \t]+/)
        for (k = 1; k <= n; k++) if (a[k] == word) return 1
        return 0
      }
      BEGIN { RS = ""; FS = "\n" }
      {
        delete v; key = ""
        for (j = 1; j <= NF; j++) {
          if ($j ~ /^#/) continue
          if ($j ~ /^[ \t]/) { v[key] = v[key] " " $j; continue }
          p = index($j, ":"); if (!p) continue
          key = tolower(substr($j, 1, p - 1))
          v[key] = substr($j, p + 1)
        }
        if (has(v["types"], "deb") && has(v["suites"], suite) && tolower(v["enabled"]) !~ /no/) {
          n = split(v["uris"], u, /[ \t]+/)
          for (k = 1; k <= n; k++) if (u[k] != "") { print u[k]; exit }
        }
      }' "$f"
  done
}

# --- timing ------------------------------------------------------------------
now_ms() { echo $(($(date +%s%N) / 1000000)); }
elapsed_ms() { echo "$(($(now_ms) - $1))ms"; }

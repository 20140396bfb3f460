#!/usr/bin/env bash
# Makes sure this machine runs linux/arm64 programs and containers under
# emulation, the way tools/docker.sh makes sure Docker answers: on a root
# Debian machine it installs Debian's qemu-user-static and binfmt-support,
# mounts binfmt_misc and registers the interpreter; elsewhere it only checks.
#
#   tools/emulation.sh [ARCH]   ARCH: arm64 (default) or amd64
#
# The interpreter is registered with the F (fix binary) flag, which Debian's
# qemu-user-static asks for: the kernel opens it once, so it also serves
# chroots and containers, which have no /usr/bin/qemu-* of their own.
set -euo pipefail
LOG_NAME=emulation.sh
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

arch=${1:-arm64}
case $arch in
  arm64) qemu=aarch64 magic=7f454c460201010000000000000000000200b700 ;;
  amd64) qemu=x86_64 magic=7f454c4602010100000000000000000002003e00 ;;
  *) die "unknown architecture $arch (known: arm64, amd64)" ;;
esac
entry=/proc/sys/fs/binfmt_misc/qemu-$qemu

registered() { [[ -f $entry ]] && grep -q '^enabled' "$entry"; }

# This machine runs its own architecture without help.
[[ $(uname -m) == "$qemu" ]] && exit 0
registered && exit 0

if [[ $(id -u) -ne 0 || ! -f /etc/debian_version ]]; then
  die "this machine cannot run linux/$arch programs: register qemu-user-static for $arch with binfmt_misc (Debian: apt-get install qemu-user-static binfmt-support; Docker Desktop has it built in)"
fi
if [[ ! -x /usr/bin/qemu-$qemu-static ]] || ! command -v update-binfmts >/dev/null; then
  log "installing qemu-user-static and binfmt-support"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends qemu-user-static binfmt-support >&2
fi
if [[ ! -f /proc/sys/fs/binfmt_misc/register ]]; then
  log "mounting binfmt_misc"
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
# The package registers its formats in /usr/share/binfmts; binfmt-support
# loads them into the kernel (its service does this at boot, which a
# container or a machine without systemd never runs).
update-binfmts --enable "qemu-$qemu" >&2 || update-binfmts --import "qemu-$qemu" >&2 || true
registered || die "qemu-$qemu is not registered in /proc/sys/fs/binfmt_misc after update-binfmts; see update-binfmts --display qemu-$qemu"
grep -q '^flags: .*F' "$entry" ||
  die "qemu-$qemu is registered without the F flag: containers could not find the interpreter (update-binfmts --display qemu-$qemu)"
# The ELF header the kernel matches, checked once, so a stale entry for
# another machine type is not taken for this one.
grep -q "^magic $magic" "$entry" || die "qemu-$qemu's binfmt entry does not match linux/$arch ELF files"
log "linux/$arch programs run under qemu-$qemu-static"

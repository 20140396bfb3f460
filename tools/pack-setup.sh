#!/usr/bin/env bash
# Makes the README's own commands work as printed after `make demo`, in a
# new shell: pack on PATH, pack configured for the local builder, and the
# two Docker volumes a machine without PyPI or behind re-signed HTTPS needs
# (README "Your own app"). The integration suite's Docs spec runs it too,
# with PACK_HOME and PACK_BIN_DIR of its own, before it runs the docs'
# commands exactly as written.
#
#   ONBUILD_WHEELS=DIR  the wheels the onbuild-wheels volume gets (required)
#   PACK_BIN_DIR=DIR    where the `pack` link goes (default: /usr/local/bin
#                       as root; otherwise the command to add one is printed)
#
# Prints, on stdout, what it did and the commands that undo it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
stack_flavour
pack=$("$root/tools/pack.sh")
[[ -n ${ONBUILD_WHEELS:-} && -d $ONBUILD_WHEELS ]] || die "ONBUILD_WHEELS must name the folder of wheels for the onbuild-wheels volume"

# pack on PATH: a link to the content-hashed build, so `make clean` and a
# new pin both show up as a dangling or replaced link, never a stale binary.
bin_dir=${PACK_BIN_DIR:-}
[[ -n $bin_dir || $(id -u) -ne 0 ]] || bin_dir=/usr/local/bin
if [[ -z $bin_dir ]]; then
  echo "pack is $pack; put it on PATH with:"
  echo "  mkdir -p ~/.local/bin && ln -sf $pack ~/.local/bin/pack   # ~/.local/bin must be on PATH"
elif [[ -e $bin_dir/pack && ! -L $bin_dir/pack ]]; then
  echo "$bin_dir/pack is not onbuild's (not a link): left as it is; onbuild's pack is $pack"
else
  mkdir -p "$bin_dir"
  ln -sfn "$pack" "$bin_dir/pack"
  echo "pack on PATH: $bin_dir/pack -> $pack"
fi

# pack's own configuration ($PACK_HOME/config.toml, else ~/.pack): never
# pull, so `--builder onbuild/builder` is this machine's builder and never
# an image of that name from a registry; trusted, so pack runs the
# builder's own lifecycle instead of pulling a lifecycle image.
"$pack" config pull-policy never >/dev/null
"$pack" config trusted-builders add "$BUILDER_IMAGE" >/dev/null
echo "pack config: pull-policy never, $BUILDER_IMAGE trusted (undo: pack config pull-policy --unset; pack config trusted-builders remove $BUILDER_IMAGE)"

# fill_volume NAME DIR: the volume NAME holds a copy of DIR, readable by the
# build user. Copied by a container of the stack build image, which every
# machine that built the builder has: no image is pulled.
fill_volume() {
  docker volume create "$1" >/dev/null
  docker run --rm --user 0 --network none --entrypoint sh \
    -v "$1:/volume" -v "$2:/source:ro" "$(stack_image build)" \
    -c 'find /volume -mindepth 1 -delete && cp -R /source/. /volume/ && chmod -R a+rX /volume' >/dev/null
}

# The Python test index's wheels, for `--volume onbuild-wheels:/wheels`.
fill_volume onbuild-wheels "$ONBUILD_WHEELS"
echo "volume onbuild-wheels: $(find "$ONBUILD_WHEELS" -maxdepth 1 -name '*.whl' | wc -l) wheels of the local Python index (undo: docker volume rm onbuild-wheels)"

# This machine's CAs as a ca-certificates binding, for builds behind a
# network that re-signs HTTPS (harmless where none does).
bundle=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
[[ -r $bundle ]] || die "no CA bundle at $bundle (set SSL_CERT_FILE)"
ca=$(mktemp -d)
trap 'rm -rf "$ca"' EXIT
cp "$bundle" "$ca/ca-certificates.crt"
echo ca-certificates >"$ca/type"
fill_volume onbuild-ca "$ca"
echo "volume onbuild-ca: $bundle as a ca-certificates binding (undo: docker volume rm onbuild-ca)"

#!/usr/bin/env bash
# Compiles every buildpacks/<name> into out/buildpacks/<name> in the layout the
# lifecycle runs (bin/detect and bin/build, or bin/generate for an image
# extension, are links to one binary), and copies
# the root buildpack.toml as the composite onbuild/onbuild. A Go main package
# in buildpacks/<name>/<tool>/ (an exec.d helper, say) becomes bin/<tool>.
#
# STACK_ARCH (amd64 or arm64, default this machine's) is the architecture
# the binaries are compiled for; another machine's go to out/buildpacks-ARCH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
arch=${STACK_ARCH:-$(host_arch)}
[[ " $STACK_ARCHES " == *" $arch "* ]] || die "STACK_ARCH=$arch is not an architecture onbuild builds for; use one of: $STACK_ARCHES"
out=$(buildpacks_dir "$root/out" "$arch")
rm -rf "$out"
for dir in "$root"/buildpacks/*/; do
  name=$(basename "$dir")
  mkdir -p "$out/$name/bin"
  # An image extension has extension.toml and runs generate instead of build.
  descriptor=buildpack.toml phase=build
  [[ -f $dir/extension.toml ]] && descriptor=extension.toml phase=generate
  cp "$dir/$descriptor" "$out/$name/"
  (cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH=$arch \
    go build -trimpath -ldflags="-s -w" -o "$out/$name/bin/main" "./buildpacks/$name")
  ln -s main "$out/$name/bin/detect"
  ln -s main "$out/$name/bin/$phase"
  for tool in "$dir"*/; do
    [[ -d $tool ]] && compgen -G "$tool*.go" >/dev/null || continue
    (cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH=$arch \
      go build -trimpath -ldflags="-s -w" -o "$out/$name/bin/$(basename "$tool")" "./buildpacks/$name/$(basename "$tool")")
  done
done
mkdir -p "$out/onbuild"
cp "$root/buildpack.toml" "$out/onbuild/"
echo "buildpacks for linux/$arch in $out" >&2

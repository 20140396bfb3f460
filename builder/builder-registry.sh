#!/usr/bin/env bash
# Publishes the registry variant of the builder: the one that puts Go apps on
# the tiny run image. Only an image extension can switch the run image per
# app. Stock pack (0.40) refuses any builder with extensions unless the pull
# policy is `always`, which pulls the builder, the run image and the
# lifecycle image before every build and fails on a pull that fails for
# any reason but "no such image"; and the builder must run untrusted
# (lifecycle 0.20's creator refuses extensions), so its phases run from a
# lifecycle image. Here, with no other registry, they all come from the
# loopback one of tools/registry.sh (or ONBUILD_REGISTRY). The lifecycle
# image made below is linux/amd64 only.
#
# Needs `make builder` first: it starts from the builder.toml that
# builder/builder.sh wrote, so both builders carry the same buildpacks and
# defaults, and it pushes the stack images that `make stacks` loaded.
#
# Prints the commands that build on it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
# shellcheck source=builder/push.sh
source "$root/builder/push.sh"
stack_flavour
pack=$("$root/tools/pack.sh")
lifecycle=$("$root/tools/lifecycle.sh")
registry=${ONBUILD_REGISTRY:-$("$root/tools/registry.sh" start)}
suite=$STACK
reg_builder=$registry/onbuild/builder
[[ $STACK == "$STACK_DEFAULT" ]] || reg_builder+=":$STACK"

base=$out/builder/builder.toml
[[ $STACK == "$STACK_DEFAULT" ]] || base=$out/builder-$STACK/builder.toml
[[ -f $base ]] || die "$base is missing: run \`make builder STACK=$STACK\` first"
# pack reads a missing directory as an image name and then fails on a pull.
for dir in $(sed -n 's/^ *uri = "\(.*\)"$/\1/p' "$base" | grep -v '\.tgz$') "$out/buildpacks/run-image"; do
  [[ -d $dir ]] || die "$dir is missing: run \`make buildpacks\`"
done
check_stamped "$out/buildpacks"

# push IMAGE: pushes the local IMAGE as $registry/IMAGE.
push() { push_image "$1" "$registry/$1"; }

for name in build run-python run-tiny; do
  push "onbuild/stack-$name:$suite"
done

# The lifecycle image: pack runs the analyzer, restorer and exporter from it
# when the builder is not trusted, which is the only flow where lifecycle
# 0.20 allows extensions (its creator refuses them). One layer made from the
# same tarball as the builder's lifecycle, loaded with a config written here,
# so the same tarball always gives the same image and a re-push is free.
load_lifecycle() {
  local dir version apis diffid sum tag
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  mkdir -p "$dir/root/cnb" "$dir/root/etc" "$dir/root/tmp" "$dir/root/layers"
  chmod 1777 "$dir/root/tmp"
  # pack starts the phases as the user "root", by name.
  echo 'root:x:0:0:root:/root:/sbin/nologin' >"$dir/root/etc/passwd"
  echo 'root:x:0:' >"$dir/root/etc/group"
  tar -xzf "$lifecycle" -C "$dir/root/cnb"
  version=$(sed -n 's/^ *version = "\(.*\)"/\1/p' "$dir/root/cnb/lifecycle.toml" | head -n 1)
  # lifecycle.toml's [apis.*] arrays are JSON already.
  apis=$(awk -F' = ' '
    /^\[apis\.buildpack\]/ { s = "buildpack" } /^\[apis\.platform\]/ { s = "platform" } /^\[api\]/ { s = "" }
    s != "" && $1 ~ /deprecated|supported/ { gsub(/ /, "", $1); v[s, $1] = $2 }
    END { printf "{\"buildpack\":{\"deprecated\":%s,\"supported\":%s},\"platform\":{\"deprecated\":%s,\"supported\":%s}}",
      v["buildpack", "deprecated"], v["buildpack", "supported"], v["platform", "deprecated"], v["platform", "supported"] }
  ' "$dir/root/cnb/lifecycle.toml")
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@315532801 \
    -C "$dir/root" -cf "$dir/layer.tar" cnb etc layers tmp
  diffid=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  tag="onbuild/lifecycle:$version"
  printf '{"architecture":"amd64","os":"linux","created":"1980-01-01T00:00:01Z","config":{"WorkingDir":"/layers","Labels":{"io.buildpacks.lifecycle.version":"%s","io.buildpacks.lifecycle.apis":"%s"}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1980-01-01T00:00:01Z","created_by":"builder/builder-registry.sh: lifecycle %s"}]}' \
    "$version" "${apis//\"/\\\"}" "$diffid" "$version" >"$dir/config.json"
  sum=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  mv "$dir/config.json" "$dir/$sum.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$sum" "$tag" >"$dir/manifest.json"
  tar -C "$dir" -cf - manifest.json "$sum.json" layer.tar | docker load -q >/dev/null
  echo "$tag"
}
lifecycle_image=$(load_lifecycle)
push "$lifecycle_image"

# The builder: the daemon builder's definition with every stack image named
# in the registry, both run images listed (python first: the default), and
# the extension, told which image is tiny through the build environment.
mkdir -p "$out/builder-registry"
{
  sed -e "s|\"onbuild/stack-|\"$registry/onbuild/stack-|g" "$base"
  grep -q "^ *image = \"onbuild/stack-run-tiny:$suite\"" "$base" ||
    printf '\n[[run.images]]\n  image = "%s"\n' "$registry/onbuild/stack-run-tiny:$suite"
  cat <<EOF

[[extensions]]
  uri = "$out/buildpacks/run-image"

[[order-extensions]]
  [[order-extensions.group]]
    id = "onbuild/run-image"
    version = "0.1.0"

[[build.env]]
  name = "BP_RUN_IMAGE_TINY"
  value = "$registry/onbuild/stack-run-tiny:$suite"
  suffix = "default"
EOF
} >"$out/builder-registry/builder.toml"

t=$(now_ms)
"$pack" builder create "$reg_builder" --config "$out/builder-registry/builder.toml" --publish >&2
log "published $reg_builder in $(elapsed_ms "$t")"

cat <<EOF
Build with:
  pack build IMAGE --builder $reg_builder --pull-policy always --lifecycle-image $registry/$lifecycle_image
or set those once (pack's config file, \$PACK_HOME/config.toml):
  pack config default-builder $reg_builder
  pack config pull-policy always
  pack config lifecycle-image $registry/$lifecycle_image
  pack build IMAGE
Do not trust this builder (--trust-builder, pack config trusted-builders): the
trusted flow runs lifecycle 0.20's creator, which refuses image extensions.
The registry must be running for every build: tools/registry.sh start.
EOF

#!/usr/bin/env bash
# Creates the onbuild/builder image from the packaged buildpacks (out/), the
# stack images and the lifecycle built by tools/lifecycle.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out
pack=$("$root/tools/pack.sh")
lifecycle=$("$root/tools/lifecycle.sh")

mkdir -p "$out/builder"
sed -e "s|@OUT@|$out|g" -e "s|@LIFECYCLE@|$lifecycle|g" \
  "$root/stacks/builder/builder.toml.in" >"$out/builder/builder.toml"
"$pack" builder create onbuild/builder --config "$out/builder/builder.toml" --pull-policy never

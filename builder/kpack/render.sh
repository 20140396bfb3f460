#!/usr/bin/env bash
# Writes the kpack resources users apply: every builder/kpack/*.yaml with
# ${REGISTRY} filled in, into OUTDIR. builder/publish.sh calls it after
# publishing, and builder/kpackcheck's test validates its output with
# kpack's own code, so what is checked is what is published.
#
#   builder/kpack/render.sh REGISTRY SUFFIX OUTDIR
#
# SUFFIX is appended to every buildpackage's version tag: -offline for an
# offline publish (builder/publish.sh), empty otherwise.
set -euo pipefail
(($# == 3)) || { echo "usage: $0 REGISTRY SUFFIX OUTDIR" >&2; exit 2; }
registry=$1 suffix=$2 outdir=$3
mkdir -p "$outdir"
for file in "$(dirname "$0")"/*.yaml; do
  sed -e "s|\${REGISTRY}|$registry|g" -e "s|\(/buildpacks/[a-z0-9-]*:[0-9.]*\)$|\1$suffix|" \
    "$file" >"$outdir/$(basename "$file")"
done

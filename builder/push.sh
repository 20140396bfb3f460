# Sourced by builder/builder-registry.sh and builder/publish.sh after
# tools/lib.sh: pushing a local image under a registry name, with its size
# and time in the log.

# push_image LOCAL REMOTE: tags the local image as REMOTE and pushes it.
# Layers the registry has already are skipped, so a warm push takes well
# under a second.
push_image() {
  local t
  t=$(now_ms)
  docker tag "$1" "$2"
  docker push -q "$2" >/dev/null
  log "pushed $2 ($(docker image inspect -f '{{.Size}}' "$1" | numfmt --to=iec) in $(elapsed_ms "$t"))"
}

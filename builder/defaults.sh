# Sourced by builder/builder.sh. check_builder_default NAME VALUE SOURCE
# OVERRIDE checks a value the builder bakes in as a [[build.env]] default
# (taken from this machine: SOURCE), and says what is baked in. Every build
# on the builder gets these, and `make publish` pushes the builder to a
# registry, so a value with a user name or password in a URL is refused:
# it would hand this machine's login to everyone who pulls the builder.
# OVERRIDE is the variable that sets the value for `make builder`.
check_builder_default() {
  local name=$1 value=$2 source=$3 override=$4
  if [[ $value =~ [A-Za-z][A-Za-z0-9+.-]*://[^/@[:space:],|]+@ ]]; then
    local shown
    shown=$(printf '%s' "$value" | sed -E 's#(://)[^/@[:space:],|]+@#\1xxxxx@#g')
    {
      echo "builder.sh: $name from $source has a user name or password in it ($shown)."
      echo "  The builder would give it to every build as a default, and make publish would push it to the registry."
      echo "  Fix: run $override=<the same URL without user:password@> make builder, and give builds the login"
      echo "  with a netrc binding instead (see docs/credentials.md)."
    } >&2
    return 1
  fi
  echo "builder.sh: builder default $name=$value (from $source)" >&2
}

#!/usr/bin/env bash
# Prints the [metadata.tools."STACK_ID"] tables and the
# [[metadata.dependencies]] of buildpacks/vcs/buildpack.toml for each stack
# flavour (VCS_STACKS, default every flavour) and architecture (VCS_ARCHES,
# default amd64 arm64), resolved now against the flavour's suite and its
# -updates of the Debian mirror (tools/lib.sh) in the flavour's build image
# of that architecture (another than this machine's runs under emulation):
# each tool's package and whatever it needs that the build image lacks,
# less what no build step runs. The tools table is the same for every
# architecture (the script checks); an arch "all" package is listed once. Paste the output over
# those sections to move to a newer point release. -security is left out:
# a dependency's uri is a pool path under BP_DEBIAN_MIRROR, and the security
# archive has a path of its own; its fixes reach the mirror with the next
# point release.
#
#   tools/vcs-packages.sh > /tmp/vcs.toml
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"

# tool=package pairs. Left out of git: perl and what only its perl commands
# (send-email, svn, add -i in old versions) and man pages need. Left out of
# mercurial: ucf and what only it needs (procps, perl modules), which only
# manage /etc files at install time. Patterns,
# since the names carry the suite's perl and ABI versions.
tools="git=git hg=mercurial"
skip="perl perl-modules-* libperl5.* libgdbm6* libgdbm-compat4* liberror-perl git-man ucf sensible-utils procps libproc2-* libtext-wrapi18n-perl libtext-charwidth-perl"

# resolve: the table and dependencies of $STACK for $STACK_ARCH.
resolve() {
  mirror=$(debian_mirror "$STACK_SUITE")
  [[ -n $mirror ]] || die "no apt source serves Debian; set DEBIAN_MIRROR"
  image=$(stack_image build)
  docker image inspect "$image" >/dev/null 2>&1 || die "$image is missing: run \`make stacks STACK=$STACK STACK_ARCH=$STACK_ARCH\`"
  log "resolving git and hg in $image against $STACK_SUITE and $STACK_SUITE-updates"
  docker run --rm --user 0:0 --network host -e MIRROR="$mirror" -e SUITE="$STACK_SUITE" -e STACK_ID="$STACK_ID" \
    -e TOOLS="$tools" -e SKIP="$skip" --entrypoint bash "$image" -c '
set -euo pipefail
printf "deb %s %s main\ndeb %s %s-updates main\n" "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" >/etc/apt/sources.list
rm -f /etc/apt/sources.list.d/*
apt-get update -qq >/dev/null
skipped() { local p; for p in $SKIP; do [[ $1 == $p ]] && return 0; done; return 1; }
deps=()
echo
echo "[metadata.tools.\"$STACK_ID\"]"
for pair in $TOOLS; do
  tool=${pair%%=*} pkg=${pair#*=}
  ids=()
  while read -r name version; do
    skipped "$name" && continue
    ids+=("\"$name\"")
    deps+=("$name=$version")
  done < <(apt-get install -s --no-install-recommends "$pkg" | awk "/^Inst / { gsub(/[()]/, \"\", \$3); print \$2, \$3 }" | sort)
  (IFS=,; echo "  $tool = [${ids[*]}]" | sed "s/,/, /g")
done
for dep in "${deps[@]}"; do
  apt-cache show "$dep" | awk -v stack="$STACK_ID" "
    /^Package:/ { p = \$2 } /^Version:/ { v = \$2 } /^Architecture:/ { a = \$2 }
    /^Filename:/ { f = \$2 } /^SHA256:/ { s = \$2 }
    END {
      printf \"\\n[[metadata.dependencies]]\\n  id = \\\"%s\\\"\\n  name = \\\"%s\\\"\\n  version = \\\"%s\\\"\\n\", p, p, v
      printf \"  uri = \\\"%s\\\"\\n  checksum = \\\"sha256:%s\\\"\\n  purls = [\\\"pkg:deb/debian/%s@%s?arch=%s\\\"]\\n\", f, s, p, v, a
      printf \"  stacks = [\\\"%s\\\"]\\n\", stack
    }"
done
'
}

for flavour in ${VCS_STACKS:-$STACK_FLAVOURS}; do
  first=""
  for arch in ${VCS_ARCHES:-$STACK_ARCHES}; do
    STACK=$flavour STACK_ARCH=$arch
    stack_flavour
    out=$(resolve)
    table=$(sed -n '/^\[metadata.tools/,/^$/p' <<<"$out")
    if [[ -z $first ]]; then
      first=$arch first_table=$table
      echo "$out"
      continue
    fi
    [[ $table == "$first_table" ]] ||
      die "$flavour: the tools need other packages on $arch than on $first; buildpacks/vcs/buildpack.toml has one table per stack"
    # The table once, and arch "all" packages once (the first architecture's).
    awk 'BEGIN { RS = ""; ORS = "\n\n" } /^\[\[metadata.dependencies\]\]/ && !/[?]arch=all"/' <<<"$out" | sed '$d' | sed '1s/^/\n/'
  done
done
#!/usr/bin/env bash
# Prints the [metadata.tools] table and the [[metadata.dependencies]] of
# buildpacks/vcs/buildpack.toml, resolved now against the bookworm suite of
# the Debian mirror (stacks/mirror.sh): each tool's package and whatever it
# needs that the build image lacks, less what no build step runs. Paste the
# output over those sections to move to a newer point release.
#
#   tools/vcs-packages.sh > /tmp/vcs.toml
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=stacks/mirror.sh
source "$root/stacks/mirror.sh"
mirror=$(debian_mirror bookworm)
[[ -n $mirror ]] || { echo "vcs-packages.sh: no apt source serves bookworm; set DEBIAN_MIRROR" >&2; exit 1; }

# tool=package pairs. Left out of git: perl and what only its perl commands
# (send-email, svn, add -i in old versions) and man pages need. Left out of
# mercurial: ucf, which only manages /etc files at install time.
tools="git=git hg=mercurial"
skip="perl perl-modules-5.36 libperl5.36 libgdbm6 libgdbm-compat4 liberror-perl git-man ucf sensible-utils"

docker run --rm --user 0:0 --network host -e MIRROR="$mirror" -e TOOLS="$tools" -e SKIP="$skip" \
  --entrypoint bash onbuild/stack-build:bookworm -c '
set -euo pipefail
echo "deb $MIRROR bookworm main" >/etc/apt/sources.list
rm -f /etc/apt/sources.list.d/*
apt-get update -qq >/dev/null
deps=()
echo "[metadata.tools]"
for pair in $TOOLS; do
  tool=${pair%%=*} pkg=${pair#*=}
  ids=()
  while read -r name version; do
    [[ " $SKIP " == *" $name "* ]] && continue
    ids+=("\"$name\"")
    deps+=("$name=$version")
  done < <(apt-get install -s --no-install-recommends "$pkg" | awk "/^Inst / { gsub(/[()]/, \"\", \$3); print \$2, \$3 }" | sort)
  (IFS=,; echo "  $tool = [${ids[*]}]" | sed "s/,/, /g")
done
for dep in "${deps[@]}"; do
  apt-cache show "$dep" | awk "
    /^Package:/ { p = \$2 } /^Version:/ { v = \$2 } /^Architecture:/ { a = \$2 }
    /^Filename:/ { f = \$2 } /^SHA256:/ { s = \$2 }
    END {
      printf \"\\n[[metadata.dependencies]]\\n  id = \\\"%s\\\"\\n  name = \\\"%s\\\"\\n  version = \\\"%s\\\"\\n\", p, p, v
      printf \"  uri = \\\"%s\\\"\\n  checksum = \\\"sha256:%s\\\"\\n  purls = [\\\"pkg:deb/debian/%s@%s?arch=%s\\\"]\\n\", f, s, p, v, a
    }"
done
'

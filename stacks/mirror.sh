# Sourced by stacks/build.sh and stacks/builder.sh: the Debian mirror this
# machine's apt uses, so stacks and builds download from where apt does
# without a host name written in the repository.

# debian_mirror SUITE prints $DEBIAN_MIRROR, else the first URI that serves
# the plain SUITE (not -updates or -security) in one-line (.list) or deb822
# (.sources) apt sources; without a trailing slash, empty when none does.
debian_mirror() {
  local suite=$1 mirror=${DEBIAN_MIRROR:-}
  [[ -n $mirror ]] || mirror=$(apt_sources_mirror "$suite" | head -n 1)
  printf '%s\n' "${mirror%/}"
}

apt_sources_mirror() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk -v suite="$suite" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk -v suite="$suite" '
      function has(list, word,   n, a, k) {
        n = split(list, a, /[ \t]+/)
        for (k = 1; k <= n; k++) if (a[k] == word) return 1
        return 0
      }
      BEGIN { RS = ""; FS = "\n" }
      {
        delete v; key = ""
        for (j = 1; j <= NF; j++) {
          if ($j ~ /^#/) continue
          if ($j ~ /^[ \t]/) { v[key] = v[key] " " $j; continue }
          p = index($j, ":"); if (!p) continue
          key = tolower(substr($j, 1, p - 1))
          v[key] = substr($j, p + 1)
        }
        if (has(v["types"], "deb") && has(v["suites"], suite) && tolower(v["enabled"]) !~ /no/) {
          n = split(v["uris"], u, /[ \t]+/)
          for (k = 1; k <= n; k++) if (u[k] != "") { print u[k]; exit }
        }
      }' "$f"
  done
}

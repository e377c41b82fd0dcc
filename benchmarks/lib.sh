#!/usr/bin/env bash
# Sourced by the benchmarks: the project's root as the working directory, the image names of
# target/cluster.env (written by every Maven build; `mvn initialize` if it is missing), and what
# the scripts share: options, the load profile's runs, the table.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit
MVN=(mvn -B -q -ntp)
LOGS=target/benchmark
[ -f target/cluster.env ] || "${MVN[@]}" initialize
set -a # exported, for cluster-profiles/swarm
# shellcheck source=/dev/null
source target/cluster.env
set +a
mkdir -p "$LOGS"
declare -A R # the figures: R[COLUMN,KEY] = values separated by spaces

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
now_ms() { date +%s%3N; }

# options NAMES "$@": --NAME VALUE sets $NAME, --no-NAME empties it, for the NAMES given (a dash in
# an option is _ in its name); --help prints the script's header.
options() {
  local names=" $1 " o; shift
  while [ $# -gt 0 ]; do
    o=${1#--}; o=${o//-/_}
    if [[ $1 == -h || $1 == --help ]]; then awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$ROOT/benchmarks/${0##*/}"; exit 0
    elif [[ $1 == --no-* && $names == *" ${o#no_} "* ]]; then printf -v "${o#no_}" ''; shift
    elif [[ $1 == --* && $names == *" $o "* && $# -ge 2 ]]; then printf -v "$o" %s "$2"; shift 2
    else die "unknown option, or no value: $1 (see --help)"; fi
  done
}
numbers() { local v; for v; do [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v//_/-} wants a positive number, not '${!v}'"; done; }

project_image() { # HELLO_IMAGE, built by mvn package if it is missing
  docker image inspect "$HELLO_IMAGE" >/dev/null 2>&1 || { log "building $HELLO_IMAGE"; "${MVN[@]}" package -DskipTests; }
}

# load COLUMN LOG MAVEN-ARGS...: one run of the load profile's generator (docs/load-test.md); the
# figures of target/load-summary.properties added to R[COLUMN,key]; on failure the log's tail.
load() {
  local column=$1 out=$LOGS/$2.log k v; shift 2
  rm -f target/load-summary.properties
  "${MVN[@]}" gatling:test@load exec:java@load-report "$@" >"$out" 2>&1 && [ -s target/load-summary.properties ] \
    || { tail -30 "$out" >&2; die "the load run failed; its log: $out"; }
  while IFS='=' read -r k v; do R[$column,$k]+="$v "; done <target/load-summary.properties
}

# median VALUES [range]: the median of the numbers; with range, then (lowest-highest) if there are several.
median() {
  tr ' ' '\n' <<<"$1" | sort -n | awk -v r="${2:-}" 'NF { a[++n] = $1 } END { if (!n) exit
    printf "%s", (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2); if (r && n > 1) printf " (%s-%s)", a[1], a[n] }'
}
# row LABEL KEY COLUMN [COLUMN2]: the median (range) of R[COLUMN,KEY], of R[COLUMN2,KEY], and the
# ratio of the two medians; nothing if COLUMN has no figures.
row() {
  local a b; a=$(median "${R[$3,$2]:-}"); [ -n "$a" ] || return 0
  b=$(median "${R[${4:-},$2]:-}")
  printf '%-50s %-22s %-22s %s\n' "$1" "$(median "${R[$3,$2]}" range)" "$(median "${R[${4:-},$2]:-}" range)" \
    "$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else if (b != "") print "-" }')"
}
machine() { echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Docker $(docker version -f '{{.Server.Version}}')"; }

#!/usr/bin/env bash
# What the load test's own generator costs, against the generator of another commit, side by
# side on one cluster: starts the replicas-N cluster once, runs the load profile's simulation
# (100 requests/s for 60 s unless told otherwise) RUNS times each, alternating current and other,
# and prints, per run, the Gatling JVM's CPU from start to exit (/proc/<pid>/stat, start-up
# included) with the run's avg, p99 and max; then stops the cluster.
#
#   benchmarks/load-generator.sh --vs-commit 5fc17df                 8 replicas, 2 runs each
#   options: --replicas N (8)  --runs N (2)  --rate R (100)  --duration S (60)
#
# The other commit is checked out in a temporary worktree and compiled there (-Pload); both run
# against the same cluster, built from the current tree. The current generator's in-run cost per
# request (its own counters) is in target/load-report.txt after each of its runs. Traffic goes to
# the cluster's loopback ports only; every run is bounded by its rate and duration.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MVN=(mvn -B -ntp)
replicas=8; runs=2; rate=100; duration=60; vs_commit=
while [ $# -gt 0 ]; do
  case $1 in
    --vs-commit) vs_commit=$2; shift 2 ;;
    --replicas) replicas=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$vs_commit" ] || { echo "--vs-commit is required (see --help)" >&2; exit 2; }
for v in replicas runs rate duration; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "--$v wants a positive number, not '${!v}'" >&2; exit 2; }
done

log() { printf '[load-generator] %s\n' "$*" >&2; }
out=target/benchmark/load-generator
mkdir -p "$out"
worktree=$(mktemp -d /tmp/hello-gen-XXXXXX)
cleanup() {
  "${MVN[@]}" -q docker:stop >/dev/null 2>&1 || true
  git worktree remove --force "$worktree" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "compiling the generator of $vs_commit in $worktree"
rmdir "$worktree"
git worktree add --detach "$worktree" "$vs_commit" >/dev/null
(cd "$worktree" && "${MVN[@]}" -q -Pload process-test-classes) > "$out/other-compile.log" 2>&1 \
  || { echo "compiling $vs_commit failed: $out/other-compile.log" >&2; exit 1; }
log "building the current tree and starting replicas-$replicas"
"${MVN[@]}" -q -Pload package -DskipTests > "$out/build.log" 2>&1
"${MVN[@]}" docker:start -Preplicas-"$replicas" > "$out/start.log" 2>&1

# The Gatling JVM's utime+stime when it exits, in seconds (clock ticks of 1/100 s).
gatling_cpu() {
  local pid= stat last=0 t
  for _ in $(seq 600); do
    pid=$(pgrep -f io.gatling.app.Gatling | head -1 || true)
    [ -n "$pid" ] && break
    sleep 0.2
  done
  [ -n "$pid" ] || { echo "n/a"; return; }
  while stat=$(cat /proc/"$pid"/stat 2>/dev/null); do
    t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' <<<"$stat")
    last=$t
    sleep 0.1
  done
  awk -v t="$last" 'BEGIN { printf "%.2f", t / 100 }'
}

printf '%-4s %-8s %12s %12s %8s %8s %8s\n' run which "JVM CPU s" "ms/request" avg p99 max
for i in $(seq "$runs"); do
  for which in current other; do
    dir=$ROOT; [ "$which" = other ] && dir=$worktree
    gatling_cpu > "$out/cpu" &
    (cd "$dir" && "${MVN[@]}" -Pload,replicas-"$replicas" -Dload.rate="$rate" -Dload.duration="$duration" \
        gatling:test@load) > "$out/$which-$i.log" 2>&1 || true
    wait
    cpu=$(cat "$out/cpu")
    # Gatling's console summary, which both versions print.
    stat() { grep -m1 "$1" "$out/$which-$i.log" | awk -F'|' '{ gsub(/[ ,]/, "", $2); print $2 }'; }
    per=$(awk -v c="$cpu" -v n="$(( rate * duration ))" 'BEGIN { if (c == "n/a") print "n/a"; else printf "%.2f", c * 1000 / n }')
    printf '%-4s %-8s %12s %12s %8s %8s %8s\n' "$i" "$which" "$cpu" "$per" \
      "$(stat 'mean response time')" "$(stat '99th percentile')" "$(stat 'max response time')"
  done
done

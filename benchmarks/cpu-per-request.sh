#!/usr/bin/env bash
# CPU per request of one replica, several images alternating, for differences of a few per cent
# that one load run per image cannot tell (docs/metrics.md, "What it costs"):
#
#   benchmarks/cpu-per-request.sh [--rounds N (5)] IMAGE...
#
# Per round and image: one replica without Consul on 127.0.0.1:18200, ready, WARM (2000) sequential
# requests on one connection, then the container's CPU (cgroup cpuacct) over COUNT (3000) more.
# Prints one line per round and image, then the median per image. Traffic goes to the benchmark's
# own container on loopback only; every loop is bounded. Needs Docker (cgroup v1, as Debian's 20.10) and curl.
set -euo pipefail
rounds=5
if [ "${1:-}" = --rounds ]; then rounds=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [--rounds N] IMAGE..." >&2; exit 2; }
WARM=${WARM:-2000} COUNT=${COUNT:-3000} PORT=18200 NAME=hello-cpu-per-request
tmp=$(mktemp -d); trap 'docker rm -f $NAME >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
requests() { # N -> a curl config of N requests, one connection
  for ((i = 0; i < $1; i++)); do printf 'url = http://127.0.0.1:%s/hello/api/v1\noutput = /dev/null\n' $PORT; done
}
requests "$WARM" > "$tmp/warm"; requests "$COUNT" > "$tmp/count"
for ((r = 1; r <= rounds; r++)); do
  for image in "$@"; do
    docker rm -f $NAME >/dev/null 2>&1 || true
    id=$(docker run -d --name $NAME -e HELLO_REGISTRATION_ENABLED=false -p 127.0.0.1:$PORT:8000 "$image")
    cpu=/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage
    for ((t = 0; t < 600; t++)); do
      curl -sf -o /dev/null --max-time 2 127.0.0.1:$PORT/health/ready && break
      sleep 0.1
    done
    curl -sf -o /dev/null --max-time 2 127.0.0.1:$PORT/health/ready || { echo "$image: not ready in 60 s" >&2; exit 1; }
    curl -s --max-time 300 -K "$tmp/warm"
    before=$(cat "$cpu"); steal=$(awk '/^cpu /{print $9}' /proc/stat)
    curl -s --max-time 300 -K "$tmp/count"
    after=$(cat "$cpu"); steal=$(( $(awk '/^cpu /{print $9}' /proc/stat) - steal ))
    us=$(( (after - before) / COUNT / 1000 ))
    echo "round $r  $image  CPU per request ${us} us  (host steal during it: ${steal} ticks)"
    echo "$us" >> "$tmp/$(echo "$image" | tr '/:' '__')"
    docker rm -f $NAME >/dev/null
  done
done
for image in "$@"; do
  sort -n "$tmp/$(echo "$image" | tr '/:' '__')" | awk -v i="$image" '{v[NR]=$1} END {printf "median %s: %d us (%d-%d), %d rounds\n", i, v[int((NR+1)/2)], v[1], v[NR], NR}'
done

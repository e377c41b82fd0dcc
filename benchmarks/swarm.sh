#!/usr/bin/env bash
# The Swarm stack beside the Maven profiles' cluster, 8 replicas each, on this machine, in one run:
#
#   start   `mvn docker:start -Preplicas-8` and `cluster-profiles/swarm deploy` (8 replicas), each
#           until every replica is routed through Fabio (wall), alternating, RUNS times each;
#   load    after each start, the load profile's generator (Gatling, docs/load-test.md) at RATE/s
#           for SECONDS s through Fabio: CPU per request by part (cgroup and /proc counters),
#           p50/p99/max, failed requests; then `mvn docker:stop` or `cluster-profiles/swarm rm`.
#
#   benchmarks/swarm.sh                   RUNS=2, RATE=100, SECONDS=60
#   benchmarks/swarm.sh --runs 3 --rate 50 --seconds 30
#
# Needs the image (mvn package), Docker, a JDK and Maven. Puts the engine into Swarm mode for the
# Swarm runs if it is not, and takes it out again at the end. Traffic goes to 127.0.0.1 only;
# every loop is bounded. Nothing else may use the ports 8001-8008, 8500, 9000-9001 and 9090.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MVN=(mvn -B -q -ntp)
runs=2; rate=100; seconds=60
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
log() { printf '[bench] %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
pom() { sed -n "s:.*<$1>[[:space:]]*\([^<]*[^<[:space:]]\)[[:space:]]*</$1>.*:\1:p" pom.xml | sed -n 1p; }
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' cluster-profiles/pom.xml | head -1)
export HELLO_IMAGE=hello-server:$version CONSUL_IMAGE=hashicorp/consul:$(pom consul.version) \
  FABIO_IMAGE=fabiolb/fabio:$(pom fabio.version) PROMETHEUS_IMAGE=prom/prometheus:v$(pom prometheus.version) \
  HELLO_REPLICAS=8 HELLO_SECRETS=$ROOT/target/benchmark/swarm-secrets
LOGS=target/benchmark; mkdir -p "$LOGS"
docker image inspect "$HELLO_IMAGE" >/dev/null 2>&1 || { log "building $HELLO_IMAGE"; "${MVN[@]}" package -DskipTests; }
"${MVN[@]}" -Pload test-compile >/dev/null

made_swarm=
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 172.17.0.1 >/dev/null # docker0's address
  made_swarm=1
fi
cleanup() {
  "${MVN[@]}" docker:stop >/dev/null 2>&1 || true
  bash cluster-profiles/swarm rm >/dev/null 2>&1 || true
  if [ -n "$made_swarm" ]; then docker swarm leave --force >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

declare -A R
summary() { sed -n "s/^$1=//p" target/load-summary.properties; }
load() { # LABEL PREFIX: one load run; its figures into R[LABEL,key]
  local label=$1 prefix=$2 k
  rm -f target/load-summary.properties
  if ! "${MVN[@]}" -Pload,replicas-8 gatling:test@load exec:java@load-report -Dload.rate="$rate" \
      -Dload.duration="$seconds" -Dload.containerPrefix="$prefix" >"$LOGS/swarm-$label.log" 2>&1 \
      || [ ! -s target/load-summary.properties ]; then
    tail -30 "$LOGS/swarm-$label.log" >&2; echo "the load run failed; its log: $LOGS/swarm-$label.log" >&2; exit 1
  fi
  for k in failed p50.ms p99.ms max.ms cpu.generator.ms cpu.fabio.ms cpu.docker-proxy.ms cpu.replicas.ms cpu.consul.ms cpu.host.ms; do
    R[$label,$k]+="$(summary "$k") "
  done
}

for ((r = 1; r <= runs; r++)); do
  log "run $r/$runs: mvn docker:start -Preplicas-8"
  t0=$(now_ms)
  "${MVN[@]}" docker:start -Preplicas-8 >"$LOGS/swarm-start-profiles.log" 2>&1 \
    || { tail -30 "$LOGS/swarm-start-profiles.log" >&2; exit 1; }
  R[profiles,routed]+="$(( $(now_ms) - t0 )) "
  log "run $r/$runs: profiles routed after $(( $(now_ms) - t0 )) ms; $rate/s for $seconds s"
  load profiles hello-
  "${MVN[@]}" docker:stop >/dev/null

  log "run $r/$runs: cluster-profiles/swarm deploy"
  t0=$(now_ms)
  bash cluster-profiles/swarm deploy >"$LOGS/swarm-deploy.log" 2>&1 || { tail -30 "$LOGS/swarm-deploy.log" >&2; exit 1; }
  R[swarm,routed]+="$(( $(now_ms) - t0 )) "
  log "run $r/$runs: swarm routed after $(( $(now_ms) - t0 )) ms; $rate/s for $seconds s"
  load swarm hello_
  bash cluster-profiles/swarm rm >/dev/null
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
range() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
printf '\n8 replicas, one machine (%s), %d runs each, %d/s for %d s through Fabio after each start\n' \
  "$(nproc) cores" "$runs" "$rate" "$seconds"
printf '%-36s %-22s %-22s %s\n' "" "-Preplicas-8" "Swarm stack" "Swarm / profiles"
for key in routed failed p50.ms p99.ms max.ms cpu.generator.ms cpu.fabio.ms cpu.docker-proxy.ms cpu.replicas.ms cpu.consul.ms cpu.host.ms; do
  a=$(echo "${R[profiles,$key]}" | median); b=$(echo "${R[swarm,$key]}" | median)
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }')
  label=$key; [ "$key" = routed ] && label="start until all routed (ms)"
  [[ $key == cpu.* ]] && label="CPU ms per request, ${key#cpu.}" && label=${label%.ms}
  printf '%-36s %-22s %-22s %s\n' "$label" "$a ($(echo "${R[profiles,$key]}" | range))" \
    "$b ($(echo "${R[swarm,$key]}" | range))" "$ratio"
done

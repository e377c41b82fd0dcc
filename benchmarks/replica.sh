#!/usr/bin/env bash
# What a replica costs, for one image or two side by side, in one table:
#
#   start-up      (RUNS times, the images alternating, one container at a time, no Consul)
#                 first 200 of /hello/api/v1 and of /health/ready from `docker run` (wall), the
#                 container's CPU until that first 200 (cgroup), its memory (cgroup, as docker
#                 stats shows it) after 300 sequential requests, and its CPU per request over
#                 3,000 sequential requests on one connection after 2,000 to warm up;
#   one replica   the load profile's generator (Gatling, docs/load-test.md) at 50/s for 30 s
#                 against one warmed-up container: CPU per answer, p50/p99/max, memory;
#   8 replicas    `mvn docker:start -Preplicas-8` until every replica is routed through Fabio
#                 (wall), then 100/s for 60 s through Fabio: no warm-up, the first second counts;
#                 CPU per answer of all replicas together, p50/p99/max, failed requests, replica
#                 memory; then `mvn docker:stop`.
#
#   benchmarks/replica.sh                          the project's image (built by mvn package if missing)
#   benchmarks/replica.sh --vs-commit 5fc17df      ... beside the image of another commit, built here
#   benchmarks/replica.sh --vs IMAGE               ... beside another image
#   options: --image IMAGE (instead of the project's)  --runs N (5)  --no-cluster (no 8 replicas)
#
# Machines differ (ours about 2x from one to the next), so compare the two columns of one run, as
# the ratio in the last column, not figures of different runs. Traffic goes to 127.0.0.1 and to
# the benchmark's own containers only; every loop is bounded. Needs Docker, a JDK and Maven. Nothing
# else may use the ports 18990, 8001-8008, 8500, 9000-9001 and 9090.
set -euo pipefail
trap '' PIPE # a port that Docker accepts before the server listens closes on us: not fatal
# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
image=$HELLO_IMAGE vs='' vs_commit='' runs=5 cluster=1
options "image vs vs_commit runs cluster" "$@"
numbers runs
BENCH=hello-bench-replica-1 PORT=18990 WARM=300 worktree='' started=''
cleanup() {
  docker rm -f "$BENCH" >/dev/null 2>&1 || true
  [ -z "$started" ] || "${MVN[@]}" docker:stop >/dev/null 2>&1 || true
  [ -z "$worktree" ] || git worktree remove --force "$worktree" >/dev/null 2>&1 || true
}
trap cleanup EXIT

[ "$image" != "$HELLO_IMAGE" ] || project_image
if [ -n "$vs_commit" ]; then
  vs=hello-server:bench-$(git rev-parse --short "$vs_commit")
  if ! docker image inspect "$vs" >/dev/null 2>&1; then
    worktree=$(mktemp -d /tmp/hello-bench-XXXXXX)
    git worktree add --detach "$worktree" "$vs_commit" >/dev/null 2>&1
    log "building $vs from commit $vs_commit in $worktree"
    (cd "$worktree" && "${MVN[@]}" package -DskipTests -Dapp.image="$vs")
  fi
fi
variants=("$image")
[ -z "$vs" ] || variants+=("$vs")

# status PATH: whether GET PATH on the bench container answers 200 (bash only: no process to fork
# while the replica starts, so the probe costs next to nothing).
status() {
  local line=
  { printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3; read -r -t 2 line <&3; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$PORT"
  [[ $line == *" 200"* ]]
}
until_200() { # PATH: within 120 s
  local deadline=$(( $(now_ms) + 120000 ))
  until status "$1"; do
    [ "$(now_ms)" -lt $deadline ] || { docker logs "$BENCH" 2>&1 | tail -20 >&2; die "no 200 of $1 within 120 s"; }
    sleep 0.05
  done
}
cgroup() { # CONTAINER CONTROLLER FILE-v1 FILE-v2: the path of one of its cgroup's files, v1 or v2
  local pid path
  pid=$(docker inspect -f '{{.State.Pid}}' "$1")
  path=$(awk -F: -v c="$2" '$2 ~ c { print $3; exit }' "/proc/$pid/cgroup")
  if [ -n "$path" ] && [ -r "/sys/fs/cgroup/$2$path/$3" ]; then echo "/sys/fs/cgroup/$2$path/$3"
  else echo "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3; exit }' "/proc/$pid/cgroup")/$4"; fi
}
cpu_ns() { # FILE: cpuacct.usage (v1), or usage_usec of cpu.stat (v2), in ns
  case $1 in *cpu.stat) awk '$1 == "usage_usec" { printf "%.0f\n", $2 * 1000 }' "$1" ;; *) cat "$1" ;; esac
}
memory_mib() { # CONTAINER: usage less inactive file pages, as docker stats shows it
  local usage; usage=$(cgroup "$1" memory memory.usage_in_bytes memory.current)
  awk -v u="$(cat "$usage")" '$1 == "total_inactive_file" || $1 == "inactive_file" { printf "%.1f", (u - $2) / 1048576; exit }' "${usage%/*}/memory.stat"
}
requests() { # N: N sequential GETs of /hello/api/v1 in one curl process (keep-alive)
  local i; for ((i = 0; i < $1; i++)); do printf 'url = http://127.0.0.1:%s/hello/api/v1\noutput = /dev/null\n' "$PORT"; done \
    | curl -s --max-time 300 -K -
}
start() { # IMAGE: starts the bench container; prints its id
  docker rm -f "$BENCH" >/dev/null 2>&1 || true
  docker run -d --pull never --name "$BENCH" -p "127.0.0.1:$PORT:8000" -e HELLO_REGISTRATION_ENABLED=false "$1"
}
steal() { awk '/^cpu / { print $9 }' /proc/stat; }

# ---- 1. start-up -----------------------------------------------------------------------------
for v in "${variants[@]}"; do start "$v" >/dev/null; until_200 /hello/api/v1; done # unrecorded: a warm page cache for all
for ((r = 1; r <= runs; r++)); do
  for v in "${variants[@]}"; do
    t0=$(now_ms); id=$(start "$v"); cpufile=$(cgroup "$id" cpuacct cpuacct.usage cpu.stat); first='' ready=''
    while [ -z "$ready" ]; do
      [ "$(now_ms)" -lt $((t0 + 120000)) ] || { docker logs "$BENCH" 2>&1 | tail -20 >&2; die "$v: no 200 within 120 s"; }
      if [ -z "$first" ] && status /hello/api/v1; then first=$(( $(now_ms) - t0 )) cpu=$(( $(cpu_ns "$cpufile") / 1000000 )); fi
      if [ -n "$first" ] && status /health/ready; then ready=$(( $(now_ms) - t0 )); else sleep 0.02; fi
    done
    requests $WARM; mem=$(memory_mib "$id")
    requests $((2000 - WARM)); c0=$(cpu_ns "$cpufile") s0=$(steal); requests 3000
    us=$(( ($(cpu_ns "$cpufile") - c0) / 3000000 ))
    R[$v,first]+="$first " R[$v,ready]+="$ready " R[$v,cpu]+="$cpu " R[$v,mem]+="$mem " R[$v,us]+="$us "
    log "start $r/$runs $v: first 200 $first ms, ready $ready ms, CPU $cpu ms, memory after $WARM requests $mem MiB," \
      "CPU per request $us us (the host's steal meanwhile: $(( $(steal) - s0 )) ticks)"
  done
done

# ---- 2. one replica under a constant rate ----------------------------------------------------
"${MVN[@]}" -Pload test-compile >/dev/null
for v in "${variants[@]}"; do
  start "$v" >/dev/null; until_200 /health/ready; requests $WARM
  log "one replica, $v: 50/s for 30 s"
  load "one:$v" "one-${v//[^a-zA-Z0-9.-]/_}" -Pload,replicas-1 -Dload.url="http://127.0.0.1:$PORT/hello/api/v1" \
    -Dload.rate=50 -Dload.duration=30 -Dcluster.name=hello-bench
  docker rm -f "$BENCH" >/dev/null
done

# ---- 3. eight replicas behind Fabio ----------------------------------------------------------
[ -z "$cluster" ] || "${MVN[@]}" docker:stop >/dev/null 2>&1 || true
for v in ${cluster:+"${variants[@]}"}; do
  log "8 replicas, $v: docker:start"
  t0=$(now_ms) started=1
  "${MVN[@]}" docker:start -Preplicas-8 -Dapp.image="$v" >"$LOGS/start-8.log" 2>&1 \
    || { tail -30 "$LOGS/start-8.log" >&2; die "docker:start failed; its log: $LOGS/start-8.log"; }
  R[eight:$v,routed]=$(( $(now_ms) - t0 ))
  log "8 replicas, $v: routed after ${R[eight:$v,routed]} ms; 100/s for 60 s through Fabio"
  load "eight:$v" "eight-${v//[^a-zA-Z0-9.-]/_}" -Pload,replicas-8 -Dload.rate=100 -Dload.duration=60
  "${MVN[@]}" docker:stop >/dev/null; started=
done

# ---- the table -------------------------------------------------------------------------------
r() { row "$1" "$2" "$3$image" ${vs:+"$3$vs"}; } # LABEL KEY PHASE
echo
echo "Replica benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(machine)"
echo "A = $image${vs:+, B = $vs}"
printf '%-50s %-22s %-22s %s\n' "" A "${vs:+B}" "${vs:+A/B}"
r "first 200, median of $runs (ms)" first ""
r "ready, /health/ready 200 (ms)" ready ""
r "CPU until the first 200, cgroup (ms)" cpu ""
r "memory after $WARM requests, cgroup (MiB)" mem ""
r "CPU per request, 3,000 sequential (us)" us ""
loaded() { # PHASE: the rows of a load run
  for k in p50 p99 max; do r "  $k (ms)" $k.ms "$1"; done
  r "  replica memory during the load, mean (MiB)" memory.replica.mean.mib "$1"
  r "  failed requests" failed "$1"
}
r "1 replica, 50/s for 30 s: CPU per answer (ms)" cpu.replicas.ms one:
loaded one:
r "8 replicas: docker:start until all routed (ms)" routed eight:
r "8 replicas, 100/s for 60 s: CPU per answer (ms)" cpu.replicas.ms eight:
loaded eight:

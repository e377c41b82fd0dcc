#!/usr/bin/env bash
# What a replica costs, for one image or two side by side, in one table:
#
#   start-up      (RUNS times, the images alternating, one container at a time, no Consul)
#                 first 200 of /hello/api/v1 and of /health/ready from `docker run` (wall),
#                 the container's CPU until that first 200 (cgroup), and its memory (cgroup, as
#                 docker stats shows it) after WARM sequential requests;
#   one replica   the load profile's generator (Gatling, see docs/load-test.md) at RATE1/s for
#                 SECONDS1 s against one warmed-up container: CPU per answer, p50/p99/max, memory;
#   8 replicas    `mvn docker:start -Preplicas-8` until every replica is routed through Fabio
#                 (wall), then RATE8/s for SECONDS8 s through Fabio: no warm-up, the first second
#                 counts; CPU per answer of all replicas together, p50/p99/max, failed requests,
#                 replica memory; then `mvn docker:stop`.
#
#   benchmarks/replica.sh                             the project's image (built by mvn package if missing)
#   benchmarks/replica.sh --vs-commit 5fc17df         ... against the image of another commit, built here
#   benchmarks/replica.sh --vs IMAGE                  ... against another image
#   benchmarks/replica.sh --vs-jvm-args "-Xmx96m"     ... against the same image with other JVM_ARGS
#   options: --image IMAGE  --runs N (5)  --warm N (300)  --no-cluster  --quick (runs 3, shorter loads)
#
# Machines differ (ours about 2x from one to the next), so compare the two columns of one run,
# as the ratio in the last column, not figures of different runs. Traffic goes to 127.0.0.1 and to
# the benchmark's own containers only; every loop is bounded. Needs Docker, a JDK and Maven; run
# from anywhere. Nothing else may use the ports 18990-18991, 8001-8008, 8500 and 9000-9001.
set -euo pipefail
trap '' PIPE # a port that Docker accepts before the server listens closes on us: not fatal

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
MVN=(mvn -B -q -ntp)

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' cluster-profiles/pom.xml | head -1)
image_a=hello-server:$version
image_b=
vs_commit=
vs_jvm_args=
runs=5
warm=300
cluster=1
rate1=50; seconds1=30
rate8=100; seconds8=60

while [ $# -gt 0 ]; do
  case $1 in
    --image) image_a=$2; shift 2 ;;
    --vs) image_b=$2; shift 2 ;;
    --vs-commit) vs_commit=$2; shift 2 ;;
    --vs-jvm-args) vs_jvm_args=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --warm) warm=$2; shift 2 ;;
    --no-cluster) cluster=; shift ;;
    --quick) runs=3; seconds1=20; seconds8=30; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "--runs wants a positive number, not '$runs'" >&2; exit 2; }
[[ $warm =~ ^[0-9]+$ ]] || { echo "--warm wants a number, not '$warm'" >&2; exit 2; }

log() { printf '[bench] %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }

BENCH=hello-bench-replica-1
PORT=18990
cleanup() {
  docker rm -f "$BENCH" >/dev/null 2>&1 || true
  if [ -n "${worktree:-}" ]; then git worktree remove --force "$worktree" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# ---- the images ------------------------------------------------------------------------------
if ! docker image inspect "$image_a" >/dev/null 2>&1; then
  log "building $image_a (mvn package)"
  "${MVN[@]}" package -DskipTests -Dapp.image="$image_a"
fi
if [ -n "$vs_commit" ]; then
  rev=$(git rev-parse --short "$vs_commit")
  image_b=hello-server:bench-$rev
  if ! docker image inspect "$image_b" >/dev/null 2>&1; then
    worktree=$(mktemp -d /tmp/hello-bench-XXXXXX)
    git worktree add --detach "$worktree" "$rev" >/dev/null 2>&1
    log "building $image_b from commit $rev in $worktree"
    (cd "$worktree" && "${MVN[@]}" package -DskipTests -Dapp.image="$image_b")
  fi
fi
if [ -n "$vs_jvm_args" ]; then
  image_b=hello-server:bench-jvm-args
  log "deriving $image_b: $image_a with JVM_ARGS=$vs_jvm_args"
  printf 'FROM %s\nENV JVM_ARGS="%s"\n' "$image_a" "$vs_jvm_args" | docker build -q -t "$image_b" - >/dev/null
fi
variants=("$image_a")
[ -n "$image_b" ] && variants+=("$image_b")

# ---- helpers ---------------------------------------------------------------------------------
# status PATH: whether GET PATH on the bench container answers 200 (bash only: no process to fork
# while the replica starts, so the probe costs next to nothing).
status() {
  local line=
  { printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3; read -r -t 2 line <&3; } 3<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
  [[ $line == *" 200"* ]]
}
cgroup_file() { # CONTAINER-ID CONTROLLER FILE-v1 FILE-v2
  local pid path
  pid=$(docker inspect -f '{{.State.Pid}}' "$1")
  if path=$(awk -F: -v c="$2" '$2 ~ c { print $3; exit }' "/proc/$pid/cgroup") && [ -n "$path" ] \
      && [ -r "/sys/fs/cgroup/$2$path/$3" ]; then
    echo "/sys/fs/cgroup/$2$path/$3"
  else
    path=$(awk -F: '$1 == "0" { print $3; exit }' "/proc/$pid/cgroup")
    echo "/sys/fs/cgroup$path/$4"
  fi
}
cpu_ns() { # FILE: cgroup CPU in ns (cpuacct.usage, or usage_usec of cpu.stat)
  case $1 in
    *cpu.stat) awk '$1 == "usage_usec" { print $2 * 1000 }' "$1" ;;
    *) cat "$1" ;;
  esac
}
memory_mib() { # CONTAINER: usage less inactive file pages, as docker stats shows it
  local usage stat
  usage=$(cgroup_file "$1" memory memory.usage_in_bytes memory.current)
  stat=${usage%/*}/memory.stat
  awk -v u="$(cat "$usage")" '$1 == "total_inactive_file" || $1 == "inactive_file" { printf "%.1f", (u - $2) / 1048576; exit }' "$stat"
}
requests() { # N: N sequential GETs of /hello/api/v1 in one curl process (keep-alive)
  local args=() i
  for ((i = 0; i < $1; i++)); do args+=("http://127.0.0.1:$PORT/hello/api/v1" -o /dev/null); done
  [ "$1" -eq 0 ] || curl -s --max-time 120 "${args[@]}"
}
start_bench() { # IMAGE: start the bench container; prints its id
  docker rm -f "$BENCH" >/dev/null 2>&1 || true
  docker run -d --pull never --name "$BENCH" -p "127.0.0.1:$PORT:8000" \
    -e HELLO_REGISTRATION_ENABLED=false "$1"
}

declare -A R # results: R[variant,key] = values separated by spaces

# ---- 1. start-up -----------------------------------------------------------------------------
for v in "${variants[@]}"; do # one unrecorded start each, so both read their files from a warm page cache
  start_bench "$v" >/dev/null
  deadline=$(( $(now_ms) + 120000 ))
  until status /hello/api/v1; do [ "$(now_ms)" -lt $deadline ] || break; sleep 0.05; done
done
for ((r = 1; r <= runs; r++)); do
  for v in "${variants[@]}"; do
    t0=$(now_ms)
    id=$(start_bench "$v")
    cpufile=$(cgroup_file "$id" cpuacct cpuacct.usage cpu.stat)
    deadline=$((t0 + 120000)); first=; ready=
    while [ -z "$ready" ]; do
      [ "$(now_ms)" -lt $deadline ] || { docker logs "$BENCH" | tail -20 >&2; echo "$v: no 200 within 120 s" >&2; exit 1; }
      if [ -z "$first" ] && status /hello/api/v1; then
        first=$(( $(now_ms) - t0 )); cpu=$(cpu_ns "$cpufile")
      fi
      if [ -n "$first" ] && status /health/ready; then ready=$(( $(now_ms) - t0 )); fi
      [ -n "$ready" ] || sleep 0.02
    done
    requests "$warm"
    mem=$(memory_mib "$id")
    R[$v,first]+="$first "; R[$v,ready]+="$ready "; R[$v,cpu]+="$((cpu / 1000000)) "; R[$v,mem]+="$mem "
    log "start $r/$runs $v: first 200 $first ms, ready $ready ms, CPU $((cpu / 1000000)) ms, memory after $warm requests $mem MiB"
  done
done

# ---- 2. one replica under a constant rate ----------------------------------------------------
summary() { sed -n "s/^$1=//p" target/load-summary.properties; }
LOGS=target/benchmark; mkdir -p "$LOGS"
load() { # LOG-NAME MAVEN-ARGS...: one run of the load profile; its summary, or the log's tail on failure
  local name=$1; shift
  rm -f target/load-summary.properties
  if ! "${MVN[@]}" "$@" >"$LOGS/$name.log" 2>&1 || [ ! -s target/load-summary.properties ]; then
    tail -30 "$LOGS/$name.log" >&2; echo "the load run failed; its log: $LOGS/$name.log" >&2; exit 1
  fi
}
"${MVN[@]}" -Pload test-compile >/dev/null
for v in "${variants[@]}"; do
  start_bench "$v" >/dev/null
  deadline=$(( $(now_ms) + 120000 ))
  until status /health/ready; do [ "$(now_ms)" -lt $deadline ] || { echo "$v: not ready" >&2; exit 1; }; sleep 0.05; done
  requests "$warm"
  log "one replica, $v: $rate1/s for $seconds1 s"
  load "one-$(tr -c 'a-zA-Z0-9.-' _ <<<"$v")" -Pload,replicas-1 gatling:test@load exec:java@load-report \
    -Dload.url="http://127.0.0.1:$PORT/hello/api/v1" -Dload.rate="$rate1" -Dload.duration="$seconds1" -Dcluster.name=hello-bench
  for k in p50.ms p99.ms max.ms failed cpu.replicas.ms memory.replica.mean.mib; do R[$v,one.$k]=$(summary "$k"); done
  docker rm -f "$BENCH" >/dev/null
done

# ---- 3. eight replicas behind Fabio ----------------------------------------------------------
# The cluster profiles publish each replica's port on the Docker gateway to the image's second
# listener, 8080 (README, "Exposure"). An image from before that listener gets it in a derived
# image for this phase only: one more endpoint in the server's configuration, nothing else.
cluster_image() { # IMAGE: prints the image to run in the cluster
  if docker run --rm --entrypoint grep "$1" -rqs gatewayEndpoint /opt/wlp/usr/servers/defaultServer; then
    echo "$1"; return
  fi
  local ctx derived=${1}-gateway
  ctx=$(mktemp -d)
  cat >"$ctx/gateway.xml" <<'XML'
<server>
    <httpEndpoint id="gatewayEndpoint" host="*" httpPort="8080" httpsPort="-1"/>
</server>
XML
  printf 'FROM %s\nCOPY gateway.xml /opt/wlp/usr/servers/defaultServer/configDropins/overrides/gateway.xml\n' "$1" >"$ctx/Dockerfile"
  docker build -q -t "$derived" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "$derived"
}
if [ -n "$cluster" ]; then
  "${MVN[@]}" docker:stop >/dev/null 2>&1 || true
  for v in "${variants[@]}"; do
    run_image=$(cluster_image "$v")
    log "8 replicas, $run_image: docker:start"
    t0=$(now_ms)
    "${MVN[@]}" docker:start -Preplicas-8 -Dapp.image="$run_image" >"$LOGS/start-8.log" 2>&1 \
      || { tail -30 "$LOGS/start-8.log" >&2; exit 1; }
    R[$v,routed]=$(( $(now_ms) - t0 ))
    log "8 replicas, $v: routed after ${R[$v,routed]} ms; $rate8/s for $seconds8 s through Fabio"
    load "eight-$(tr -c 'a-zA-Z0-9.-' _ <<<"$v")" -Pload,replicas-8 gatling:test@load exec:java@load-report \
      -Dload.rate="$rate8" -Dload.duration="$seconds8"
    for k in p50.ms p99.ms max.ms failed cpu.replicas.ms memory.replica.mean.mib; do R[$v,eight.$k]=$(summary "$k"); done
    "${MVN[@]}" docker:stop >/dev/null
  done
fi

# ---- the table -------------------------------------------------------------------------------
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
range() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s-%s", lo, hi }'; }
row() { # LABEL UNIT KEY [median]
  local label=$1 unit=$2 key=$3 a b ratio=
  if [ "${4:-}" = median ]; then
    a="$(echo "${R[$image_a,$key]:-}" | median)"; [ -n "$image_b" ] && b="$(echo "${R[$image_b,$key]:-}" | median)"
  else
    a=${R[$image_a,$key]:-}; [ -n "$image_b" ] && b=${R[$image_b,$key]:-}
  fi
  [ -n "$a" ] || return 0
  if [ -n "$image_b" ] && [ -n "$b" ]; then
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  fi
  if [ "${4:-}" = median ]; then
    a="$a ($(echo "${R[$image_a,$key]}" | range))"
    [ -n "$image_b" ] && b="$b ($(echo "${R[$image_b,$key]}" | range))"
  fi
  printf '%-50s %-22s %-22s %s\n' "$label ($unit)" "$a" "${b:-}" "$ratio"
}
echo
echo "Replica benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Docker $(docker version -f '{{.Server.Version}}')"
echo "A = $image_a${image_b:+, B = $image_b}${vs_jvm_args:+ (JVM_ARGS=$vs_jvm_args)}"
printf '%-50s %-22s %-22s %s\n' "" "A" "${image_b:+B}" "${image_b:+A/B}"
row "first 200, median of $runs" ms first median
row "ready (/health/ready 200)" ms ready median
row "CPU until the first 200 (cgroup)" ms cpu median
row "memory after $warm requests (cgroup)" MiB mem median
row "1 replica, $rate1/s for ${seconds1} s: CPU per answer" ms one.cpu.replicas.ms
row "  p50" ms one.p50.ms
row "  p99" ms one.p99.ms
row "  max" ms one.max.ms
row "  memory during the load, mean" MiB one.memory.replica.mean.mib
row "  failed requests" n one.failed
if [ -n "$cluster" ]; then
  row "8 replicas: docker:start until all routed" ms routed
  row "8 replicas, $rate8/s for ${seconds8} s: CPU per answer" ms eight.cpu.replicas.ms
  row "  p50" ms eight.p50.ms
  row "  p99" ms eight.p99.ms
  row "  max" ms eight.max.ms
  row "  memory per replica during the load" MiB eight.memory.replica.mean.mib
  row "  failed requests" n eight.failed
fi

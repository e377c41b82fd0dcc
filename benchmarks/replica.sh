#!/usr/bin/env bash
# Replica start-up and memory: starts the application image alone (no Consul needed) RUNS times,
# one container at a time, and reports for each run
#   - first-200: from `docker run` until GET /hello/api/v1 first answers 200;
#   - RSS: resident memory of the replica's JVM after WARM requests (from the host's ps);
#   - cgroup: the container's memory as `docker stats` shows it.
# Traffic goes to 127.0.0.1 only; every loop is bounded.
#
#   benchmarks/replica.sh [RUNS] [WARM]          (image: hello-server:1.0.0-SNAPSHOT, or $IMAGE)
#   JVM_ARGS="-Xmx96m" benchmarks/replica.sh      (try other JVM flags than the image's)
set -euo pipefail
runs=${1:-5}
warm=${2:-50}
image=${IMAGE:-hello-server:1.0.0-SNAPSHOT}
port=${PORT:-18999}
name=hello-bench-replica
extra=()
[ -n "${JVM_ARGS:-}" ] && extra=(-e "JVM_ARGS=$JVM_ARGS")

cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

now_ms() { date +%s%3N; }
printf '%-4s %12s %10s %10s\n' run first-200 RSS cgroup
for ((r = 1; r <= runs; r++)); do
  cleanup
  start=$(now_ms)
  docker run -d --pull never --name "$name" -p "127.0.0.1:$port:8000" -e CONSUL_HTTP_ADDR=127.0.0.1:1 \
    -e HELLO_REGISTRATION_ENABLED=false "${extra[@]}" "$image" >/dev/null
  deadline=$((start + 60000))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/hello/api/v1")" = 200 ]; do
    [ "$(now_ms)" -lt $deadline ] || { echo "run $r: no 200 within 60 s" >&2; docker logs "$name" | tail -20 >&2; exit 1; }
    sleep 0.02
  done
  first=$(( $(now_ms) - start ))
  for ((i = 0; i < warm; i++)); do curl -s -o /dev/null "http://127.0.0.1:$port/hello/api/v1"; done
  pid=$(docker inspect -f '{{.State.Pid}}' "$name")
  java=$(pgrep -P "$pid" java || echo "$pid")
  rss=$(( $(ps -o rss= -p "$java") / 1024 ))
  cg=$(docker stats --no-stream --format '{{.MemUsage}}' "$name" | cut -d/ -f1 | tr -d ' ')
  printf '%-4s %10s ms %7s MiB %10s\n' "$r" "$first" "$rss" "$cg"
done

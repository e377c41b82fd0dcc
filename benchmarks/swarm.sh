#!/usr/bin/env bash
# The cost of HTTPS at the Swarm stack's edge beside plain HTTP, in one run: deploys the stack once
# (cluster-profiles/swarm, 8 replicas, plain HTTP published on 9000 beside HTTPS on 9443, where Fabio
# terminates TLS), then runs the load profile's generator (Gatling, docs/load-test.md; it trusts
# any certificate) RUNS times through each, alternating, at RATE/s for SECONDS s a run, and prints
# the median (range) per protocol and HTTPS/HTTP of failed requests, p50/p99/max and the CPU per
# request of the generator, Fabio, the replicas and the whole host; then removes the stack.
#
#   benchmarks/swarm.sh                                    2 runs each, 100/s, 60 s
#   benchmarks/swarm.sh --runs 3 --rate 50 --seconds 30
#
# Needs Docker, a JDK, Maven, curl, jq and openssl. Puts the engine into Swarm mode if it is not,
# and takes it out again at the end, also on failure. The secrets stay in
# target/benchmark/swarm-secrets. Traffic goes to loopback and the stack's containers only; every
# loop is bounded. Nothing else may use the ports 8501, 9000, 9090 and 9443.
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=2 rate=100 seconds=60
options "runs rate seconds" "$@"
numbers runs rate seconds
export HELLO_STACK=hello HELLO_REPLICAS=8 HELLO_FABIO_PORT=9000 HELLO_HTTPS_PORT=9443 \
  HELLO_SECRETS=$ROOT/target/benchmark/swarm-secrets
made_swarm=
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then made_swarm=1
elif [ -n "$(docker service ls -q --filter label=com.docker.stack.namespace=hello)" ]; then
  die "a stack hello is deployed on this Swarm already; remove it first: cluster-profiles/swarm rm"
fi
cleanup() {
  bash cluster-profiles/swarm rm >/dev/null 2>&1 || true
  [ -z "$made_swarm" ] || docker swarm leave --force >/dev/null 2>&1 || true
}
trap cleanup EXIT
[ -z "$made_swarm" ] || docker swarm init --advertise-addr 172.17.0.1 >/dev/null # docker0's address
project_image
"${MVN[@]}" -Pload test-compile >/dev/null
log "deploying the stack, 8 replicas"
bash cluster-profiles/swarm deploy >"$LOGS/swarm-deploy.log" 2>&1 \
  || { tail -30 "$LOGS/swarm-deploy.log" >&2; die "the deploy failed; its log: $LOGS/swarm-deploy.log"; }
for ((r = 1; r <= runs; r++)); do
  for url in http://localhost:9000 https://localhost:9443; do
    log "run $r/$runs: $url, $rate/s for $seconds s"
    load "${url%%:*}" "swarm-${url%%:*}-$r" -Pload,replicas-8 -Dload.url="$url/hello/api/v1" \
      -Dload.rate="$rate" -Dload.duration="$seconds" -Dload.containerPrefix=hello_
  done
done

echo
echo "Swarm stack, 8 replicas, $(date -u +%Y-%m-%dT%H:%MZ), $(machine): $runs runs each, $rate/s for $seconds s"
printf '%-50s %-22s %-22s %s\n' "" HTTPS HTTP HTTPS/HTTP
row "failed requests" failed https http
for k in p50 p99 max; do row "$k (ms)" $k.ms https http; done
for part in generator fabio replicas host; do row "CPU ms per request, $part" cpu.$part.ms https http; done

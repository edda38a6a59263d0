#!/usr/bin/env bash
# Wire comparison with Apache Kafka: sends the same requests (bench/java/gregorbench/WireSweep.java:
# the APIs of issue 2 at every version they have, and edge cases at the latest) to the reference
# Kafka 4.4 and to Gregor, each started fresh, one after the other, and prints the answers whose
# fields differ (their order is not compared; ids, times, ports, paths and sizes are masked).
# Messages differ in places on purpose; error codes and values should not. Not run in CI.
#
#   bench/wire-diff.sh [--ref-port 19112] [--gregor-port 19094] [--keep DIR]
#
# --keep DIR leaves both brokers' full answers there (kafka.txt, gregor.txt). Needs the Gregor jar
# (mvn -B -q -DskipTests package -pl gregor-cli -am) and ../shared/bench (GREGOR_SHARED_BENCH).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${GREGOR_SHARED_BENCH:-$root/../shared/bench}"
# shellcheck source=/dev/null
source "$shared/bench-common.sh"
# shellcheck source=bench-java.sh
source "$root/bench/bench-java.sh"

ref_port=19112 gregor_port=19094 keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ref-port) ref_port="$2"; shift 2 ;;
    --gregor-port) gregor_port="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) print_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
port_open "$ref_port" && die "port $ref_port is in use"
port_open "$gregor_port" && die "port $gregor_port is in use"
[[ -f "$root/gregor-cli/target/gregor.jar" ]] || die "build Gregor first: mvn -B -q -DskipTests package -pl gregor-cli -am"

ensure_setup
use_bench_java WireSweep
out="${keep:-$(mktemp -d)}"
mkdir -p "$out"
data="" gregor_pid=""
cleanup() { # also when interrupted: no broker left running, no temporary folder left behind
  "$shared/kafka-ref.sh" stop --port "$ref_port" >/dev/null 2>&1 || true
  if [[ -n "$gregor_pid" ]]; then kill -TERM "$gregor_pid" 2>/dev/null || true; wait "$gregor_pid" 2>/dev/null || true; fi
  if [[ -n "$data" ]]; then rm -rf "$data"; fi
  if [[ -z "$keep" ]]; then rm -rf "$out"; fi
}
trap cleanup EXIT

log "reference Kafka on $ref_port"
"$shared/kafka-ref.sh" start --port "$ref_port" --fresh >&2
run_java 600 256M gregorbench.WireSweep run "$ref_port" >"$out/kafka.txt" || true
"$shared/kafka-ref.sh" stop --port "$ref_port" >&2

log "Gregor on $gregor_port"
data="$(mktemp -d)"
setsid "$root/bin/gregor" start --override "listeners=PLAINTEXT://127.0.0.1:$gregor_port" \
  --override "log.dirs=$data/data" >"$data/gregor.out" 2>&1 &
gregor_pid=$!
for _ in $(seq 1 600); do grep -qs "ready on" "$data/gregor.out" && break; sleep 0.1; done
grep -q "ready on" "$data/gregor.out" || die "Gregor did not start: $(tail -5 "$data/gregor.out")"
run_java 600 256M gregorbench.WireSweep run "$gregor_port" >"$out/gregor.txt" || true
kill -TERM "$gregor_pid"; wait "$gregor_pid" || true
gregor_pid=""

run_java 60 256M gregorbench.WireSweep compare "$out/kafka.txt" "$out/gregor.txt"

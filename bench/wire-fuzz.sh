#!/usr/bin/env bash
# Damaged requests against Gregor: runs bench/java/gregorbench/WireSweep.java's requests (see wire-diff.sh) and,
# after each, N copies whose body bytes are damaged (a flipped byte, an extreme int32, a cut, a repeated run), each on
# its own connection. A damaged request may be refused, answered with an error or the connection closed; what it must
# not do is make the broker log an unexpected error, stop answering, or damage what is stored. Prints the broker's
# ERROR lines (each names the correlation id; the frame is DIR/<id>.bin) and whether it still answers. Half the copies
# are well-formed but carry extreme field values instead (see WireSweep.fuzz). Not run in CI.
#
#   bench/wire-fuzz.sh [--seed 1] [--per-request 20] [--port 19095] [--keep DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${GREGOR_SHARED_BENCH:-$root/../shared/bench}"
# shellcheck source=/dev/null
source "$shared/bench-common.sh"
# shellcheck source=bench-java.sh
source "$root/bench/bench-java.sh"

seed=1 per_request=20 port=19095 keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --per-request) per_request="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) print_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
port_open "$port" && die "port $port is in use"
[[ -f "$root/gregor-cli/target/gregor.jar" ]] || die "build Gregor first: mvn -B -q -DskipTests package -pl gregor-cli -am"

ensure_setup
use_bench_java WireSweep
out="${keep:-$(mktemp -d)}"
mkdir -p "$out"
gregor_pid=""
cleanup() {
  if [[ -n "$gregor_pid" ]]; then kill -TERM "$gregor_pid" 2>/dev/null || true; wait "$gregor_pid" 2>/dev/null || true; fi
  if [[ -z "$keep" ]]; then rm -rf "$out"; fi
}
trap cleanup EXIT

setsid "$root/bin/gregor" start --override "listeners=PLAINTEXT://127.0.0.1:$port" \
  --override "log.dirs=$out/data" >"$out/gregor.out" 2>&1 &
gregor_pid=$!
for _ in $(seq 1 600); do grep -qs "ready on" "$out/gregor.out" && break; sleep 0.1; done
grep -q "ready on" "$out/gregor.out" || die "Gregor did not start: $(tail -5 "$out/gregor.out")"
log "fuzzing Gregor on $port: seed $seed, $per_request damaged copies per request"
run_java 3600 256M gregorbench.WireSweep fuzz "$port" "$seed" "$per_request" "$out/frames" >"$out/answers.txt" 2>"$out/fuzz.err" || true
log "$(ls "$out/frames" | wc -l) damaged requests sent"
if kill -0 "$gregor_pid" 2>/dev/null && port_open "$port"; then log "Gregor still answers"; else log "GREGOR IS DOWN"; fi
grep -n " ERROR " "$out/gregor.out" | cut -c1-400 || log "no ERROR lines"

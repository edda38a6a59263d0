#!/usr/bin/env bash
# Gregor against Apache Kafka 4.4 on this machine, with the shared harness (../shared/bench).
# Builds Gregor's jar, then runs compare.sh with Gregor as the candidate on 127.0.0.1:19094,
# fresh data every round, default durability (fsync before acks=all acknowledgements), and
# group.initial.rebalance.delay.ms=0 as the reference broker is configured.
# Extra arguments go to compare.sh (e.g. --rounds 3, --acks all, --partitions 6, --records ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="${GREGOR_SHARED_BENCH:-$root/../shared/bench}"
if [ ! -x "$bench/compare.sh" ]; then
  echo "bench/compare.sh: no harness at $bench (set GREGOR_SHARED_BENCH)" >&2
  exit 1
fi
(cd "$root" && mvn -B -q -DskipTests package -pl gregor-cli -am)
# Part of installing Gregor: one start and stop records the class-data-sharing archive that
# bin/gregor uses for every later start (see bin/gregor; the next start promotes it).
# Untimed, like a package install.
train="$(mktemp -d)"
"$root/bin/gregor" start --override listeners=PLAINTEXT://127.0.0.1:0 --override log.dirs="$train/data" >"$train/out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do grep -qs "ready on" "$train/out" && break; sleep 0.1; done
# Serve a few requests so the request path's classes are in the archive too.
port="$(sed -n 's/.*ready on PLAINTEXT:\/\/[^:]*:\([0-9]*\).*/\1/p' "$train/out" | head -1)"
if [ -n "$port" ]; then
  "$root/bin/gregor" topics create cds-training -b "127.0.0.1:$port" >/dev/null 2>&1 || true
  printf 'k\tv\n' | "$root/bin/gregor" produce cds-training -b "127.0.0.1:$port" >/dev/null 2>&1 || true
  "$root/bin/gregor" consume cds-training -b "127.0.0.1:$port" --from-beginning --max-messages 1 >/dev/null 2>&1 || true
fi
kill -TERM "$pid"; wait "$pid" || true
rm -rf "$train"
data="${GREGOR_BENCH_DATA:-${TMPDIR:-/tmp}/gregor-bench-data}"
exec "$bench/compare.sh" --candidate-name gregor --candidate-port 19094 \
  --candidate-prepare "rm -rf '$data'" \
  --candidate-start "'$root/bin/gregor' start --override listeners=PLAINTEXT://127.0.0.1:19094 --override log.dirs='$data' --override group.initial.rebalance.delay.ms=0" \
  "$@"

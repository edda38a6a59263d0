#!/usr/bin/env bash
# Group workload: a group of 4 consumers draining a 12-partition topic of 2,000,000 records, and
# the time from one member's close() to the group being Stable again (Admin.describeConsumerGroups,
# polled every 5 ms; three closes, 4 -> 3 -> 2 -> 1 members). Not run in CI.
#
#   bench/group-bench.sh --bootstrap HOST:PORT [--label NAME]   one broker that is already running
#   bench/group-bench.sh --both [--rounds N]                     reference Kafka, then Gregor, one at a time
#
# --both starts the reference with ../shared/bench/kafka-ref.sh on --ref-port (19112, fresh data),
# runs, stops it; then Gregor (bin/gregor start, target/gregor.jar must be built) on --gregor-port
# (19094, fresh data in a temporary folder, group.initial.rebalance.delay.ms=0 like the
# reference), runs, stops it; --rounds N (default 1) repeats that pair N times. Then prints every
# line, and the medians over rounds with their [min..max] and gregor/reference. Recovery's figure
# per broker is the median of all its closes in all rounds.
# Options: --records N (2000000), --record-size B (100), --partitions P (12), --consumers C (4),
# --closes K (3), --group-protocol classic|consumer (classic).
# Steps per broker: TopicCommand --create, ProducerPerformance (unthrottled, acks=1) to fill,
# GroupBench (bench/java/gregorbench/GroupBench.java, compiled against $BENCH_HOME/lib),
# TopicCommand --delete. Output: one line per broker, "name drain_ms=.. join_ms=.. recovery_ms=a,b,c".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${GREGOR_SHARED_BENCH:-$root/../shared/bench}"
# shellcheck source=/dev/null
source "$shared/bench-common.sh"
# shellcheck source=bench-java.sh
source "$root/bench/bench-java.sh"

bootstrap="" label="broker" both=0 rounds=1 records=2000000 size=100 partitions=12 consumers=4 closes=3 protocol=classic
ref_port=19112 gregor_port=19094
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bootstrap) bootstrap="$2"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --both) both=1; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --record-size) size="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --consumers) consumers="$2"; shift 2 ;;
    --closes) closes="$2"; shift 2 ;;
    --group-protocol) protocol="$2"; shift 2 ;;
    --ref-port) ref_port="$2"; shift 2 ;;
    --gregor-port) gregor_port="$2"; shift 2 ;;
    -h|--help) print_usage "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -n "$bootstrap" || "$both" == 1 ]] || die "give --bootstrap HOST:PORT or --both (see --help)"

ensure_setup
use_bench_java GroupBench

# run_workload BOOTSTRAP NAME: prints "NAME drain_ms=.. join_ms=.. recovery_ms=a,b,c"
run_workload() {
  local bs="$1" name="$2" topic group out
  topic="group-bench-$(date +%s)"
  group="$topic-g"
  out="$(mktemp -d)"
  log "$name: creating $topic ($partitions partitions) and filling it with $records x $size B"
  run_java 120 256M org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --create --topic "$topic" \
    --partitions "$partitions" --replication-factor 1 >"$out/create.txt" 2>&1 || die "create failed: $(cat "$out/create.txt")"
  run_java 600 512M org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bs" --topic "$topic" \
    --num-records "$records" --record-size "$size" --throughput -1 --command-property acks=1 >"$out/produce.txt" 2>&1 ||
    die "produce failed: $(tail -5 "$out/produce.txt")"
  log "$name: $consumers consumers draining, then $closes close(s)"
  run_java 900 1G gregorbench.GroupBench "$bs" "$topic" "$records" "$consumers" "$group" "$closes" "$protocol" \
    >"$out/group.txt" 2>"$out/group.err" || die "GroupBench failed: $(tail -20 "$out/group.err")"
  run_java 120 256M org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --delete --topic "$topic" \
    >/dev/null 2>&1 || log "$name: could not delete $topic"
  local drain join rec
  drain="$(sed -n 's/.*drain_ms=\([0-9]*\).*/\1/p' "$out/group.txt")"
  join="$(sed -n 's/.*join_ms=\([0-9]*\).*/\1/p' "$out/group.txt")"
  rec="$(sed -n 's/^recovery_ms=\([0-9.]*\).*/\1/p' "$out/group.txt" | paste -sd, -)"
  rm -rf "$out"
  printf '%s drain_ms=%s join_ms=%s recovery_ms=%s\n' "$name" "$drain" "$join" "$rec"
}

if [[ "$both" == 0 ]]; then
  run_workload "$bootstrap" "$label"
  exit 0
fi

port_open "$ref_port" && die "port $ref_port is in use"
port_open "$gregor_port" && die "port $gregor_port is in use"
[[ -f "$root/gregor-cli/target/gregor.jar" ]] || die "build Gregor first: mvn -B -q -DskipTests package -pl gregor-cli -am"

[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"
lines=()
for ((round = 1; round <= rounds; round++)); do
  log "round $round of $rounds: reference"
  "$shared/kafka-ref.sh" start --port "$ref_port" --fresh >&2
  lines+=("$(run_workload "127.0.0.1:$ref_port" kafka || true)")
  "$shared/kafka-ref.sh" stop --port "$ref_port" >&2

  log "round $round of $rounds: gregor"
  data="$(mktemp -d)"
  gregor_log="$data/gregor.out"
  setsid "$root/bin/gregor" start --override "listeners=PLAINTEXT://127.0.0.1:$gregor_port" \
    --override "log.dirs=$data/data" --override group.initial.rebalance.delay.ms=0 >"$gregor_log" 2>&1 &
  gregor_pid=$!
  for _ in $(seq 1 600); do grep -qs "ready on" "$gregor_log" && break; sleep 0.1; done
  grep -q "ready on" "$gregor_log" || { kill -TERM "$gregor_pid"; die "Gregor did not start: $(tail -5 "$gregor_log")"; }
  lines+=("$(run_workload "127.0.0.1:$gregor_port" gregor || true)")
  kill -TERM "$gregor_pid"; wait "$gregor_pid" || true
  rm -rf "$data"
done

printf '%s\n' "${lines[@]}"
printf '%s\n' "${lines[@]}" | awk '
function med(arr, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] + 0 < arr[i] + 0) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
  return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2 }
function add(name, key, val) { n[name, key]++; a[name, key, n[name, key]] = val }
{ name = $1
  for (f = 2; f <= NF; f++) { split($f, kv, "="); if (kv[2] == "") continue
    if (kv[1] == "recovery_ms") { c = split(kv[2], r, ","); for (i = 1; i <= c; i++) add(name, "recovery_ms", r[i]) }
    else if (kv[1] == "drain_ms") add(name, "drain_ms", kv[2]) } }
function stat(name, key,   i, v, lo, hi, m) { m = n[name, key]; if (!m) return ""
  for (i = 1; i <= m; i++) { v[i] = a[name, key, i]; if (i == 1 || v[i] + 0 < lo) lo = v[i] + 0; if (i == 1 || v[i] + 0 > hi) hi = v[i] + 0 }
  return sprintf("%.0f [%.0f..%.0f] (n=%d)", med(v, m), lo, hi, m) }
function ratio(key,   i, v, w, m1, m2) { m1 = n["kafka", key]; m2 = n["gregor", key]; if (!m1 || !m2) return "n/a"
  for (i = 1; i <= m1; i++) v[i] = a["kafka", key, i]; for (i = 1; i <= m2; i++) w[i] = a["gregor", key, i]
  return sprintf("%.2f", med(w, m2) / med(v, m1)) }
END {
  printf "%-26s %-28s %-28s %s\n", "metric (ms, lower better)", "kafka median [min..max]", "gregor median [min..max]", "gregor/kafka"
  printf "%-26s %-28s %-28s %s\n", "drain", stat("kafka", "drain_ms"), stat("gregor", "drain_ms"), ratio("drain_ms")
  printf "%-26s %-28s %-28s %s\n", "close to Stable", stat("kafka", "recovery_ms"), stat("gregor", "recovery_ms"), ratio("recovery_ms")
}'

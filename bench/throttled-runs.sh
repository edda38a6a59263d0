#!/usr/bin/env bash
# Repeated throttled producer runs against ONE broker, for A/B work on produce latency where a
# full compare.sh is too coarse: starts Gregor (default) or the reference Kafka 4.4 with fresh
# data, creates a 6-partition topic, warms up with one unthrottled run, then prints the
# steady-state line of RUNS throttled ProducerPerformance runs (10 s each, first 30% left out,
# as perf.sh does). Compare variants by the median of runs 2..RUNS; the first run after the
# unthrottled warm-up has a worse tail on this machine's disk. For Gregor it also prints the
# broker's CPU seconds after the warm-up; --runs 0 stops there (a quick unthrottled A/B, JIT
# compilation included, so compare only runs of the same script); --threads adds the broker's
# CPU per thread (user and system seconds), to see where it goes.
#
#   bench/throttled-runs.sh [--kafka] [--runs 5] [--rate 171821] [--size 100] [--acks all]
#                           [--partitions 6] [--threads] [--unthrottled 0] [--override key=value]...
#                           [--topic-config key=value]... [--producer-config key=value]...
#
# --override goes to Gregor's start; --topic-config to the topic's creation, on either broker (e.g.
# `--kafka --topic-config flush.messages=1`: Kafka fsyncing every append, durable as Gregor's default);
# --producer-config to every ProducerPerformance run (e.g. `compression.type=lz4`).
#
# --unthrottled N runs N more unthrottled runs after the warm-up (JIT compiled by then) and prints
# each one's throughput and, for Gregor, the broker CPU seconds it took: the quick A/B of throughput.
#
# GREGOR_JAVA_OPTS is passed on to bin/gregor (e.g. to try JVM flags); BROKER_LOG=file keeps Gregor's log. Uses ../shared/bench
# (GREGOR_SHARED_BENCH) for the Kafka tools and the reference broker; ports 19094 / 19092.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="${GREGOR_SHARED_BENCH:-$root/../shared/bench}"
home="${BENCH_HOME:-$HOME/.cache/gregor-bench}"
target=gregor threads="" unthrottled=0 runs=5 rate=171821 size=100 acks=all partitions=6
overrides=()
topic_configs=()
producer_configs=()
while (($#)); do
  case "$1" in
    --kafka) target=kafka ;;
    --threads) threads=yes ;;
    --runs) runs="$2"; shift ;;
    --unthrottled) unthrottled="$2"; shift ;;
    --rate) rate="$2"; shift ;;
    --size) size="$2"; shift ;;
    --acks) acks="$2"; shift ;;
    --partitions) partitions="$2"; shift ;;
    --override) overrides+=(--override "$2"); shift ;;
    --topic-config) topic_configs+=(--config "$2"); shift ;;
    --producer-config) producer_configs+=("$2"); shift ;;
    *) echo "throttled-runs.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
"$bench/setup.sh" >"${TMPDIR:-/tmp}/throttled-runs-setup.log" 2>&1 ||
  { cat "${TMPDIR:-/tmp}/throttled-runs-setup.log" >&2; exit 1; }
tools=(java -Xmx512M -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Duser.language=en -Duser.country=US
  "-Dlog4j2.configurationFile=$bench/conf/log4j2-tools.properties" -cp "$home/classes:$home/lib/*")
data="$(mktemp -d)"
stop() {
  if [ "$target" = gregor ]; then
    if [ -n "${pid:-}" ]; then kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    if [ -n "${BROKER_LOG:-}" ] && [ -f "$data/broker.out" ]; then cp "$data/broker.out" "$BROKER_LOG"; fi
  else
    "$bench/kafka-ref.sh" stop >/dev/null 2>&1 || true
  fi
  rm -rf "$data"
}
trap stop EXIT
if [ "$target" = gregor ]; then
  # GREGOR_BENCH_NO_BUILD=1 keeps the jar as it is: a rebuilt jar makes the next start record a new
  # class-data-sharing archive, and a JVM dumping one refuses agents (a profiler attached with jcmd).
  if [ -z "${GREGOR_BENCH_NO_BUILD:-}" ]; then (cd "$root" && mvn -B -q -DskipTests package -pl gregor-cli -am); fi
  port=19094
  setsid "$root/bin/gregor" start --override "listeners=PLAINTEXT://127.0.0.1:$port" \
    --override "log.dirs=$data/gregor" "${overrides[@]}" >"$data/broker.out" 2>&1 &
  pid=$!
  for _ in $(seq 300); do grep -qs "ready on" "$data/broker.out" && break; sleep 0.1; done
  grep -q "ready on" "$data/broker.out" || { cat "$data/broker.out" >&2; exit 1; }
else
  port=19092
  "$bench/kafka-ref.sh" start --fresh >/dev/null
fi
bootstrap="127.0.0.1:$port"
"${tools[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create --topic throttled \
  --partitions "$partitions" --replication-factor 1 "${topic_configs[@]}" >/dev/null
per_thread() {
  # Per thread (name as the kernel keeps it, 15 characters): user and system CPU seconds.
  for t in /proc/"$broker"/task/*; do cat "$t/stat"; echo; done |
    awk -v hz="$(getconf CLK_TCK)" 'NF {
        name = substr($0, index($0, "(") + 1); name = substr(name, 1, length(name) - length(strrchr(name)))
        split(substr($0, length($0) - length(strrchr($0)) + 3), f, " ")
        u[name] += f[12] / hz; s[name] += f[13] / hz }
      function strrchr(x,  i) { i = match(x, /\)[^)]*$/); return substr(x, i) }
      END { for (n in u) if (u[n] + s[n] >= 0.1) printf "  %-16s user %5.1f s  sys %5.1f s\n", n, u[n], s[n] }' |
    sort -k5,5 -rn
}
"${tools[@]}" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bootstrap" --topic throttled \
  --num-records 1500000 --record-size "$size" --throughput -1 --command-property "acks=$acks" "${producer_configs[@]}" | tail -1 |
  sed 's/^/warm-up (unthrottled): /'
if [ "$target" = gregor ]; then
  broker="$(pgrep -f -- "log.dirs=$data/gregor" | tail -1)"
  echo "broker CPU after warm-up: $(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f s", ($14 + $15) / hz}' "/proc/$broker/stat")"
  if [ -n "$threads" ]; then per_thread; fi
fi
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$broker/stat"; }
# Whole machine, CPU seconds: busy (user, nice, system, irq, softirq) and iowait, from /proc/stat.
machine() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {printf "%.1f %.1f", ($2 + $3 + $4 + $7 + $8) / hz, $6 / hz}' /proc/stat; }
for run in $(seq "$unthrottled"); do
  before="$([ "$target" = gregor ] && cpu || echo 0)"
  machine_before="$(machine)"
  line="$("${tools[@]}" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bootstrap" --topic throttled \
    --num-records 1500000 --record-size "$size" --throughput -1 --command-property "acks=$acks" "${producer_configs[@]}" | tail -1)"
  used=""
  if [ "$target" = gregor ]; then used="$(awk -v a="$before" -v b="$(cpu)" 'BEGIN { printf ", broker CPU %.1f s", b - a }')"; fi
  used="$used$(echo "$machine_before $(machine)" | awk '{printf ", machine busy %.1f s, iowait %.1f s", $3 - $1, $4 - $2}')"
  echo "unthrottled $run: $(echo "$line" | sed 's/.*sent, \([0-9]*\)[.0-9]* records\/sec.*/\1 records\/s/')$used"
done
if [ "$unthrottled" -gt 0 ] && [ "$target" = gregor ] && [ -n "$threads" ]; then echo "after the unthrottled runs:"; per_thread; fi
records=$((rate * 10))
for run in $(seq "$runs"); do
  line="$("${tools[@]}" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bootstrap" \
    --topic throttled --num-records "$records" --record-size "$size" --throughput "$rate" \
    --warmup-records $((records * 3 / 10)) --command-property "acks=$acks" "${producer_configs[@]}" | grep "steady state records sent")"
  echo "run $run: ${line#*sec), }"
done

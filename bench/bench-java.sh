# Sourced by the bench scripts after ../shared/bench/bench-common.sh.
# use_bench_java NAME: compiles bench/java/gregorbench/NAME.java against Kafka's jars ($BENCH_LIB)
# into $BENCH_HOME, when missing or older than its source, and puts it on BENCH_CLASSES for run_java.
use_bench_java() {
  local name="$1" classes src
  classes="$BENCH_HOME/bench-java-classes/$name"
  src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/java/gregorbench/$name.java"
  if [[ ! -f "$classes/gregorbench/$name.class" || "$src" -nt "$classes/gregorbench/$name.class" ]]; then
    mkdir -p "$classes"
    "$(dirname "$(java_bin)")/javac" -nowarn --release 17 -d "$classes" -cp "$BENCH_LIB/*" "$src"
  fi
  BENCH_CLASSES="$classes:$BENCH_CLASSES"
}

#!/usr/bin/env bash
# Runs every benchmark once (about 15 minutes on 2 cores) and prints the overhead report, which
# exits 1 when a target is missed.
# Extra arguments go to JMH, for example a benchmark filter: benchmarks/run.sh SideBySideBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl benchmarks -am package -DskipTests
java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc \
  -rf json -rff benchmarks/target/results.json "$@"
java -cp benchmarks/target/benchmarks.jar dev.sessionware.benchmarks.OverheadReport benchmarks/target/results.json

#!/usr/bin/env bash
# Clustering with neighbours from the graph index (semblance-graph) against the exact scan: the
# 4,992 lfw-dev faces among distractors, BCubed F on the real faces per half of the people, and
# the time. Exact and index at SMALL faces, the index alone at LARGE (the exact scan of a million
# faces is projected at over an hour here). Needs the CLI and the benchmarks jar.
#
#   benchmarks/graph/cluster-graph.sh [SMALL] [LARGE]      # default 100000 1000000
#   SEMBLANCE_JAVA_OPTS=-XX:+UseTransparentHugePages benchmarks/graph/cluster-graph.sh   # as measured last
set -euo pipefail
SMALL=${1:-100000}
LARGE=${2:-1000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${SEMBLANCE_GRAPH_DIR:-${TMPDIR:-/tmp}/semblance-graph}
jar=$root/benchmarks/target/benchmarks.jar
mkdir -p "$work"
[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
if [ ! -f "$work/lfw.tsv" ]; then
  "$root/bin/semblance" embed --one-per-image --out="$work/lfw.tsv.part" "$root/../shared/data/lfw-dev/images" >&2
  mv "$work/lfw.tsv.part" "$work/lfw.tsv"
fi
run() {
  java -Xmx16g ${SEMBLANCE_JAVA_OPTS:-} --add-modules jdk.incubator.vector -cp "$jar" \
    dev.semblance.benchmarks.ClusterComparison "$work/lfw.tsv" "$1" "$2" 2>/dev/null
}
{
  echo "machine $(nproc)_cpus_$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs | tr ' ' '_') java_$(java -version 2>&1 | head -1 | cut -d'"' -f2)"
  run "$SMALL" exact
  run "$SMALL" index
  run "$LARGE" index
} | tee "$work/cluster-results.txt"

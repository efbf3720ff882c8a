#!/usr/bin/env bash
# The graph gallery (semblance-graph) side by side with exact search and with FAISS's
# IndexHNSWFlat and IndexIVFPQ, in one run on one machine, on the same face-like vectors: the
# lfw-dev embeddings of the bundled models (semblance embed, made once) and distractors built from
# them, N in all. Search parameters are chosen on one half of the people and reported once on the
# other. Prints every figure; needs the CLI and the benchmarks jar (mvn -B -q -DskipTests package).
# SEMBLANCE_JAVA_OPTS is passed to the JVM (-XX:+UseTransparentHugePages); with RESUME=1 a graph
# build (or, past 2M, FAISS's HNSW build) that a killed run left is continued; SKIP=java or SKIP=faiss runs only the other half (at
# 10M each half takes hours: the Java half's files stay in the work folder for FAISS's);
# FAISS_INDEXES=ivfpq (or hnsw) builds only that one of FAISS's two.
#
#   benchmarks/graph/compare-graph.sh [N] [DEGREE] [BUILD_WIDTH]      # default 1000000 32 100
set -euo pipefail
N=${1:-1000000}
DEGREE=${2:-32}
BUILD_WIDTH=${3:-100}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${SEMBLANCE_GRAPH_DIR:-${TMPDIR:-/tmp}/semblance-graph}
jar=$root/benchmarks/target/benchmarks.jar
data=$root/../shared/data/lfw-dev/images
mkdir -p "$work/$N"

[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
py=/usr/bin/python3
# OpenBLAS too: without it FAISS's k-means and flat search use the reference BLAS, one thread at
# about a twentieth of the speed (IVF training at 10M ran for half an hour on one core).
if ! "$py" -c 'import faiss' 2>/dev/null || ! ldconfig -p | grep -q libopenblas.so.0; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq python3-faiss libopenblas0-pthread >/dev/null
fi
if [ ! -f "$work/lfw.tsv" ]; then
  "$root/bin/semblance" embed --one-per-image --out="$work/lfw.tsv.part" "$data" >&2
  mv "$work/lfw.tsv.part" "$work/lfw.tsv"
fi

# 10M: 5 GB of bytes, 4 GB of edges out, 1.4 GB of edges in, the identity table; 20 GB at most,
# as the machine has 24.
heap=$(( N / 1000000 * 16 / 10 + 5 ))
heap=$(( heap > 20 ? 20 : heap ))
results=$work/$N/results${SKIP:+-without-$SKIP}.txt
{
  echo "machine $(nproc)_cpus_$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs | tr ' ' '_') java_$(java -version 2>&1 | head -1 | cut -d'"' -f2)"
  if [ "${SKIP:-}" != java ]; then
    # shellcheck disable=SC2086
    java -Xmx${heap}g ${SEMBLANCE_JAVA_OPTS:-} --add-modules jdk.incubator.vector -cp "$jar" \
      dev.semblance.benchmarks.GraphComparison "$work/lfw.tsv" "$work/$N" "$N" "$DEGREE" "$BUILD_WIDTH" \
      ${RESUME:+resume} 2>/dev/null
  fi
  if [ "${SKIP:-}" != faiss ]; then
    "$py" -u "$root/benchmarks/graph/faiss_graph.py" "$work/$N" "$N" 512 ${RESUME:+resume}
  fi
} | tee "$results"
echo "figures in $results" >&2

#!/usr/bin/env bash
# Semblance's exact search side by side with its peers, in one run on one machine, on the same
# random unit vectors (fixed seed): FAISS IndexFlatIP (Debian's python3-faiss with multithreaded
# OpenBLAS) and a C program that only streams the gallery through a dot product (the memory-
# bandwidth floor). Prints the timings and the ratios; needs the benchmarks jar (mvn package).
#
#   benchmarks/compare-peers.sh [N] [D]        # default 1000000 512
set -euo pipefail
N=${1:-1000000}
D=${2:-512}
SEED=20261128
root=$(cd "$(dirname "$0")/.." && pwd)
work=${SEMBLANCE_PEERS_DIR:-${TMPDIR:-/tmp}/semblance-peers}/$N-$D
jar=$root/benchmarks/target/benchmarks.jar
mkdir -p "$work"

[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
# Debian's faiss is built for Debian's Python, which may not be the first python3 on the PATH.
py=/usr/bin/python3
if ! "$py" -c 'import faiss' 2>/dev/null || ! ldconfig -p | grep -q libopenblas.so.0; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq python3-faiss libopenblas0-pthread >/dev/null
fi

if [ ! -f "$work/gallery.f32" ]; then
  echo "generating $N x $D unit vectors (seed $SEED) in $work" >&2
  "$py" - "$work" "$N" "$D" "$SEED" <<'PY'
import sys
import numpy as np
folder, n, d, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)
with open(f"{folder}/gallery.f32.part", "wb") as out:
    for start in range(0, n, 65536):
        x = rng.standard_normal((min(65536, n - start), d), dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        x.tofile(out)
q = rng.standard_normal((64, d), dtype=np.float32)
q /= np.linalg.norm(q, axis=1, keepdims=True)
q.tofile(f"{folder}/queries.f32")
PY
  mv "$work/gallery.f32.part" "$work/gallery.f32"
fi

gcc -O3 -march=native -fopenmp "$root/benchmarks/peers/floor.c" -o "$work/floor" -lm
results=$work/results.txt
{
  echo "machine $(nproc)_cpus_$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs | tr ' ' '_')"
  "$work/floor" "$work/gallery.f32" "$work/queries.f32" "$N" "$D"
  "$py" "$root/benchmarks/peers/faiss_peer.py" "$work" "$N" "$D"
  java -Xmx12g --add-modules jdk.incubator.vector -cp "$jar" dev.semblance.benchmarks.PeerComparison \
    "$work" "$N" "$D" 2>/dev/null
  # The floor again: this VM's bandwidth drifts by tens of percent within minutes.
  "$work/floor" "$work/gallery.f32" "$work/queries.f32" "$N" "$D" | sed -n 's/^floor_f32_single_ms/floor_after_f32_single_ms/p'
} | tee "$results"

"$py" - "$work" <<'PY'
import sys
folder = sys.argv[1]
v = {}
for line in open(f"{folder}/results.txt"):
    key, _, value = line.strip().partition(" ")
    v[key] = value
f = {k: float(x) for k, x in v.items() if k.endswith("_ms")}
def recall(name):
    ours = [line.split() for line in open(f"{folder}/semblance-{name}.ids")]
    theirs = [line.split() for line in open(f"{folder}/faiss.ids")]
    hits = sum(len(set(a) & set(b)) for a, b in zip(ours, theirs))
    return hits / sum(len(b) for b in theirs)
print()
floor = (f['floor_f32_single_ms'] + f['floor_after_f32_single_ms']) / 2
print(f"single query, float32: Semblance {f['semblance_float32_single_ms']:.1f} ms, floor "
      f"{f['floor_f32_single_ms']:.1f} ms before and {f['floor_after_f32_single_ms']:.1f} ms after -> "
      f"{f['semblance_float32_single_ms'] / floor:.2f}x their mean (goal <= 1.25)")
print(f"single query vs FAISS: {f['faiss_single_ms'] / f['semblance_float32_single_ms']:.2f}x faster")
print(f"int8 single query: {f['semblance_float32_single_ms'] / f['semblance_int8_single_ms']:.2f}x faster than float32 "
      f"(goal >= 2.5); int8 floor {f['floor_i8_single_ms']:.1f} ms")
print(f"float16 single query: {f['semblance_float32_single_ms'] / f['semblance_float16_single_ms']:.2f}x faster than float32")
for s in ("float32", "float16", "int8"):
    print(f"batch of 64, {s}: Semblance {f[f'semblance_{s}_batch64_ms']:.1f} ms, FAISS {f['faiss_batch64_ms']:.1f} ms -> "
          f"{f['faiss_batch64_ms'] / f[f'semblance_{s}_batch64_ms']:.2f}x FAISS's throughput (goal >= 2); "
          f"recall@10 vs FAISS {recall(s):.4f}")
PY

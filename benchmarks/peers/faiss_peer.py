"""FAISS's half of compare-peers.sh: exact inner-product search with IndexFlatIP on the same data.

python3 faiss_peer.py DIR N D  -> "key value" lines, and DIR/faiss.ids (top-10 of the 64 probes).
"""
import sys
import time

import faiss
import numpy as np

K, SINGLE, BATCH = 10, 20, 64


def main():
    folder, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x = np.fromfile(f"{folder}/gallery.f32", dtype=np.float32, count=n * d).reshape(n, d)
    q = np.fromfile(f"{folder}/queries.f32", dtype=np.float32, count=BATCH * d).reshape(BATCH, d)
    index = faiss.IndexFlatIP(d)
    index.add(x)
    for i in range(3):
        index.search(q[i:i + 1], K)
        index.search(q, K)
    single = []
    for i in range(SINGLE):
        t0 = time.perf_counter()
        index.search(q[i % BATCH:i % BATCH + 1], K)
        single.append((time.perf_counter() - t0) * 1e3)
    batch = []
    for _ in range(5):
        t0 = time.perf_counter()
        _, ids = index.search(q, K)
        batch.append((time.perf_counter() - t0) * 1e3)
    print(f"faiss_version {faiss.__version__}")
    print(f"faiss_threads {faiss.omp_get_max_threads()}")
    print(f"faiss_single_ms {np.median(single):.3f}")
    print(f"faiss_batch64_ms {np.median(batch):.3f}")
    with open(f"{folder}/faiss.ids", "w") as out:
        for row in ids:
            out.write(" ".join(str(i) for i in row) + "\n")


if __name__ == "__main__":
    main()

"""FAISS's half of benchmarks/graph/compare-graph.sh: IndexHNSWFlat and IndexIVFPQ on the files
GraphComparison wrote (gallery.f32, probes.f32, probes.tsv, truth.i32), with the search parameter
chosen on the first half of the people (the narrowest reaching recall@10 0.99 with every rank-1
equal to exact search's) and reported once on the second. Prints key value lines. FAISS_INDEXES
(default "hnsw ivfpq") names the indexes to build, in that order: at 10M each takes hours.

    python3 faiss_graph.py DIR N D [resume]
"""
import os
import resource
import sys
import time

import faiss
import numpy as np

folder, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
resume = sys.argv[4:] == ["resume"]
K = 10
gallery = np.memmap(f"{folder}/gallery.f32", dtype=np.float32, mode="r", shape=(n, d))
probes = np.fromfile(f"{folder}/probes.f32", dtype=np.float32).reshape(-1, d)
halves = np.array([int(line.split("\t")[0]) for line in open(f"{folder}/probes.tsv")])
truth = np.fromfile(f"{folder}/truth.i32", dtype="<i4").reshape(-1, K)


def rss_mb():
    """The process's anonymous resident memory now: the index, not the pages of the mapped
    gallery.f32 it was built from (which a peak RSS counts, 20 GB at 10M)."""
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def agreement(found, half):
    rows = np.where(halves == half)[0]
    recall = np.mean([len(set(found[r]) & set(truth[r])) / K for r in rows])
    rank1 = int(np.sum(found[rows, 0] != truth[rows, 0]))
    return recall, rank1, len(rows)


def timings(name, index, half=1):
    report = probes[halves == half]
    faiss.omp_set_num_threads(1)
    index.search(report[:50], K)
    times = []
    for q in report:
        t = time.perf_counter()
        index.search(q[None, :], K)
        times.append(time.perf_counter() - t)
    faiss.omp_set_num_threads(0 or faiss.omp_get_max_threads())
    times = np.sort(times) * 1e3
    print(f"{name}_single_ms p50 {times[len(times) // 2]:.2f} p95 {times[len(times) * 95 // 100]:.2f} ({len(times)} probes)")
    batches = len(report) // 64
    t = time.perf_counter()
    for b in range(batches):
        index.search(report[b * 64:(b + 1) * 64], K)
    print(f"{name}_batch64_probes_per_s {batches * 64 / (time.perf_counter() - t):.0f}")


def choose(name, index, setter, values):
    for v in values:
        setter(v)
        _, found = index.search(probes, K)
        recall, rank1, count = agreement(found, 0)
        print(f"{name}_param {v} choose_recall10 {recall:.4f} choose_rank1_differs {rank1} of {count}")
        timings(f"{name}_param_{v}_choose", index, 0)
        if recall >= 0.99 and rank1 == 0:
            recall, rank1, count = agreement(found, 1)
            print(f"report {name}_param {v} recall10 {recall:.4f} rank1_differs {rank1} of {count}")
            timings(f"report_{name}", index)
            return
    print(f"report {name}_param none of {values} agreed")


def hnsw_run():
    base = rss_mb()
    # A build of hours (10M) is saved every million rows and, with "resume", continued from there; the
    # build time printed is the sum of the runs' adding, saving not counted.
    saved, seconds_file = f"{folder}/faiss-hnsw.index", f"{folder}/faiss-hnsw.seconds"
    checkpoints = n > 2_000_000
    # Past 2M the float32 vectors (8 GB and more) no longer fit beside the rest: HNSW keeps bytes, one
    # per dimension, as the graph gallery's walk does (no float32 copy to re-rank on then).
    kind = "8-bit" if checkpoints else "float32"
    if resume and checkpoints and os.path.exists(saved):
        hnsw = faiss.read_index(saved)
        spent = float(open(seconds_file).read())
        print(f"faiss_hnsw_resumed_at {hnsw.ntotal}")
    else:
        spent = 0.0
        t = time.perf_counter()
        if not checkpoints:
            hnsw = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        else:
            hnsw = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, 32, faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(20261206).choice(n, 200_000, replace=False)
            hnsw.train(np.ascontiguousarray(gallery[np.sort(sample)]))
        hnsw.hnsw.efConstruction = 100
        spent += time.perf_counter() - t
    t = time.perf_counter()
    for start in range(hnsw.ntotal, n, 100_000):
        hnsw.add(np.ascontiguousarray(gallery[start:start + 100_000]))
        if checkpoints and hnsw.ntotal % 1_000_000 == 0 and hnsw.ntotal < n:
            spent += time.perf_counter() - t
            faiss.write_index(hnsw, saved + ".part")
            os.replace(saved + ".part", saved)
            with open(seconds_file, "w") as out:
                out.write(str(spent))
            print(f"faiss_hnsw_checkpoint {hnsw.ntotal} rows at {spent:.1f} s")
            t = time.perf_counter()
    spent += time.perf_counter() - t
    print(f"faiss_hnsw_build_s {spent:.1f} (M 32, efConstruction 100, {kind} vectors, {threads} threads)")
    print(f"faiss_hnsw_rss_mb {rss_mb() - base}")
    choose("faiss_hnsw", hnsw, lambda v: setattr(hnsw.hnsw, "efSearch", v), [100, 200, 400, 800, 1600, 3200])
    del hnsw


def ivfpq_run():
    nlist = max(256, int(4 * np.sqrt(n)))
    base = rss_mb()
    t = time.perf_counter()
    quantizer = faiss.IndexFlatIP(d)
    ivfpq = faiss.IndexIVFPQ(quantizer, d, nlist, 64, 8, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(20261206)
    sample = np.ascontiguousarray(gallery[np.sort(rng.choice(n, min(n, 100 * nlist), replace=False))])
    ivfpq.train(sample)
    # The same index with its shortlist of 400 re-ranked on the float32 vectors, as Semblance re-ranks
    # (only where the float32 copy fits in memory beside everything else).
    refined = faiss.IndexRefineFlat(ivfpq) if n <= 2_000_000 else None
    for start in range(0, n, 100_000):
        (refined or ivfpq).add(np.ascontiguousarray(gallery[start:start + 100_000]))
    print(f"faiss_ivfpq_build_s {time.perf_counter() - t:.1f} (nlist {nlist}, 64 x 8 bits, trained on {len(sample)}; float32 copy added too: {refined is not None})")
    print(f"faiss_ivfpq_rss_mb {rss_mb() - base}")
    choose("faiss_ivfpq", ivfpq, lambda v: setattr(ivfpq, "nprobe", v), [16, 64, 256])
    if refined is not None:
        refined.k_factor = 40
        print("faiss_ivfpq_refine: shortlist of 400 re-ranked on float32 (rss above includes the copy)")
        choose("faiss_ivfpq_refine", refined, lambda v: setattr(ivfpq, "nprobe", v), [16, 32, 64, 128, 256, 512])


threads = faiss.omp_get_max_threads()
for name in os.environ.get("FAISS_INDEXES", "hnsw ivfpq").split():
    {"hnsw": hnsw_run, "ivfpq": ivfpq_run}[name]()

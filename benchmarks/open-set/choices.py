#!/usr/bin/env python3
"""The two choices behind Gallery.calibrateThreshold(), made on LFW DevTrain only.

DevTrain's people are split in two halves by a hash of their names: half A fits the synthetic
identities, half B is enrolled (first photo), searched (other photos) and supplies the strangers
(people with one photo). Prints
  1. for each synthetic generator, how similar a real stranger of B finds the synthetic identities,
     against how similar they find each other (a self-search of a synthetic-filled gallery measures
     the second, its strangers meet the first);
  2. for each way of reading the threshold off the self-search, the FPIR it gives on B's real
     strangers and its FNIR against the oracle threshold, at 1k to 1M identities.

Input: the table of `semblance embed --one-per-image` over lfw-dev/images. Needs numpy.
Usage: choices.py EMBEDDINGS.tsv LFW_DEV_DIR [MAX_IDENTITIES]
"""
import math
import os
import sys
import zlib

import numpy as np


def people_of(pairs_file):
    names = set()
    for line in open(pairs_file).read().splitlines()[1:]:
        v = line.split('\t')
        names.add(v[0])
        if len(v) == 4:
            names.add(v[2])
    return names


def load(table):
    paths, rows = [], []
    for line in open(table):
        v = line.rstrip('\n').split('\t')
        if v[0] == 'path' or len(v) < 20 or v[8] == '':
            continue
        paths.append(v[0])
        rows.append(np.array(v[-512:], dtype=np.float32))
    x = np.array(rows)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.array([os.path.basename(os.path.dirname(p)) for p in paths]), x


def best_other(probes, gallery, exclude=None, chunk=50000):
    """Best similarity of each probe over the gallery (skipping row exclude[i] for probe i)."""
    best = np.full(len(probes), -2, np.float32)
    where = np.zeros(len(probes), int)
    for s in range(0, len(gallery), chunk):
        sims = probes @ gallery[s:s + chunk].T
        if exclude is not None:
            r = np.where((exclude >= s) & (exclude < s + chunk))[0]
            sims[r, exclude[r] - s] = -2
        a = sims.argmax(1)
        v = sims[np.arange(len(probes)), a]
        better = v > best
        best[better], where[better] = v[better], a[better] + s
    return best, where


def gaussian(fit, clusters, rng, shrink=0.5):
    """Sampler of unit vectors from a Gaussian (clusters=1) or a k-means mixture fitted to fit."""
    assign = np.zeros(len(fit), int)
    if clusters > 1:
        centres = fit[rng.choice(len(fit), clusters, replace=False)]
        for _ in range(30):
            assign = np.argmax(fit @ centres.T, axis=1)
            centres = np.array([fit[assign == j].mean(0) if (assign == j).any() else centres[j]
                                for j in range(clusters)])
    overall = np.cov(fit.T)
    parts = []
    for j in range(clusters):
        members = fit[assign == j]
        if len(members) < 2:
            continue
        cov = overall if clusters == 1 else (1 - shrink) * np.cov(members.T) + shrink * overall
        parts.append((len(members), members.mean(0),
                      np.linalg.cholesky(cov + 1e-6 * np.eye(fit.shape[1])).astype(np.float32)))
    weights = np.array([p[0] for p in parts], float)
    weights /= weights.sum()

    def sample(n, seed):
        r = np.random.default_rng(seed)
        which = r.choice(len(parts), n, p=weights)
        out = np.empty((n, fit.shape[1]), np.float32)
        for j, (_, mean, chol) in enumerate(parts):
            m = which == j
            out[m] = mean + r.standard_normal((m.sum(), fit.shape[1])).astype(np.float32) @ chol.T
        return out / np.linalg.norm(out, axis=1, keepdims=True)
    return sample


def wilson_high(hits, n, z=1.6448536269514722):
    p = hits / n
    return (p + z * z / (2 * n) + z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def main():
    table, lfw = sys.argv[1], sys.argv[2]
    largest = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    person, x = load(table)
    train = sorted(people_of(os.path.join(lfw, 'pairsDevTrain.txt')))
    half_a = {p for p in train if zlib.crc32(p.encode()) % 2 == 0}
    half_b = set(train) - half_a
    fit = x[np.isin(person, list(half_a))]
    photos = {}
    for i, p in enumerate(person):
        if p in half_b:
            photos.setdefault(p, []).append(i)
    enrolled = sorted(p for p in photos if len(photos[p]) > 1)
    gallery = x[[photos[p][0] for p in enrolled]]
    mated = np.array([i for p in enrolled for i in photos[p][1:]])
    mate = np.array([k for k, p in enumerate(enrolled) for _ in photos[p][1:]])
    strangers = x[[photos[p][0] for p in photos if len(photos[p]) == 1]]
    firsts = x[[photos[p][0] for p in photos]]
    print(f'DevTrain half A: {len(fit)} photos fit the generators; half B: {len(enrolled)} enrolled, '
          f'{len(mated)} mated searches, {len(strangers)} strangers')

    print('\n1. Best similarity (median / 99th percentile) over n synthetic identities')
    n = 20 * 1000
    for name, clusters in [('Gaussian', 1), ('30-cluster mixture, covariances shrunk halfway', 30)]:
        synthetic = gaussian(fit, clusters, np.random.default_rng(1))(n, 4)
        stranger, _ = best_other(firsts, synthetic)
        among, _ = best_other(synthetic[:2000], synthetic, np.arange(2000))
        print(f'   {name}, n={n}: real strangers {np.median(stranger):.3f} / '
              f'{np.quantile(stranger, .99):.3f}; synthetic among themselves '
              f'{np.median(among):.3f} / {np.quantile(among, .99):.3f}')

    print('\n2. Threshold for a 1% target from 5,000 self-searches, on half B filled with '
          'Gaussian identities')
    fill = gaussian(fit, 1, np.random.default_rng(1))(largest, 7)
    rng = np.random.default_rng(3)
    for size in [1000, 10_000, 100_000, 1_000_000]:
        if size > largest:
            continue
        g = np.vstack([gallery, fill[:size - len(gallery)]])
        best, where = best_other(x[mated], g)
        found = where == mate
        stranger, _ = best_other(strangers, g)
        sample = rng.choice(len(g), min(5000, len(g)), replace=False)
        own, _ = best_other(g[sample], g, sample)
        own = np.sort(own)
        m = len(own)
        oracle = np.sort(stranger)[len(stranger) - 1 - len(stranger) // 100]
        point = own[m - 1 - int(0.01 * m)]
        allowed = int(0.01 * m)
        while allowed > 0 and wilson_high(allowed, m) > 0.01:
            allowed -= 1
        vouched = own[m - 1 - allowed]
        def rates(t):
            return f'{t:.4f}: FPIR {np.mean(stranger >= t):.2%}, FNIR {1 - np.mean(found & (best >= t)):.2%}'
        print(f'   {size:>9,}: oracle {rates(oracle)} | point estimate {rates(point)} | '
              f'90% upper bound {rates(vouched)}')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Checks a calibration's impostor-tail model on people held out of it.

Reads the tail model and its bootstrap replicates from a calibration file (format 2), and scores
every pair of the images of the people of a pairs file (LFW pairsDevTest: people apart from
DevTrain's). For each target FAR it prints the modelled threshold with its 90% bootstrap interval,
the FAR observed on those pairs and the TAR.

Input: the table of `semblance embed --one-per-image` over lfw-dev/images. Needs numpy.
Usage: tail-check.py EMBEDDINGS.tsv CALIBRATION PAIRS_FILE
"""
import sys

import numpy as np

from choices import load, people_of


def threshold(far, u, rate, sigma, xi):
    return u + sigma / xi * ((rate / far) ** xi - 1)


def main():
    table, calibration, pairs = sys.argv[1:4]
    lines = open(calibration).read().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith('tail '))
    fit = [float(v) for v in lines[at].split()[1:]]
    replicates = [[float(v) for v in line.split()] for line in lines[at + 2:]]
    person, x = load(table)
    held_out = np.isin(person, list(people_of(pairs)))
    x, person = x[held_out], person[held_out]
    upper = np.triu_indices(len(x), 1)
    scores = (x @ x.T)[upper]
    same = person[upper[0]] == person[upper[1]]
    impostor, genuine = scores[~same], scores[same]
    print(f'{len(impostor)} impostor and {len(genuine)} genuine pairs of people held out')
    for far in [1e-5, 3e-6, 1e-6, 1e-7, 1e-8]:
        t = threshold(far, *fit)
        spread = np.sort([threshold(far, *r) for r in replicates])
        low, high = spread[int(0.05 * (len(spread) - 1))], spread[int(np.ceil(0.95 * (len(spread) - 1)))]
        print(f'FAR {far:.0e}: modelled {t:.4f} ({low:.4f}-{high:.4f}); observed FAR '
              f'{np.mean(impostor >= t):.2e} ({np.sum(impostor >= t)} pairs), TAR {np.mean(genuine >= t):.2%}')


if __name__ == '__main__':
    main()

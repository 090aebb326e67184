#!/usr/bin/env python3
"""Calibrates the "strong match" threshold (claimdesk_match::STRONG_COSINE):
the cosine above which the queue says a claim was "checked before".

By 5-fold cross-validation on the CLEF 2020 CheckThat! 2A *training* pairs
only. Each training tweet is scored twice against the library's claim
vectors: once as it is (its fact-check present: a hit is the closest item
being that fact-check with a cosine at or above the threshold), and once
with its fact-check(s) removed from the library (as for a claim nobody has
checked: a false alarm is any closest item at or above the threshold).
Inside each fold the threshold is the lowest on a 0.01 grid whose false
alarm rate on the other four folds is at most 5 %; the held-out fold gives
the figures. Dev is scored once with the threshold train chose.

Vectors come from `cargo run --release -p claimdesk-embed --example
embed_tsv` (the same files tools/matching_cv.py reads):

    python3 tools/strong_match_cv.py DATA_DIR VECTOR_DIR
"""
import sys
from pathlib import Path

import numpy as np

from matching_cv import read_tsv  # the same row splitting as the vectors

MAX_FALSE_ALARMS = 0.05


def read_qrels(path):
    out = {}
    for line in open(path):
        parts = line.split()
        out.setdefault(parts[0], set()).add(parts[2])
    return out


def scores(data, vecs, split, V, index_of):
    q = read_tsv(data / f"{split}_queries.tsv")
    qrels = read_qrels(data / f"{split}.qrels")
    Q = np.fromfile(vecs / f"q_{split}.f32", dtype=np.float32).reshape(-1, 384)
    present, absent, correct = [], [], []
    for i, row in enumerate(q):
        gold = {index_of[g] for g in qrels.get(row[0], ()) if g in index_of}
        if not gold:
            continue
        cos = V @ Q[i]
        best = int(np.argmax(cos))
        present.append(float(cos[best]))
        correct.append(best in gold)
        cos[list(gold)] = -1.0
        absent.append(float(cos.max()))
    return np.array(present), np.array(correct), np.array(absent)


def rates(t, present, correct, absent):
    hits = float(np.mean((present >= t) & correct))
    wrong = float(np.mean((present >= t) & ~correct))
    alarms = float(np.mean(absent >= t))
    return hits, wrong, alarms


def main():
    data, vecs = Path(sys.argv[1]), Path(sys.argv[2])
    vc = read_tsv(data / "verified_claims.tsv")
    index_of = {r[0]: i for i, r in enumerate(vc)}
    V = np.fromfile(vecs / "vc_claim.f32", dtype=np.float32).reshape(-1, 384)
    present, correct, absent = scores(data, vecs, "train", V, index_of)
    grid = np.round(np.arange(0.40, 0.96, 0.01), 2)
    n = len(present)
    folds = [np.arange(n)[k::5] for k in range(5)]
    held = []
    for k in range(5):
        inside = np.concatenate([folds[j] for j in range(5) if j != k])
        t = next(t for t in grid if rates(t, present[inside], correct[inside], absent[inside])[2] <= MAX_FALSE_ALARMS)
        out = folds[k]
        held.append((t, *rates(t, present[out], correct[out], absent[out])))
    print(f"train tweets: {n}; top-1 correct (no threshold): {np.mean(correct):.3f}")
    print("fold  threshold  hits  wrong-item  false-alarms (held-out fold)")
    for k, (t, h, w, a) in enumerate(held):
        print(f"{k}     {t:.2f}       {h:.3f} {w:.3f}       {a:.3f}")
    mean = np.mean(np.array(held), axis=0)
    print(f"mean  {mean[0]:.2f}       {mean[1]:.3f} {mean[2]:.3f}       {mean[3]:.3f}")
    t = next(t for t in grid if rates(t, present, correct, absent)[2] <= MAX_FALSE_ALARMS)
    print(f"chosen on all of train: {t:.2f}")
    for u in sorted({t, 0.75}):
        h, w, a = rates(u, present, correct, absent)
        print(f"  train at {u:.2f}: hits {h:.3f}, wrong item {w:.3f}, false alarms {a:.3f}")
    dp, dc, da = scores(data, vecs, "dev", V, index_of)
    h, w, a = rates(t, dp, dc, da)
    print(f"dev, scored once at {t:.2f}: hits {h:.3f}, wrong item {w:.3f}, false alarms {a:.3f} ({len(dp)} tweets)")


if __name__ == "__main__":
    main()

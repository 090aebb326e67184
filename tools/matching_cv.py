#!/usr/bin/env python3
"""Exploration for claim matching's fusion settings, by 5-fold
cross-validation on the CLEF 2020 CheckThat! 2A *training* pairs only (dev is
scored once, at the end, with the settings train chose). Lexical scores come
from SQLite FTS5's bm25 (what claimdesk's store runs); vectors are written by
`cargo run --release -p claimdesk-embed --example embed_tsv`.

    python3 tools/matching_cv.py DATA_DIR VECTOR_DIR
"""
import itertools
import re
import sqlite3
import sys
from pathlib import Path

import numpy as np

STOP = set(
    "a an the and or of to in on at for by with from is are was were be been being it its this that these those "
    "as but not no so if then than there their they them he she his her we our you your i me my rt via http https "
    "pic twitter com www t co amp".split()
)


def read_tsv(path):
    # Split exactly as embed_tsv does, so rows line up with the vectors.
    lines = Path(path).read_text().splitlines()[1:]
    return [(line.split("\t") + ["", ""])[:3] for line in lines]


def read_qrels(path):
    out = {}
    for line in open(path):
        parts = line.split()
        out[parts[0]] = parts[2]
    return out


def terms(text):
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [w for w in words if w not in STOP and len(w) > 1]


def bm25_scores(db, text, weights, k=100):
    t = terms(text)
    if not t:
        return {}
    query = " OR ".join(f'"{w}"' for w in dict.fromkeys(t))
    rows = db.execute(
        f"SELECT rowid, bm25(lib, {weights[0]}, {weights[1]}) FROM lib WHERE lib MATCH ? ORDER BY 2 LIMIT {k}",
        (query,),
    ).fetchall()
    return {rid: -s for rid, s in rows}


def z(values):
    v = np.array(values, dtype=np.float64)
    sd = v.std()
    return (v - v.mean()) / sd if sd > 0 else v * 0


def rank(bm, cos_row, alpha, k=100):
    top_cos = np.argsort(-cos_row)[:k]
    cands = list(dict.fromkeys(list(bm) + [int(i) for i in top_cos]))
    b = [bm.get(c, min(bm.values()) if bm else 0.0) for c in cands]
    c = [float(cos_row[i]) for i in cands]
    s = alpha * z(b) + (1 - alpha) * z(c)
    order = np.argsort(-s)
    return [cands[i] for i in order]


def ap_at(ranked, gold, k=5):
    for i, doc in enumerate(ranked[:k]):
        if doc == gold:
            return 1.0 / (i + 1)
    return 0.0


def main():
    data, vecs = Path(sys.argv[1]), Path(sys.argv[2])
    vc = read_tsv(data / "verified_claims.tsv")
    ids = [r[0] for r in vc]
    index_of = {v: i for i, v in enumerate(ids)}
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE lib USING fts5(claim, title)")
    db.executemany("INSERT INTO lib(rowid, claim, title) VALUES (?,?,?)", [(i, r[1], r[2]) for i, r in enumerate(vc)])
    V = {name: np.fromfile(vecs / f"vc_{name}.f32", dtype=np.float32).reshape(-1, 384) for name in ["claim", "both"]}
    sets = {}
    for split in ["train", "dev"]:
        q = read_tsv(data / f"{split}_queries.tsv")
        qrels = read_qrels(data / f"{split}.qrels")
        Q = np.fromfile(vecs / f"q_{split}.f32", dtype=np.float32).reshape(-1, 384)
        sets[split] = [(r[1], Q[i], index_of[qrels[r[0]]]) for i, r in enumerate(q) if r[0] in qrels]

    def evaluate(items, vname, weights, alpha):
        cos = np.stack([it[1] for it in items]) @ V[vname].T
        return float(np.mean([ap_at(rank(bm25_scores(db, it[0], weights), cos[j], alpha), it[2]) for j, it in enumerate(items)]))

    grid = list(
        itertools.product(
            ["claim", "both"],
            [(1.0, 2.0), (1.0, 1.0), (1.0, 0.5), (1.0, 0.0)],
            [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1.0],
        )
    )
    train = sets["train"]
    folds = [train[i::5] for i in range(5)]
    # Score every setting on every fold once; CV picks per held-out fold by the other four.
    table = {g: [evaluate(f, *g) for f in folds] for g in grid}
    cv = []
    for k in range(5):
        best = max(grid, key=lambda g: np.mean([table[g][j] for j in range(5) if j != k]))
        cv.append(table[best][k])
    print(f"5-fold CV MAP@5 on train (setting chosen inside each fold): {np.mean(cv):.3f}")
    for g in sorted(grid, key=lambda g: -np.mean(table[g]))[:8]:
        print(f"  train MAP@5 {np.mean(table[g]):.3f}  vectors={g[0]} bm25 weights={g[1]} alpha={g[2]}")
    best = max(grid, key=lambda g: np.mean(table[g]))
    print(f"chosen on train: {best}; dev MAP@5 {evaluate(sets['dev'], *best):.3f}")


if __name__ == "__main__":
    main()

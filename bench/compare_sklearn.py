#!/usr/bin/env python3
"""scikit-learn and this service side by side, on the same rows, in one run.

Generates the benchmark data (docs/benchmarks.md: 6 features, 8 Gaussian blobs of different
spreads and sizes, mixed raw units, z-scored; seed 20240601) with numpy,
writes it as raw float32 files, then runs each measurement twice, each in its own process so
that its peak memory (ru_maxrss from wait4) is its own: once with scikit-learn (float64, as
people use it) and once with `deno run bench/run_ours.ts`. Prints one table: both medians and
the ratio ours / scikit-learn.

Needs Debian's python3-sklearn (`apt-get install python3-sklearn`); optional for users.

  /usr/bin/python3 bench/compare_sklearn.py              # the issue's sizes
  /usr/bin/python3 bench/compare_sklearn.py --quick      # small sizes, a smoke test
  /usr/bin/python3 bench/compare_sklearn.py --backend gpu
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SEED = 20240601
N_FEATURES = 6
N_BLOBS = 8
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# sklearn's DBSCAN materialises every ε-neighbourhood (int64): skip it where that alone would
# not fit in this machine's memory (the anchor estimated 17.9 GB at 200k).
SKLEARN_DBSCAN_MAX_N = 100_000


def make_data(n, seed=SEED):
    import numpy as np

    rng = np.random.default_rng(seed)
    centers = rng.uniform(-6.0, 6.0, size=(N_BLOBS, N_FEATURES))
    scales = np.array([0.3, 0.5, 0.7, 1.0, 1.3, 1.6, 2.0, 2.5])
    weights = np.array([0.24, 0.18, 0.15, 0.12, 0.10, 0.09, 0.07, 0.05])
    units = np.array([1.0, 10.0, 100.0, 0.1, 1000.0, 5.0])
    rng_n = np.random.default_rng([seed, n])
    labels = rng_n.choice(N_BLOBS, size=n, p=weights)
    X = centers[labels] + rng_n.standard_normal((n, N_FEATURES)) * scales[labels, None]
    X *= units
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.ascontiguousarray(X), labels


def write_inputs(tmp, n, k=8):
    import numpy as np
    from sklearn.cluster import kmeans_plusplus

    X, labels = make_data(n)
    base = os.path.join(tmp, f"n{n}" if k == 8 else f"n{n}k{k}")
    X.astype(np.float32).tofile(base + ".x.f32")
    labels.astype(np.int32).tofile(base + ".labels.i32")
    init, _ = kmeans_plusplus(X, k, random_state=0)
    init.astype(np.float32).tofile(base + ".init.f32")
    return base


# ---------------------------------------------------------------- child: scikit-learn side
def sklearn_child(task, base, reps, k, eps, min_samples):
    import numpy as np

    X = np.fromfile(base + ".x.f32", dtype=np.float32).reshape(-1, N_FEATURES).astype(np.float64)
    out = {"task": task, "n": len(X)}
    times = []
    if task in ("kmeans", "kmeans64"):
        from sklearn.cluster import KMeans

        init = np.fromfile(base + ".init.f32", dtype=np.float32).reshape(k, N_FEATURES).astype(np.float64)
        per_iter = []
        for _ in range(reps):
            km = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=1e-4)
            t0 = time.perf_counter()
            km.fit(X)
            dt = (time.perf_counter() - t0) * 1000
            times.append(dt)
            per_iter.append(dt / km.n_iter_)
            out.update(n_iter=int(km.n_iter_), inertia=float(km.inertia_))
        out["per_iter_ms"] = statistics.median(per_iter)
    elif task == "dbscan":
        from sklearn.cluster import DBSCAN

        for _ in range(reps):
            t0 = time.perf_counter()
            labels = DBSCAN(eps=eps, min_samples=min_samples, n_jobs=-1).fit_predict(X)
            times.append((time.perf_counter() - t0) * 1000)
            out.update(n_clusters=int(labels.max() + 1), noise_share=float((labels == -1).mean()))
    elif task == "silhouette":
        from sklearn.metrics import silhouette_score

        labels = np.fromfile(base + ".labels.i32", dtype=np.int32)
        for _ in range(reps):
            t0 = time.perf_counter()
            s = silhouette_score(X, labels)
            times.append((time.perf_counter() - t0) * 1000)
            out["silhouette"] = float(s)
    elif task in ("auto_plain", "auto_onetree", "auto_noward"):
        for _ in range(reps):
            t0 = time.perf_counter()
            best = sklearn_auto(X, ward=task != "auto_noward", one_tree=task == "auto_onetree",
                                dbscan=task != "auto_noward", eps=eps, min_samples=min_samples)
            times.append((time.perf_counter() - t0) * 1000)
            out.update(best_silhouette=best[0], best=best[1])
    out.update(times_ms=times, median_ms=statistics.median(times), peak_rss_mb=peak_rss_mb())
    print(json.dumps(out))


def sklearn_auto(X, ward, one_tree, dbscan, eps, min_samples, kmax=10):
    """The reference automatic job on scikit-learn: k = 2..kmax × {KMeans, GMM, Ward} + one
    DBSCAN, each scored with silhouette (sample 10k, random_state 0), Davies-Bouldin and
    Calinski-Harabasz. `one_tree` builds one Ward tree (scipy) and cuts it at every k, as we do.
    Returns (best silhouette, its model)."""
    import numpy as np
    from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
    from sklearn.mixture import GaussianMixture

    scores = []

    def score(name, k, lab, Xs):
        if len(np.unique(lab)) < 2:
            return
        sil = silhouette_score(Xs, lab, sample_size=min(10000, Xs.shape[0] - 1), random_state=0)
        davies_bouldin_score(Xs, lab)
        calinski_harabasz_score(Xs, lab)
        scores.append((float(sil), f"{name} k={k}"))

    tree = None
    if ward and one_tree:
        from scipy.cluster.hierarchy import fcluster, linkage

        tree = linkage(X, method="ward")
    for k in range(2, kmax + 1):
        lab = KMeans(n_clusters=k, n_init=1, algorithm="lloyd", max_iter=100, tol=1e-4,
                     random_state=0).fit(X).labels_
        score("kmeans", k, lab, X)
        lab = GaussianMixture(n_components=k, covariance_type="full", max_iter=100,
                              random_state=0).fit(X).predict(X)
        score("gmm", k, lab, X)
        if ward:
            if tree is not None:
                lab = fcluster(tree, k, criterion="maxclust")
            else:
                lab = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X).labels_
            score("ward", k, lab, X)
    if dbscan:
        lab = DBSCAN(eps=eps, min_samples=min_samples, n_jobs=-1).fit(X).labels_
        keep = lab != -1
        score("dbscan", int(lab.max() + 1), lab[keep], X[keep])
    return max(scores)


def peak_rss_mb():
    """This process's own high-water RSS (VmHWM): unlike wait4's ru_maxrss, it does not
    include the parent's memory at fork time."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


# ---------------------------------------------------------------- parent
def run_child(cmd):
    """Runs cmd, returns (the last JSON line of its stdout, the peak RSS in MB it reported)."""
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode())
        raise SystemExit(f"failed: {' '.join(cmd)}")
    out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    return out, out["peak_rss_mb"]


def deno_cmd():
    local = os.path.join(ROOT, "node_modules", ".bin", "deno")
    if os.path.exists(local):
        return [local]
    from shutil import which

    return [which("deno")] if which("deno") else ["npx", "--yes", "deno@2.9.6"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--backend", default="cpu", choices=["cpu", "gpu", "auto"])
    ap.add_argument("--only", default="kmeans,dbscan,silhouette",
                    help="comma list of kmeans, kmeans64 (1M rows, k = 64), dbscan, silhouette, "
                         "auto (auto takes ~5 min), auto200k (only the 200k job without Ward and DBSCAN)")
    ap.add_argument("--child", nargs=6, metavar=("TASK", "BASE", "REPS", "K", "EPS", "MIN"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        task, base, reps, k, eps, ms = a.child
        sklearn_child(task, base, int(reps), int(k), float(eps), int(ms))
        return

    scale = 0.02 if a.quick else 1.0
    plan = []
    only = set(a.only.split(","))
    if "kmeans" in only:
        plan += [("kmeans", int(200_000 * scale)), ("kmeans", int(1_000_000 * scale))]
    if "kmeans64" in only:
        plan += [("kmeans64", int(1_000_000 * scale))]
    if "dbscan" in only:
        plan += [("dbscan", int(50_000 * scale)), ("dbscan", int(200_000 * scale))]
    if "silhouette" in only:
        plan += [("silhouette", int(20_000 * scale))]
    if "auto" in only:
        plan += [("auto_plain", int(20_000 * scale)), ("auto_onetree", int(20_000 * scale)),
                 ("auto_noward", int(200_000 * scale))]
    elif "auto200k" in only:
        plan += [("auto_noward", int(200_000 * scale))]

    import sklearn
    import threadpoolctl

    print(f"scikit-learn {sklearn.__version__}; BLAS/OpenMP: "
          + ", ".join(f"{p['internal_api']} {p.get('version') or ''} ({p['num_threads']} threads)"
                      for p in threadpoolctl.threadpool_info()))
    rows = []
    with tempfile.TemporaryDirectory(prefix="segbench-") as tmp:
        for task, n in plan:
            k = 64 if task == "kmeans64" else 8
            base = write_inputs(tmp, n, k)
            reps = 1 if ((task == "dbscan" and n >= 100_000) or task.startswith("auto")) else 3
            sk, sk_mb = (None, None)
            if not (task == "dbscan" and n > SKLEARN_DBSCAN_MAX_N):
                sk, sk_mb = run_child([sys.executable, __file__, "--child", task, base, str(reps), str(k), "0.4", "5"])
            ours_task = "auto" if task.startswith("auto") else "kmeans" if task == "kmeans64" else task
            cmd = deno_cmd() + ["run", "-A", "bench/run_ours.ts", "--task", ours_task, "--data", base + ".x.f32",
                                "--init", base + ".init.f32", "--labels", base + ".labels.i32",
                                "--backend", a.backend, "--reps", str(reps), "--k", str(k)]
            ours, ours_mb = run_child(cmd)
            rows.append((task, n, sk, sk_mb, ours, ours_mb))
            print(f"  done: {task} n={n}", file=sys.stderr)

    print(f"\nours: {rows[0][4]['backend'] if rows else ''}")
    hdr = f"{'measure':<34}{'scikit-learn':>14}{'ours':>12}{'ours/sk':>9}   {'peak MB sk':>10}{'ours':>8}   detail"
    print(hdr)
    print("-" * len(hdr))
    for task, n, sk, sk_mb, ours, ours_mb in rows:
        key = "per_iter_ms" if task.startswith("kmeans") else "median_ms"
        label = {"kmeans": "kmeans ms / Lloyd iteration", "kmeans64": "kmeans k=64 ms / iteration",
                 "dbscan": "dbscan ms",
                 "silhouette": "exact silhouette ms", "auto_plain": "auto job ms (sk: Ward per k)",
                 "auto_onetree": "auto job ms (sk: one Ward tree)",
                 "auto_noward": "auto job ms (sk: no Ward/DBSCAN)"}[task]
        label = f"{label} n={n}"
        o = ours[key]
        if sk:
            s = sk[key]
            detail = ""
            if task.startswith("kmeans"):
                detail = f"iters sk {sk['n_iter']} / ours {ours['n_iter']}; inertia sk {sk['inertia']:.1f} / ours {ours['inertia']:.1f}"
            elif task == "dbscan":
                detail = f"clusters sk {sk['n_clusters']} / ours {ours['n_clusters']}; noise sk {sk['noise_share']:.3f} / ours {ours['noise_share']:.3f}"
            elif task.startswith("auto"):
                detail = (f"best silhouette sk {sk['best_silhouette']:.4f} ({sk['best']}) / ours "
                          f"{ours['best_silhouette']:.4f} ({ours['best']}); chosen {ours['chosen']}")
            else:
                detail = f"silhouette sk {sk['silhouette']:.6f} / ours {ours['silhouette']:.6f}"
            print(f"{label:<34}{s:>14.1f}{o:>12.1f}{o / s:>9.2f}   {sk_mb:>10.0f}{ours_mb:>8.0f}   {detail}")
        else:
            detail = f"clusters {ours.get('n_clusters')}; noise {ours.get('noise_share', 0):.3f}"
            print(f"{label:<34}{'not run':>14}{o:>12.1f}{'-':>9}   {'-':>10}{ours_mb:>8.0f}   {detail} (sklearn needs ~18 GB here)")


if __name__ == "__main__":
    main()

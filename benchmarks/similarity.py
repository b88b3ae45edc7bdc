"""All-items cosine top-k at ml-32m's catalogue size: movierec vs faiss vs the bare matrix multiplies.

    pip install faiss-cpu                     # optional: the faiss row is skipped without it
    python benchmarks/similarity.py           # 87,585 items x 64 dims, top-20 of every item
    python benchmarks/similarity.py --n 20000 --json
    MOVIEREC_DATA=DIR python benchmarks/similarity.py --sparse   # sparse items (item KNN's user columns), 1 thread vs all

Every contender runs in its own Python process on the same random matrix (seed 0), so each peak
memory figure (VmHWM) is that contender's alone. Rows:
- movierec topk_cosine: exact, self excluded, ties by index (bfloat16 screen where the CPU has it);
- movierec, float32 only (screen=False): the plain blockwise path, for CPUs without fast bfloat16;
- faiss IndexFlatIP: faiss's exact inner-product search on normalised rows (k+1, self dropped);
- torch.mm bound: the same float32 FLOPs as n x n in 8192-row torch.mm calls, no top-k at all;
- single-query latency of a prepared CosineIndex (p50/p99 over 300 queries).
"""
import argparse, json, os, subprocess, sys

CHILD = r"""
import json, sys, time, numpy as np, torch
hwm = lambda: int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])/1024
what, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
E = np.random.default_rng(0).normal(size=(n, d)).astype(np.float32)
base = hwm(); res = {}
if what in ('movierec', 'movierec-fp32'):
    from movierec.similarity import topk_cosine
    t = time.perf_counter(); s, i = topk_cosine(E, k, screen=None if what == 'movierec' else False)
    res['seconds'] = time.perf_counter() - t
    np.save(sys.argv[5], i)
elif what == 'faiss':
    import faiss
    t = time.perf_counter()
    X = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(d); index.add(X)
    s, i = index.search(X, k + 1)
    res['seconds'] = time.perf_counter() - t
    keep = i != np.arange(n)[:, None]                     # drop each item itself
    i = np.stack([r[m][:k] for r, m in zip(i, keep)])
    np.save(sys.argv[5], i)
elif what == 'mm':
    X = torch.from_numpy(E)
    t = time.perf_counter()
    for s in range(0, n, 8192): X[s:s+8192] @ X.T
    res['seconds'] = time.perf_counter() - t
elif what == 'latency':
    from movierec.similarity import CosineIndex
    index = CosineIndex(E); qs = np.random.default_rng(1).integers(0, n, 300); ts = []
    for q in qs:
        t = time.perf_counter(); index.topk([q], k); ts.append(time.perf_counter() - t)
    res.update(p50_ms=1000*np.percentile(ts, 50), p99_ms=1000*np.percentile(ts, 99))
res.update(peak_mb=hwm(), data_mb=base)
print(json.dumps(res))
"""

def run(what, n, d, k, out=''):
    p = subprocess.run([sys.executable, '-c', CHILD, what, str(n), str(d), str(k), out], capture_output=True, text=True)
    if p.returncode: return dict(error=p.stderr.strip().splitlines()[-1])
    return json.loads(p.stdout.strip().splitlines()[-1])

def sparse(dataset, n_queries=4096, k=20):
    "Item KNN's sparse cosine search (movies as binary columns of users) on one thread and on all of them"
    import time, warnings, numpy as np, torch
    warnings.filterwarnings('ignore')
    from movierec.data import load_movielens
    from movierec.baselines import ItemKNN
    from movierec.similarity import CosineIndex
    ml = load_movielens(dataset, progress=False)      # e.g. benchmarks/scale.py's synthetic release under MOVIEREC_DATA
    m = ItemKNN(ml).fit(ml.ratings); ix = CosineIndex(m.items)
    q = np.random.default_rng(0).choice(ml.n_movies, n_queries, replace=False)
    out,n = {},torch.get_num_threads()
    for t in sorted({1, n}):
        torch.set_num_threads(t); s = time.perf_counter(); out[t] = ix.topk(q, k); out[t] += (time.perf_counter() - s,)
    torch.set_num_threads(n)
    print(f"{ml.name}: {ml.n_movies:,} movies x {ml.n_users:,} users, {len(ml.ratings):,} ratings; top-{k} of {n_queries:,} movies")
    for t,(s,i,sec) in out.items(): print(f"{t} thread(s): {sec:.1f} s; same neighbours as 1 thread: {(i == out[1][1]).all()}")

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=87_585); ap.add_argument('--d', type=int, default=64)
    ap.add_argument('--k', type=int, default=20); ap.add_argument('--json', action='store_true')
    ap.add_argument('--sparse', action='store_true'); ap.add_argument('--dataset', default='ml-32m')
    a = ap.parse_args()
    if a.sparse: return sparse(a.dataset, k=a.k)
    import tempfile, numpy as np, torch
    tmp = tempfile.mkdtemp()
    rows = {}
    for what in ('movierec', 'movierec-fp32', 'faiss', 'mm', 'latency'):
        rows[what] = run(what, a.n, a.d, a.k, os.path.join(tmp, f'{what}.npy'))
    ref = os.path.join(tmp, 'movierec.npy')
    for what in ('movierec-fp32', 'faiss'):
        f = os.path.join(tmp, f'{what}.npy')
        if os.path.exists(f) and os.path.exists(ref):
            rows[what]['same_neighbours'] = float((np.load(f) == np.load(ref)).all(1).mean())
    fs = rows['faiss'].get('seconds')
    for r in rows.values():
        if fs and 'seconds' in r: r['vs_faiss'] = r['seconds'] / fs
    meta = dict(n=a.n, d=a.d, k=a.k, threads=torch.get_num_threads(), torch=torch.__version__)
    if a.json: return print(json.dumps(dict(meta=meta, rows=rows), indent=1))
    print(f"all-items top-{a.k}, {a.n:,} items x {a.d} dims, {meta['threads']} threads, torch {meta['torch']}")
    print(f"{'contender':<16} {'seconds':>8} {'vs faiss':>9} {'peak MB':>8} {'input MB':>9} {'same as movierec':>17}")
    for w, r in rows.items():
        if w == 'latency': continue
        if 'error' in r: print(f"{w:<16} skipped: {r['error']}"); continue
        f = lambda key, fmt: format(r[key], fmt) if key in r else '-'
        print(f"{w:<16} {f('seconds', '8.1f')} {f('vs_faiss', '9.2f')} {f('peak_mb', '8.0f')} {f('data_mb', '9.0f')} {f('same_neighbours', '17.4f')}")
    l = rows['latency']
    if 'error' not in l: print(f"single query (prepared CosineIndex): p50 {l['p50_ms']:.2f} ms, p99 {l['p99_ms']:.2f} ms")
    print("(peak MB: the process's peak resident memory; input MB: the same after the random matrix was made)")

if __name__ == '__main__': main()

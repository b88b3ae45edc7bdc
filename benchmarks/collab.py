"""One epoch of EmbeddingDotBias on a synthetic 25M-rating release: time and peak memory.

    python benchmarks/collab.py                    # 25M ratings, ml-25m's shape, bs 16384
    python benchmarks/collab.py --n-ratings 2500000 --bs 4096 16384 --json
    python benchmarks/collab.py --steps            # one step's parts, fastai's Adam against fused AdamW

The synthetic release (162,541 users, 62,423 movies) is written in ml-25m's CSV layout into a temporary
folder and loaded once to build its Parquet cache. Each measurement then runs in a fresh process that
loads the release (warm), draws the random 90/10 split, builds the fastai loaders and trains one
`fit_one_cycle` epoch (training and validation passes) with 50 factors; its peak resident memory
(VmHWM) covers all of that. A GPU row is added when torch sees one.

`--steps` times the parts of one training step (forward, backward, optimiser) of EmbeddingDotBias with the
embedding tables of ml-10m, ml-25m and ml-32m, on random batches of 16,384 ratings, with fastai's `Adam` and
with `fused_adamw` (PyTorch's fused AdamW, the optimiser `default_opt` picks for large releases); the mean of
20 steps after 2 warm-up steps.

`--choose` is how the large-release defaults (`collab_bs`, `collab_lr`) were chosen: `fit_collab` for 5 epochs with each
batch size and maximum learning rate of `--grid`, on synthetic releases of 3M and 10M ratings (ml-10m's ratio of users
and movies to ratings) split at random 90/10 with seed 42; it prints the RMSE on the 10% and the seconds of each fit.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

CHILD = r"""
import json, sys, time, warnings
warnings.filterwarnings('ignore')
import torch
from movierec.data import load_movielens
from movierec.split import random_split
from movierec.collab import collab_dls
from fastai.collab import collab_learner
hwm = lambda: int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])/1024
data_dir, bs, device = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
ml = load_movielens('ml-25m', data_dir=data_dir, progress=False)
train, valid = random_split(ml.ratings, 0.1, seed=42)
dls = collab_dls(ml, train, valid, bs=bs, cold_users='keep', device=torch.device(device))
learn = collab_learner(dls, n_factors=50, y_range=(0.5, 5.5), wd=0.3)
prep = time.perf_counter() - t0
t = time.perf_counter()
with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 5e-3)
if device == 'cuda': torch.cuda.synchronize()
print(json.dumps(dict(epoch_s=time.perf_counter() - t, prep_s=prep, peak_mb=hwm(), steps=len(dls.train),
                      valid_rmse=float(learn.recorder.values[-1][1])**0.5, threads=torch.get_num_threads())))
"""

def run(data_dir, bs, device):
    out = subprocess.run([sys.executable, '-c', CHILD, str(data_dir), str(bs), device], capture_output=True, text=True,
                         env={**os.environ, 'MOVIEREC_QUIET': '1'})
    if out.returncode: sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])

SHAPES = {'ml-10m': (69_878, 10_681), 'ml-25m': (162_541, 62_423), 'ml-32m': (200_948, 87_585)}

def step_times(n_users, n_movies, opt, bs=16_384, steps=20):
    "Mean milliseconds of forward, backward and optimiser step for one batch of `bs` random ratings"
    import torch
    from fastai.collab import EmbeddingDotBias
    from fastai.optimizer import Adam
    from movierec.content import fused_adamw
    torch.manual_seed(0)
    m = EmbeddingDotBias(50, n_users, n_movies, y_range=(0.5, 5.5))
    o = (Adam if opt == 'adam' else fused_adamw)(list(m.parameters()), lr=5e-3)
    o.set_hyper('wd', 0.3)   # as a Learner sets it: fastai's name, which OptimWrapper maps onto AdamW's
    x = torch.stack([torch.randint(0, n_users, (bs,)), torch.randint(0, n_movies, (bs,))], 1); y = torch.rand(bs) * 5
    tot = [0., 0., 0.]
    for i in range(steps + 2):
        t0 = time.perf_counter(); loss = ((m(x).squeeze() - y)**2).mean(); t1 = time.perf_counter()
        loss.backward(); t2 = time.perf_counter(); o.step(); o.zero_grad(); t3 = time.perf_counter()
        if i >= 2: tot = [a + b for a, b in zip(tot, (t1 - t0, t2 - t1, t3 - t2))]
    return [round(1e3 * t / steps, 1) for t in tot]

def steps_table():
    import torch
    rows = []
    for shape, (nu, nm) in SHAPES.items():
        for opt in ('adam', 'fused'):
            f, b, o = step_times(nu, nm, opt)
            rows.append(f"{shape:<7} {nu:>8,} {nm:>7,} {opt:<6} {f:>8} {b:>9} {o:>6} {f + b + o:>7.1f}")
    print(f"EmbeddingDotBias step, 50 factors, bs 16,384, ms; torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'tables':<7} {'users':>8} {'movies':>7} {'opt':<6} {'forward':>8} {'backward':>9} {'step':>6} {'total':>7}")
    print('\n'.join(rows))

def choose(grid, sizes=(3_000_000, 10_000_000)):
    "Validation RMSE and seconds of `fit_collab` for each (bs, lr) of `grid` on synthetic releases of `sizes` ratings"
    from movierec.data import synth_movielens
    from movierec.split import random_split
    from movierec.collab import fit_collab
    print(f"{'ratings':>10} {'bs':>6} {'lr':>6} {'valid RMSE':>10} {'seconds':>8}")
    for n in sizes:
        ml = synth_movielens(n // 143, n // 936, n, seed=0, tag_pct=0.0)
        train, valid = random_split(ml.ratings, 0.1, seed=42)
        for bs, lr in grid:
            t = time.perf_counter()
            m = fit_collab(ml, train, valid, bs=bs, lr=lr, progress=False, cold_users='keep')
            rmse = float(m.learn.recorder.values[-1][1]) ** .5
            print(f"{n:>10,} {bs:>6} {lr:>6g} {rmse:>10.4f} {time.perf_counter() - t:>8.0f}", flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n-ratings', type=int, default=25_000_095)
    p.add_argument('--bs', type=int, nargs='+', default=[16_384])
    p.add_argument('--json', action='store_true')
    p.add_argument('--steps', action='store_true', help="time one step's parts instead (see the docstring)")
    p.add_argument('--choose', action='store_true', help="compare batch sizes and learning rates (see the docstring)")
    p.add_argument('--grid', nargs='+', default=['16384:5e-3', '16384:1e-2', '16384:2e-2', '32768:1e-2', '32768:2e-2'],
                   help='bs:lr pairs for --choose')
    a = p.parse_args()
    if a.steps: return steps_table()
    if a.choose: return choose([(int(g.split(':')[0]), float(g.split(':')[1])) for g in a.grid])
    import torch
    from movierec.data import synth_movielens, write_release, load_movielens
    rows = []
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        write_release(synth_movielens(162_541, 62_423, a.n_ratings, seed=0), Path(d)/'ml-25m', 'csv')
        load_movielens('ml-25m', data_dir=d, progress=False)      # builds the Parquet cache, not timed
        made = time.perf_counter() - t
        devices = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
        for dev in devices:
            for bs in a.bs:
                r = run(d, bs, dev)
                rows.append(dict(device=dev, ratings=a.n_ratings, bs=bs, steps=r['steps'], epoch_s=round(r['epoch_s'], 1),
                                 prep_s=round(r['prep_s'], 1), peak_mb=round(r['peak_mb']), valid_rmse=round(r['valid_rmse'], 4)))
    if a.json: return print(json.dumps(rows, indent=1))
    print(f"EmbeddingDotBias, 50 factors, one fit_one_cycle epoch (train + valid), torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU threads")
    cols = list(rows[0]); w = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print(' | '.join(c.ljust(w[c]) for c in cols)); print('-+-'.join('-'*w[c] for c in cols))
    for r in rows: print(' | '.join(str(r[c]).ljust(w[c]) for c in cols))
    print(f"(synthetic release generated, written and cached in {made:.0f} s; prep = load + split + loaders + learner)")
    print("goal: one CPU epoch under 5 minutes and 4 GB")

if __name__ == '__main__': main()

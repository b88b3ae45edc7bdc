"""Top-N rankers for users: Mult-DAE (movierec.ranking) beside EASE and popularity, on ml-latest-small.

    python benchmarks/ranking.py --validate      # the settings study: seed 42, validation split carved from training
    python benchmarks/ranking.py                 # test splits of seeds 42 43 44, per-user (topn) and new users (strong)
    python benchmarks/ranking.py --scale         # one Mult-DAE epoch at ml-32m size: seconds and peak memory
    MOVIEREC_DATA=DIR python benchmarks/ranking.py --scale --max-items 10000 20000   # on scale.py's release in DIR
    python benchmarks/ranking.py --only ease-graded,user-knn    # only some of the rows
    python benchmarks/ranking.py --protocols strong --seeds $(seq 42 61) --only dlae,ease   # more seeds, paired
    python benchmarks/ranking.py --large-epochs 3 6 12   # epochs for big releases: validation NDCG on a 10M-rating release

`--validate` never reads a test split: it scores each setting on `user_split(train, 0.2, 42)` of the topn protocol's
training ratings. The settings it picks are the defaults of `DAERanker` and the `ease-liked` row; the test run then
scores those, unchanged, on three split seeds.
"""
import argparse, os, resource, sys, time, warnings
import numpy as np, pandas as pd, torch
warnings.filterwarnings('ignore')
from movierec.data import load_movielens, synth_movielens
from movierec.split import user_split
from movierec.baselines import EASE, Popularity, UserKNN
from movierec.ranking import DAERanker, DLAE
from movierec.evaluation import Context, eval_topn, evaluate, protocol_split, VAE

def dae(seed=None, **kw): return lambda ctx: DAERanker(ctx.ml, seed=ctx.seed if seed is None else seed, progress=False, **kw).fit(ctx.train)
def ease(**kw): return lambda ctx: EASE(ctx.ml, **kw).fit(ctx.train)
def dlae(**kw): return lambda ctx: DLAE(ctx.ml, **kw).fit(ctx.train)

VALIDATE = {
    'mult-dae liked, p 0.3 (seed 0)': dae(seed=0), 'mult-dae liked, p 0.3 (seed 1)': dae(seed=1),
    'mult-dae liked, p 0.3 (seed 2)': dae(seed=2),
    'mult-dae liked, p 0.3, 30 epochs': dae(seed=0, epochs=30), 'mult-dae liked, p 0.3, lr 5e-3': dae(seed=0, lr=5e-3),
    'mult-dae liked, p 0.5': dae(seed=0, p=0.5), 'mult-dae binary, p 0.5': dae(seed=0, inputs='binary', p=0.5),
    'mult-dae binary, p 0.5, lr 1e-3': dae(seed=0, inputs='binary', p=0.5, lr=1e-3),
    'ease liked, lam 100': ease(lam=100, inputs='liked'), 'ease liked, lam 150': ease(lam=150, inputs='liked'),
    'ease liked, lam 300': ease(lam=300, inputs='liked'),
    **{f'ease graded, weak {w}, lam {l}': ease(lam=l, inputs='graded', weak=w) for w in (0.1, 0.2, 0.35, 0.5) for l in (100, 150, 200)},
    **{f'dlae graded, p {p}, lam {l}': dlae(p=p, lam=l) for p in (0.1, 0.25, 0.5, 0.67) for l in (50, 150, 300)},
    'dlae liked, p 0.5, lam 150': dlae(inputs='liked'), 'dlae binary, p 0.5, lam 150': dlae(inputs='binary'),
    'ease binary, lam 100': ease(lam=100), 'ease binary, lam 300': ease(lam=300),
    **{f'mult-dae {i}, hidden {h}, wd {wd}, p {p}': dae(seed=0, inputs=i, hidden=h, wd=wd, p=p)
       for i in ('liked', 'graded') for h in (200, 600) for wd in (0., 0.01, 0.1) for p in (0.3, 0.5)},
    **{f'mult-dae {i}, hidden {h}, p {p}': dae(seed=0, inputs=i, hidden=h, p=p)
       for i in ('liked', 'graded') for h in (1200, 2400) for p in (0.1, 0.2, 0.3)},
    'mult-dae graded, weak 0.35': dae(seed=0, inputs='graded', weak=0.35),
    'mult-dae graded, 40 epochs, lr 1e-3': dae(seed=0, inputs='graded', epochs=40, lr=1e-3),
    'mult-dae graded, bs 32': dae(seed=0, inputs='graded', bs=32),
    'mult-vae liked, p 0.3, beta 0.2': dae(seed=0, vae=True), 'mult-vae liked, p 0.5, beta 0.2': dae(seed=0, vae=True, p=0.5),
    'mult-vae liked, p 0.3, beta 0.1': dae(seed=0, vae=True, beta=0.1),
    'mult-vae liked, p 0.3, beta 0.2, 50 epochs': dae(seed=0, vae=True, epochs=50),
    'mult-vae liked, p 0.3, beta 0.2, lr 1e-3, 50 epochs': dae(seed=0, vae=True, epochs=50, lr=1e-3),
    'mult-vae binary, p 0.5, beta 0.2, 50 epochs': dae(seed=0, vae=True, inputs='binary', p=0.5, epochs=50),
}
TEST = {'popularity': lambda ctx: Popularity(ctx.ml).fit(ctx.train), 'ease (binary, lam 300)': ease(lam=300),
        'ease-liked (lam 150)': ease(lam=150, inputs='liked'), 'ease-graded (lam 150, weak 0.2)': ease(lam=150, inputs='graded'),
        'dlae (graded, p 0.5, lam 150)': dlae(), 'mult-dae (liked, p 0.3)': dae(),
        'mult-dae (binary, p 0.5)': dae(inputs='binary', p=0.5), 'mult-vae (liked, 50 epochs)': dae(vae=True, **VAE),
        'user-knn (nearest users)': lambda ctx: UserKNN(ctx.ml).fit(ctx.train),
        'dotbias (ridge fold-in)': lambda ctx: ctx.collab(False)}

def picked(name, only):
    "Is `name` among the comma-separated name parts `only` (None: everything)?"
    return not only or any(o.strip() in name for o in only.split(','))

def validate(ml, only=None):
    train,_ = protocol_split(ml, 'topn', 42)
    tr,va = user_split(train, 0.2, 42)
    ctx,rows = Context(ml, tr, va, 42),[]
    for name,fn in VALIDATE.items():
        if not picked(name, only): continue
        t = time.perf_counter(); m = fn(ctx); fit = time.perf_counter() - t
        r = eval_topn(m, ctx, name, k=10)
        rows.append(dict(setting=name, ndcg=round(r['ndcg@10'], 4), hitrate=round(r['hitrate@10'], 3), fit_s=round(fit)))
        print(rows[-1], flush=True)
    print(pd.DataFrame(rows).set_index('setting').to_string())

def paired(d, a, b):
    "Per-seed NDCG of models named `a` minus `b` on each protocol: mean, standard error, seeds where `a` is ahead"
    for proto,g in d.groupby('protocol'):
        t = g.pivot_table(index='seed', columns='model', values='ndcg')
        x = t[a] - t[b]
        print(f"{proto}: {a} - {b}: mean {x.mean():+.4f}, standard error {x.std(ddof=1)/np.sqrt(len(x)):.4f}, "
              f"ahead on {(x > 0).sum()} of {len(x)} seeds")

def test(ml, seeds, only=None, protocols=('topn', 'strong')):
    rows,models = [],{k: v for k,v in TEST.items() if picked(k, only)}
    for proto in protocols:
        for seed in seeds:
            r = evaluate(models, ml, proto, seed=seed, progress=False)
            rows += [dict(protocol=proto, seed=seed, model=m, ndcg=r.loc[m, 'ndcg@10'], hitrate=r.loc[m, 'hitrate@10'],
                          fit_s=r.loc[m, 'fit_s']) for m in r.index]
            print(proto, seed, r['ndcg@10'].round(4).to_dict(), flush=True)
    d = pd.DataFrame(rows)
    print(d.pivot_table(index='model', columns=['protocol', 'seed'], values='ndcg').round(4).to_string())
    print(d.groupby(['protocol', 'model'])[['ndcg', 'hitrate', 'fit_s']].mean().round(4).to_string())
    names = set(d.model)
    for a,b in (('dlae (graded, p 0.5, lam 150)', 'ease-graded (lam 150, weak 0.2)'), ('dlae (graded, p 0.5, lam 150)', 'ease (binary, lam 300)')):
        if {a, b} <= names and len(seeds) > 1: paired(d, a, b)

def scale(max_items, epochs=1):
    "One-epoch Mult-DAE fits at ml-32m size: seconds per epoch, peak memory and the share of ratings the kept movies hold"
    try: ml = load_movielens('ml-32m', progress=False)      # a release under MOVIEREC_DATA, such as benchmarks/scale.py's
    except Exception: ml = synth_movielens(200_948, 87_585, 32_000_204, seed=0, tag_pct=0.0)
    print(f"{ml.name}: {ml.n_users:,} users x {ml.n_movies:,} movies, {len(ml.ratings):,} ratings", flush=True)
    dev = 'GPU' if torch.cuda.is_available() else f'CPU, {torch.get_num_threads()} threads'
    rows = []
    for m in max_items:
        t = time.perf_counter()
        d = DAERanker(ml, max_items=m, epochs=epochs, progress=False).fit(ml.ratings)
        s = (time.perf_counter() - t) / epochs
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        rows.append({'device': dev, 'max_items': f'{m:,}', 'movies kept': f'{len(d.items):,}',
                     'share of ratings': f'{d.n_train[d.items].sum()/d.n_train.sum():.1%}', 'batch': d.batch,
                     'seconds per epoch': round(s), 'peak GiB (so far)': round(peak, 2)})
        print(rows[-1], flush=True); del d
    print(pd.DataFrame(rows).to_string(index=False))

def large_epochs(epochs, n_users=69_878, n_movies=10_677, n_ratings=10_000_054):
    "Validation NDCG@10 of Mult-DAE with `DAE_LARGE`'s batches for each epoch count, beside EASE, on an ml-10m-shaped release"
    ml = synth_movielens(n_users, n_movies, n_ratings, seed=0, tag_pct=0.0)
    train,_ = protocol_split(ml, 'topn', 42)
    tr,va = user_split(train, 0.2, 42)
    ctx,rows = Context(ml, tr, va, 42),[]
    print(f"synthetic: {ml.n_users:,} users x {ml.n_movies:,} movies, {len(ml.ratings):,} ratings; "
          f"validation split of {len(tr):,} / {len(va):,}", flush=True)
    fits = {f'mult-dae, {e} epochs': dae(seed=0, epochs=e) for e in epochs} | {'ease-graded (lam 150)': ease(lam=150, inputs='graded')}
    for name,fn in fits.items():
        t = time.perf_counter(); m = fn(ctx); fit = time.perf_counter() - t
        r = eval_topn(m, ctx, name, k=10)
        rows.append(dict(setting=name, ndcg=round(r['ndcg@10'], 4), hitrate=round(r['hitrate@10'], 3), fit_s=round(fit)))
        print(rows[-1], flush=True); del m
    print(pd.DataFrame(rows).set_index('setting').to_string())

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--validate', action='store_true'); p.add_argument('--scale', action='store_true')
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 43, 44])
    p.add_argument('--protocols', nargs='+', default=['topn', 'strong'], choices=['topn', 'strong'])
    p.add_argument('--only', help='only the settings (--validate) or models whose names hold one of these comma-separated texts')
    p.add_argument('--max-items', type=int, nargs='+', default=[20_000], help='--scale: the max_items to time')
    p.add_argument('--epochs', type=int, default=1, help='--scale: epochs per fit (the time is per epoch)')
    p.add_argument('--large-epochs', type=int, nargs='+', help='validation NDCG of these epoch counts on an ml-10m-shaped release')
    a = p.parse_args()
    if a.scale: scale(a.max_items, a.epochs)
    elif a.large_epochs: large_epochs(a.large_epochs)
    elif a.validate: validate(load_movielens(), a.only)
    else: test(load_movielens(), a.seeds, a.only, a.protocols)

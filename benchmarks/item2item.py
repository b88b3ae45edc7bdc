"""'Movies like this' on three split seeds: every movierec view, the hybrid with its shipped defaults and tuned on a
validation split of each seed's training ratings, and the peers (implicit ALS `similar_items`, LightFM with item
features), on the item2item and coldstart protocols of movierec.evaluation.

    python benchmarks/item2item.py                    # ml-latest-small, seeds 42 43 44
    python benchmarks/item2item.py --seeds 42 --json
    python benchmarks/item2item.py --no-peers --w-content 0.2 0.3   # also the hybrid at other content weights

The peers are not movierec dependencies (`pip install implicit`; LightFM: see benchmarks/peers.py for how to build
it). A peer that does not import is skipped with a message. Tuning never sees a test split: `tune_hybrid` carves its validation split from the
training ratings of each seed.
"""
import argparse, json, os, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings('ignore')
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')  # implicit asks for this; it uses its own threads
from movierec.data import load_movielens
from movierec.baselines import ratings_matrix, ViewModel
from movierec.content import tfidf_docs
from movierec.evaluation import MODELS, evaluate, protocol_split, tune_hybrid
from movierec.hybrid import HYBRID

def _known(ctx): return np.bincount(ctx.ml.movie_map.encode(ctx.train.movieId.to_numpy()), minlength=ctx.ml.n_movies) > 0

def als_peer(confidence='rating'):
    "implicit's ALS item factors, searched by cosine as `similar_items` does"
    def fit(ctx):
        from implicit.als import AlternatingLeastSquares
        R = ratings_matrix(ctx.ml, ctx.train).astype(np.float32)
        if confidence == 'binary': R.data[:] = 1
        m = AlternatingLeastSquares(factors=64, iterations=15, regularization=0.05, random_state=0)
        m.fit(R, show_progress=False)
        V = m.item_factors; V = V.to_numpy() if hasattr(V, 'to_numpy') else np.asarray(V)
        return ViewModel(ctx.ml, V, known=_known(ctx), name=f'als-{confidence}').fit(ctx.train)
    return fit

def lightfm_peer(ctx):
    "LightFM (WARP) with identity + genre/tag/title item features; neighbours by cosine of the item representations"
    from lightfm import LightFM
    import scipy.sparse as sp
    R = ratings_matrix(ctx.ml, ctx.train).tocoo(); R.data[:] = 1
    F = sp.hstack([sp.identity(ctx.ml.n_movies, format='csr', dtype=np.float32), tfidf_docs(ctx.ml)[0]]).tocsr()
    m = LightFM(loss='warp', no_components=64, random_state=0).fit(R, item_features=F, epochs=30, num_threads=2)
    _,V = m.get_item_representations(F)
    return ViewModel(ctx.ml, V, name='lightfm').fit(ctx.train)

def peers():
    out = {}
    try:
        import implicit  # noqa: F401
        out |= {'implicit-als (rating)': als_peer('rating'), 'implicit-als (binary)': als_peer('binary')}
    except ImportError as e: print(f"skipped implicit: {e}", file=sys.stderr)
    try:
        import lightfm  # noqa: F401
        out['lightfm (features)'] = lightfm_peer
    except ImportError as e: print(f"skipped lightfm: {e}", file=sys.stderr)
    return out

I2I = ['tfidf-knn', 'item-knn', 'content', 'dotbias-view', 'collab', 'hybrid']
COLS = ['hitrate@10', 'genre_overlap', 'low_support@10', 'coverage', 'answered', 'fit_s']

def weighted(w):
    "The shipped hybrid with content weight `w` (and co-watching weight 1 - w)"
    return lambda ctx: ctx.hybrid(**(HYBRID | dict(w_content=w, w_collab=1 - w)))

def run_seed(ml, seed, with_peers=True, w_content=()):
    t = time.perf_counter()
    train,_ = protocol_split(ml, 'item2item', seed)
    tuned = tune_hybrid(ml, train, seed=seed, progress=False)
    best = tuned.iloc[0][list(HYBRID)].to_dict()
    models = {m: MODELS[m] for m in I2I} | {'hybrid (tuned on valid)': lambda ctx: ctx.hybrid(**best)}
    models |= {f'hybrid (w_content={w:g})': weighted(w) for w in w_content}
    res = evaluate(models | (peers() if with_peers else {}), ml, 'item2item', seed=seed, progress=False)
    cold = evaluate(['tfidf-knn', 'content', 'hybrid'], ml, 'coldstart', seed=seed, progress=False)
    return dict(seed=seed, item2item=res[COLS], coldstart=cold[['i2i_hitrate@10', 'i2i_answered', 'i2i_genre_overlap']],
                tuned=best, valid=tuned.iloc[0][['hitrate@10', 'genre_overlap', 'low_support@10']].to_dict(),
                seconds=time.perf_counter() - t)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default='ml-latest-small')
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 43, 44])
    p.add_argument('--no-peers', action='store_true')
    p.add_argument('--w-content', type=float, nargs='*', default=[], help="extra hybrid rows at these content weights")
    p.add_argument('--json', action='store_true')
    a = p.parse_args()
    ml = load_movielens(a.dataset, progress=False)
    runs = [run_seed(ml, s, not a.no_peers, a.w_content) for s in a.seeds]
    if a.json:
        return print(json.dumps([r | dict(item2item=r['item2item'].reset_index().to_dict('records'),
                                          coldstart=r['coldstart'].reset_index().to_dict('records')) for r in runs], indent=1))
    fmt = lambda x: f"{x:.4f}"
    for r in runs:
        print(f"\n{a.dataset} · item2item · split seed {r['seed']} ({r['seconds']:.0f} s); tuned on a validation split of its "
              f"training ratings: {r['tuned']} (valid hitrate@10 {r['valid']['hitrate@10']:.4f})")
        print(r['item2item'].sort_values('hitrate@10', ascending=False).to_string(float_format=fmt))
        print(f"coldstart, seed {r['seed']}:"); print(r['coldstart'].to_string(float_format=fmt))
    mean = pd.concat([r['item2item'] for r in runs]).groupby(level=0, sort=False)
    lo,hi = mean.min(),mean.max()
    tab = mean.mean()[COLS[:-1]].assign(hr_min=lo['hitrate@10'], hr_max=hi['hitrate@10'])
    print(f"\n{a.dataset} · item2item · mean over seeds {a.seeds}")
    print(tab.sort_values('hitrate@10', ascending=False).to_string(float_format=fmt))
    c = pd.concat([r['coldstart'] for r in runs]).groupby(level=0, sort=False).mean()
    print(f"\n{a.dataset} · coldstart · mean over seeds {a.seeds}"); print(c.to_string(float_format=fmt))

if __name__ == '__main__': main()

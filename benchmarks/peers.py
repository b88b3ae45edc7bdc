"""movierec's models next to implicit (ALS, BPR), Surprise (SVD, BaselineOnly, KNNBaseline) and LightFM (WARP),
on the same splits and through the same metrics (movierec.evaluation).

    python benchmarks/peers.py                 # ml-latest-small, rating and topn protocols, split seed 42
    python benchmarks/peers.py --protocols topn --seeds 42 43 44   # one table per seed, then their mean
    python benchmarks/peers.py --json

The peers are not movierec dependencies: `pip install implicit scikit-surprise`. LightFM 1.17's sdist does not build
in pip's isolated build; build its wheel in a throwaway venv and install that (checked on Python 3.11):
    python -m venv /tmp/lfm && /tmp/lfm/bin/pip install "setuptools<60" wheel cython numpy scipy
    /tmp/lfm/bin/pip wheel --no-build-isolation --no-deps lightfm==1.17 -w /tmp/wheels
    pip install --no-deps /tmp/wheels/lightfm-1.17-*.whl
A peer that does not import is skipped with a message.
"""
import argparse, importlib, json, os, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings('ignore')
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')  # implicit asks for this; it uses its own threads
from movierec.data import load_movielens
from movierec.baselines import ratings_matrix
from movierec.evaluation import evaluate

class FactorPeer:
    "A peer's user and item factors as a movierec ranker: `scores` = U·Vᵀ over movies with training ratings"
    def __init__(self, ctx, U, V):
        self.ml,self.rated,self.U,self.V = ctx.ml,ratings_matrix(ctx.ml, ctx.train),U,V
        self.known = np.diff(self.rated.tocsc().indptr) > 0
    def scores(self, user_ids):
        S = (self.U[self.ml.user_map.encode(np.atleast_1d(user_ids))] @ self.V.T).astype(np.float32)
        S[:, ~self.known] = -np.inf
        return S

def implicit_peer(cls, **kw):
    def fit(ctx):
        R = ratings_matrix(ctx.ml, ctx.train); R.data[:] = 1
        m = cls(random_state=0, **kw); m.fit(R, show_progress=False)
        f = lambda a: a.to_numpy() if hasattr(a, 'to_numpy') else np.asarray(a)
        return FactorPeer(ctx, f(m.user_factors), f(m.item_factors))
    return fit

def lightfm_peer(ctx):
    from lightfm import LightFM
    R = ratings_matrix(ctx.ml, ctx.train).tocoo(); R.data[:] = 1
    m = LightFM(loss='warp', no_components=64, random_state=0).fit(R, epochs=30, num_threads=2)
    U,V = m.get_user_representations()[1],m.get_item_representations()[1]
    return FactorPeer(ctx, np.c_[U, np.ones(len(U))], np.c_[V, m.get_item_representations()[0]])

class SurprisePeer:
    "A Surprise algorithm trained on movierec's training ratings, predicting movierec's test pairs"
    def __init__(self, algo, ctx):
        from surprise import Dataset, Reader
        data = Dataset.load_from_df(ctx.train[['userId', 'movieId', 'rating']], Reader(rating_scale=(0.5, 5)))
        self.algo = algo.fit(data.build_full_trainset())
    def predict(self, user_ids, movie_ids):
        return np.array([self.algo.predict(u, m).est for u,m in zip(user_ids, movie_ids)], np.float32)

def surprise_peers():
    from surprise import SVD, BaselineOnly, KNNBaseline
    quiet = dict(verbose=False)
    return {'surprise-svd': lambda ctx: SurprisePeer(SVD(random_state=0), ctx),
            'surprise-baselineonly': lambda ctx: SurprisePeer(BaselineOnly(**quiet), ctx),
            'surprise-knnbaseline': lambda ctx: SurprisePeer(KNNBaseline(sim_options=dict(name='pearson_baseline', user_based=False), **quiet), ctx)}

def ranking_peers():
    from implicit.als import AlternatingLeastSquares
    from implicit.bpr import BayesianPersonalizedRanking
    return {'implicit-als': implicit_peer(AlternatingLeastSquares, factors=64, iterations=15, regularization=0.05),
            'implicit-bpr': implicit_peer(BayesianPersonalizedRanking, factors=64, iterations=100)}

def peers(kind):
    out = {}
    for name,get in ([('surprise', surprise_peers)] if kind == 'rating' else [('implicit', ranking_peers), ('lightfm', lambda: {'lightfm-warp': lightfm_peer})]):
        try:
            got = get()
            if name == 'lightfm': importlib.import_module('lightfm')  # checked here, so a missing package is one message
            out |= got
        except Exception as e: print(f"skipped {name}: {type(e).__name__}: {e}", file=sys.stderr)
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default='ml-latest-small')
    p.add_argument('--protocols', nargs='+', default=['rating', 'topn'])
    p.add_argument('--seeds', type=int, nargs='+', default=[42])
    p.add_argument('--json', action='store_true')
    a = p.parse_args()
    ml = load_movielens(a.dataset, progress=False)
    ours = dict(rating=['global-mean', 'bias', 'item-knn', 'user-knn', 'autorec', 'dotbias', 'embnn'],
                topn=['popularity', 'item-knn', 'user-knn', 'ease', 'dotbias', 'hybrid'])
    cols = dict(rating=['rmse', 'mae', 'fit_s'], topn=['ndcg@10', 'precision@10', 'recall@10', 'hitrate@10', 'map@10', 'coverage', 'novelty', 'fit_s'])
    tables = {}
    for proto in a.protocols:
        for seed in a.seeds:
            t = time.perf_counter()
            res = pd.concat([evaluate(ours[proto], ml, proto, seed=seed), evaluate(peers(proto), ml, proto, seed=seed)])
            tables[proto, seed] = res[cols[proto]].sort_values(cols[proto][0], ascending=proto == 'rating')
            tables[proto, seed].attrs['seconds'] = time.perf_counter() - t
    if a.json: return print(json.dumps({f'{k[0]}-{k[1]}': v.reset_index().to_dict('records') for k,v in tables.items()}, indent=1))
    fmt = lambda x: f"{x:.4f}"
    for (proto,seed),t in tables.items():
        print(f"\n{a.dataset} · {proto} (split seed {seed}; {t.attrs['seconds']:.0f} s)"); print(t.to_string(float_format=fmt))
    for proto in a.protocols:
        if len(a.seeds) < 2: continue
        g = pd.concat([tables[proto, s] for s in a.seeds]).groupby(level=0, sort=False)
        m = g.mean().assign(**{f'{cols[proto][0]}_min': g[cols[proto][0]].min(), f'{cols[proto][0]}_max': g[cols[proto][0]].max()})
        print(f"\n{a.dataset} · {proto} · mean over seeds {a.seeds}")
        print(m.sort_values(cols[proto][0], ascending=proto == 'rating').to_string(float_format=fmt))

if __name__ == '__main__': main()

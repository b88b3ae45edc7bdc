"""How item KNN's rating-prediction time grows with the movies asked about × the training ratings (the basis of
`KNN_TERMS_PER_S` and `KNN_MAX_TERMS` in movierec.baselines).

    python benchmarks/item_knn.py                 # synthetic releases of 1M and 3M ratings
    python benchmarks/item_knn.py 1000000 10000000

Each synthetic release has ml-1m's shape (a movie per 258 ratings, a user per 166) and the rating protocol's random
90/10 split. `knn_predict` computes, for each block of movies asked about, their similarity rows against every movie
(products over all the stored training ratings), so its work is "terms": distinct test movies × training ratings.
The table gives the seconds of `ItemKNN.predict` for every test pair (wall and CPU: the work is single-threaded
numpy and scipy, so CPU seconds do not depend on what else the machine runs) and the terms per CPU second.
"""
import argparse, time
import numpy as np, pandas as pd
from movierec.data import synth_movielens
from movierec.split import random_split
from movierec.baselines import ItemKNN

def measure(n:int) -> dict:
    ml = synth_movielens(max(n // 166, 50), max(n // 258, 50), n, seed=0, tag_pct=0.0)
    tr,te = random_split(ml.ratings, 0.1, 42)
    m = ItemKNN(ml, max_terms=float('inf')).fit(tr)
    w,c = time.perf_counter(),time.process_time()
    m.predict(te.userId.to_numpy(), te.movieId.to_numpy())
    w,c = time.perf_counter() - w,time.process_time() - c
    terms = te.movieId.nunique() * m.Z.nnz
    return dict(ratings=n, test_movies=te.movieId.nunique(), terms=f'{terms:.3g}', wall_s=round(w, 1),
                cpu_s=round(c, 1), terms_per_cpu_s=f'{terms / c:.3g}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('ratings', type=int, nargs='*', default=[1_000_000, 3_000_000])
    a = p.parse_args()
    print(pd.DataFrame([measure(n) for n in a.ratings]).to_string(index=False))

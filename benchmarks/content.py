"""Autoencoder training time per epoch: ml-latest-small and a synthetic ml-32m-size catalogue.

    python benchmarks/content.py                 # default sizes
    python benchmarks/content.py --movies 20000 --json

The synthetic catalogue has ml-32m's 87,585 movies; its ratings are few (what matters here is the
TF-IDF matrix the autoencoder reads, built from tags, genres and titles). `synth_movielens` draws its
titles and tags from a few dozen words, so its TF-IDF matrix has only ~130 columns; the "rich vocabulary"
row replaces them with ml-32m-like text: 2,000,000 tag applications (ml-32m has 2,000,072) whose words
follow a Zipf law over 40,000 words, and three-word titles from 20,000 words, giving tens of thousands
of TF-IDF columns as a real large catalogue does. Each row times one `fit_one_cycle` epoch after a
warm-up epoch, with the defaults of `content_embeddings`, and again with `opt_func=fused_adamw`
(PyTorch's fused AdamW in place of fastai's Adam; same algorithm).
"""
import argparse, json, time
import numpy as np, pandas as pd, torch

def rich_vocab(ml, n_tags=2_000_000, tag_words=40_000, title_words=20_000, seed=0):
    "`ml` with ml-32m-like text: Zipf-distributed tag words and title words over large vocabularies"
    from movierec.data import MovieLens
    g = np.random.default_rng(seed)
    zipf = lambda n, a=1.05: (lambda w: w / w.sum())(1 / np.arange(1, n + 1) ** a)
    ids = ml.movies.movieId.to_numpy()
    words = np.array([f"w{i}" for i in range(max(tag_words, title_words))], dtype=object)
    tags = pd.DataFrame(dict(userId=g.integers(1, 1000, n_tags).astype(np.int32),
                             movieId=ids[g.choice(len(ids), n_tags, p=zipf(len(ids), 0.9))].astype(np.int32),
                             tag=words[g.choice(tag_words, n_tags, p=zipf(tag_words))],
                             timestamp=g.integers(10**9, 1.7 * 10**9, n_tags)))
    t = words[g.choice(title_words, (len(ids), 3), p=zipf(title_words))]
    movies = ml.movies.assign(title=[f"{a} {b} {c} ({y})" for (a, b, c), y in zip(t, ml.movies.year.fillna(2000))])
    return MovieLens(ml.ratings, movies, tags, name='synthetic, rich vocabulary')

def epoch_time(ml, epochs=1, fused=False):
    from fastai.optimizer import Adam
    from movierec.content import tfidf_docs, content_learner, fused_adamw
    X, vocab = tfidf_docs(ml)
    learn = content_learner(X, opt_func=fused_adamw if fused else Adam)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(1, 3e-3)                         # warm-up
        t = time.perf_counter(); learn.fit_one_cycle(epochs, 3e-3)
    return dict(movies=X.shape[0], tokens=X.shape[1], nnz=X.nnz, seconds_per_epoch=(time.perf_counter() - t)/epochs,
                batches=len(learn.dls.train))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--movies', type=int, default=87_585); ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    from movierec.data import load_movielens, synth_movielens
    small = load_movielens()
    rows = {'ml-latest-small': epoch_time(small), 'ml-latest-small, fused AdamW': epoch_time(small, fused=True)}
    syn = synth_movielens(20_000, a.movies, 2_000_000, seed=0, tag_pct=0.2)
    rows[f'synthetic {a.movies:,} movies'] = epoch_time(syn)
    rich = rich_vocab(syn)
    rows['same, rich vocabulary'] = epoch_time(rich)
    rows['rich vocabulary, fused AdamW'] = epoch_time(rich, fused=True)
    if a.json: return print(json.dumps(rows, indent=1))
    print(f"ContentAE (512-wide, bottleneck 64, bs 256), {torch.get_num_threads()} threads, torch {torch.__version__}")
    print(f"{'catalogue':<30} {'movies':>7} {'tokens':>7} {'batches':>8} {'s/epoch':>8}")
    for k, r in rows.items(): print(f"{k:<30} {r['movies']:>7} {r['tokens']:>7} {r['batches']:>8} {r['seconds_per_epoch']:>8.1f}")

if __name__ == '__main__': main()

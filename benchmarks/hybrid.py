"""Latency of Recommender.similar with a loaded model, and the time of `movierec similar` cold and warm.

    python benchmarks/hybrid.py            # prints the table
    python benchmarks/hybrid.py --json

Rows:
- ml-latest-small: a Recommender trained with the defaults, saved and loaded again; `similar(movieId, 10)` for 300
  random movies per view (the first query of each view builds its index and is timed apart as `first_ms`).
- ml-32m-size catalogue: 87,585 synthetic movies with random 64-d content and 50-d collaborative vectors (85% of
  movies known), saved and loaded the same way; latency only depends on the catalogue size and dimensions.
- CLI: `movierec similar "Toy Story"` in a fresh process with an empty model cache (cold: load data, train, save,
  answer) and again (warm: load and answer), wall-clock time of the whole command.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

def latency(rec, n=300, seed=0, views=('hybrid', 'content', 'collab')):
    rows = []
    ids = rec.ml.movies.movieId.to_numpy()
    g = np.random.default_rng(seed)
    for view in views:
        pool = ids[rec.collab.known] if view == 'collab' else ids
        q = g.choice(pool, n + 1, replace=False)
        t = time.perf_counter(); rec.similar(int(q[0]), 10, view=view); first = time.perf_counter() - t
        ts = []
        for m in q[1:]:
            t = time.perf_counter(); rec.similar(int(m), 10, view=view); ts.append(time.perf_counter() - t)
        ts = np.array(ts) * 1000
        rows.append(dict(view=view, p50_ms=round(float(np.percentile(ts, 50)), 2), p99_ms=round(float(np.percentile(ts, 99)), 2),
                         first_ms=round(first*1000, 1)))
    return rows

def roundtrip(rec, d):
    from movierec.hybrid import Recommender
    rec.save(Path(d)/'model'); return Recommender.load(Path(d)/'model')

def small_rows(d):
    from movierec.data import load_movielens
    from movierec.hybrid import Recommender
    ml = load_movielens(progress=False)
    t = time.perf_counter(); rec = Recommender.from_movielens(ml, progress=False); train_s = time.perf_counter() - t
    rec = roundtrip(rec, d)
    return [dict(catalogue=f'ml-latest-small ({ml.n_movies:,})', **r) for r in latency(rec)], train_s

def big_rows(d, n_movies=87_585):
    from movierec.data import synth_movielens
    from movierec.similarity import View
    from movierec.hybrid import Recommender
    ml = synth_movielens(2_000, n_movies, 200_000, seed=0)
    g = np.random.default_rng(1)
    known = g.random(n_movies) < 0.85
    content = View(g.normal(size=(n_movies, 64)).astype(np.float32), name='content')
    collab = View(g.normal(size=(n_movies, 50)).astype(np.float32), known=known,
                  support=np.where(known, g.integers(1, 500, n_movies), 0), name='collab')
    rec = roundtrip(Recommender(ml, content, collab, None, dict(dataset='synthetic')), d)
    return [dict(catalogue=f'ml-32m size ({n_movies:,})', **r) for r in latency(rec)]

def cli_rows(d):
    env = {**os.environ, 'MOVIEREC_MODELS': str(Path(d)/'models'), 'MOVIEREC_QUIET': '1'}
    exe = Path(sys.executable).parent/'movierec'
    cmd = [str(exe) if exe.exists() else 'movierec', 'similar', 'Toy Story']
    rows = []
    for what in ('cold', 'warm'):
        t = time.perf_counter(); out = subprocess.run(cmd, env=env, capture_output=True, text=True); s = time.perf_counter() - t
        if out.returncode: sys.exit(out.stderr)
        rows.append(dict(run=what, seconds=round(s, 1)))
    t = time.perf_counter(); subprocess.run([sys.executable, '-c', 'import movierec.hybrid'], env=env, check=True)
    rows.append(dict(run='import movierec.hybrid only', seconds=round(time.perf_counter() - t, 1)))
    return rows

def table(rows):
    cols = list(rows[0]); w = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    return '\n'.join([' | '.join(c.ljust(w[c]) for c in cols), '-+-'.join('-'*w[c] for c in cols)] +
                     [' | '.join(str(r[c]).ljust(w[c]) for c in cols) for r in rows])

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--json', action='store_true')
    a = p.parse_args()
    import torch
    with tempfile.TemporaryDirectory() as d:
        small,train_s = small_rows(d)
        lat = small + big_rows(d)
        cli = cli_rows(d)
    if a.json: return print(json.dumps(dict(latency=lat, cli=cli, train_s=train_s), indent=1))
    print(f"Recommender.similar(movieId, k=10) after save → load, CPU, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(table(lat))
    print(f"\n(training the ml-latest-small Recommender took {train_s:.1f} s)\n")
    print("movierec similar \"Toy Story\" (whole command, fresh process)")
    print(table(cli))

if __name__ == '__main__': main()

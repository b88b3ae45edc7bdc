"""The whole pipeline on synthetic releases of growing size: seconds and peak memory per stage, and how each grows.

    python benchmarks/scale.py --json rows.json     # ml-100k, ml-1m and 0.3 x ml-10m-shaped releases, the exponents
    python benchmarks/scale.py --shapes ml-10m --add rows.json     # one more size, fitted with the earlier rows
    python benchmarks/scale.py --shapes ml-32m --stages load,tfidf   # one big release, some stages only
    python benchmarks/scale.py --shapes ml-32m --fraction 1 --keep /tmp/big   # release and models kept, reused

Each shape is a synthetic release (`synth_movielens`) with the published release's numbers of users, movies and
ratings (times `--fraction`), given ml-32m-like text (the rich vocabulary of benchmarks/content.py, with tag
applications in ml-32m's proportion of one per 16 ratings) and written in that release's own layout (`.dat` for
ml-1m and ml-10m, CSV for ml-25m and ml-32m, `u.data` for ml-100k) into a temporary data folder, so the cold load
goes through the real parser.

Every stage runs in its own process, so its peak resident memory (the child's `ru_maxrss`, read with `os.wait4`) is
its own. Stages that are library calls load the release from the warm cache first and time only the stage itself;
`train`, `similar` and `recommend` are the `movierec` commands a user types, timed whole (Python start included):

    load       cold `load_movielens` (CSV or .dat parsed, Parquet cache written)
    tfidf      documents and TF-IDF (`tfidf_docs`)
    content    the content autoencoder with the training defaults (`content_embeddings`)
    collab     EmbeddingDotBias with the training defaults (`fit_collab`)
    ranker     `ItemRanker.ease`, the top-N ranker `Recommender` keeps (EASE over at most `max_items` movies)
    train      `movierec train --dataset NAME` (all of the above, the co-watching view, and save)
    similar    warm `movierec similar` on the saved model
    recommend  warm `movierec recommend --user 1`
    eval-P     `evaluate` of protocol P with the models of `--eval-models` that P can score

The exponent of a stage is the slope of log(seconds) against log(ratings) over the shapes run (a least-squares
line; it needs two shapes or more), and the last column extrapolates that line to ml-32m's 32,000,204 ratings.
Extrapolations are estimates, labelled as such; only the measured columns are measurements.
"""
import argparse, json, os, shutil, sys, tempfile, time
from contextlib import nullcontext
from pathlib import Path
import numpy as np

SHAPES = {  # published users, movies and ratings of each release, and its layout
    'ml-100k': (943, 1_682, 100_000, 'ml-100k'), 'ml-1m': (6_040, 3_883, 1_000_209, 'dat'),
    'ml-10m': (69_878, 10_681, 10_000_054, 'dat'), 'ml-25m': (162_541, 62_423, 25_000_095, 'csv'),
    'ml-32m': (200_948, 87_585, 32_000_204, 'csv')}
STAGES = ('load', 'tfidf', 'content', 'collab', 'ranker', 'train', 'similar', 'recommend')
ML32M = 32_000_204

CHILD = r"""
import json, sys, time, warnings
warnings.filterwarnings('ignore')
stage, name, arg = sys.argv[1], sys.argv[2], sys.argv[3]
from movierec.data import load_movielens           # imports come first: a stage's seconds are its work alone
from movierec.content import tfidf_docs, content_embeddings
from movierec.collab import fit_collab
from movierec.hybrid import ItemRanker
from movierec.evaluation import evaluate, PROTOCOL_MODELS
t = time.perf_counter()
ml = load_movielens(name, progress=False)
if stage != 'load': t = time.perf_counter()
out = {}
if stage == 'tfidf': X, vocab = tfidf_docs(ml); out = dict(columns=X.shape[1])
elif stage == 'content': content_embeddings(ml, progress=False)
elif stage == 'collab': fit_collab(ml, train=ml.ratings, progress=False)
elif stage == 'ranker': ItemRanker.ease(ml)
elif stage.startswith('eval-'):                    # the protocol's own models among those asked for
    evaluate([m for m in PROTOCOL_MODELS[stage[5:]] if m in arg.split(',')], ml, stage[5:], progress=False)
print(json.dumps(dict(seconds=time.perf_counter() - t, **out)))
"""

def child_peak(cmd, env, errfile):
    "Wall seconds, peak memory (GiB) and the last stdout line of `cmd`, run by fork/exec so wait4 reads its own peak"
    t = time.perf_counter()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r); os.dup2(w, 1); os.environ.clear(); os.environ.update(env)
        err = os.open(errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(err, 2)
        os.execvp(cmd[0], cmd)
    os.close(w)
    with os.fdopen(r) as f: out = f.read()
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t
    if status: sys.exit(f"{' '.join(map(str, cmd[:3 if cmd[1] == '-c' else 2]))}... failed (status {status}):\n"
                        + Path(errfile).read_text()[-3000:])
    lines = out.strip().splitlines()
    return wall, ru.ru_maxrss / 2**20, lines[-1] if lines else ''

def make_release(shape, fraction, data_dir, seed=0):
    "Write a synthetic release shaped like `shape` (times `fraction`) with rich text; returns its size"
    sys.path.insert(0, str(Path(__file__).parent))
    from content import rich_vocab
    from movierec.data import synth_movielens, write_release, get_release
    nu, nm, nr, fmt = SHAPES[shape]
    nu, nm, nr = (max(int(x * fraction), 50) for x in (nu, nm, nr))
    ml = synth_movielens(nu, nm, nr, seed=seed, tag_pct=0.0)
    ml = rich_vocab(ml, n_tags=max(nr // 16, 1000), seed=seed)
    write_release(ml, Path(data_dir) / get_release(shape).folder, fmt)
    return dict(users=nu, movies=nm, ratings=nr), int(ml.ratings.movieId.iloc[0])

def release_in(d, shape, fraction):
    "The synthetic release in `d`: made and written there unless an earlier run finished it (its `made.json`)"
    d = Path(d); made = d / 'made.json'
    if made.exists(): return json.loads(made.read_text()), 'reused'
    t = time.perf_counter(); size,movie = make_release(shape, fraction, d / 'data')
    got = dict(size=size, movie=movie)
    made.write_text(json.dumps(got))                  # written last: a release cut off half-way is made again
    return got, f'{time.perf_counter() - t:.0f} s to make and write'

def measure(shape, fraction, stages, eval_protos, eval_models, tmp=None, keep=None):
    "One row per stage for one synthetic release (kept in `keep`/SHAPE-xFRACTION and reused, if given)"
    kept = Path(keep) / f'{shape}-x{fraction:g}' if keep else None
    with nullcontext(kept) if kept else tempfile.TemporaryDirectory(dir=tmp) as d:
        d = Path(d); d.mkdir(parents=True, exist_ok=True)
        data, models = d / 'data', d / 'models'
        got,how = release_in(d, shape, fraction); size,movie = got['size'], got['movie']
        print(f"{shape} x {fraction:g}: {size['users']:,} users, {size['movies']:,} movies, {size['ratings']:,} "
              f"ratings ({how})", flush=True)
        env = {**os.environ, 'MOVIEREC_DATA': str(data), 'MOVIEREC_MODELS': str(models), 'MOVIEREC_QUIET': '1',
               'PYTHONWARNINGS': 'ignore'}
        py, cli = [sys.executable, '-c', CHILD], [str(Path(sys.executable).parent / 'movierec')]
        rows = []
        todo = [s for s in STAGES if s in stages] + [f'eval-{p}' for p in eval_protos]
        if 'load' not in todo: child_peak(py + ['load', shape, ''], env, d / 'stderr')          # the cache the others read
        for s in todo:
            if s == 'load':                           # cold: a kept release's Parquet cache (this script's) goes first
                from movierec.data import get_release
                shutil.rmtree(data / f'{get_release(shape).folder}.parquet', ignore_errors=True)
            if s == 'train': cmd = cli + ['train', '--dataset', shape]
            elif s == 'similar': cmd = cli + ['similar', f'id:{movie}', '--dataset', shape]
            elif s == 'recommend': cmd = cli + ['recommend', '--user', '1', '--dataset', shape]
            else: cmd = py + [s, shape, eval_models]
            if s in ('similar', 'recommend') and not any(models.glob(f'{shape}-*')):
                print(f"  {s}: skipped (no trained model; run the train stage too)"); continue
            wall, peak, last = child_peak(cmd, env, d / 'stderr')
            got = json.loads(last) if s not in ('train', 'similar', 'recommend') else dict(seconds=wall)
            secs = got['seconds']
            rows.append(dict(shape=shape, fraction=fraction, **size, stage=s, seconds=round(secs, 2),
                             peak_gib=round(peak, 2)))
            print(f"  {s}: {secs:.1f} s, {peak:.2f} GiB peak"
                  + (f" ({got['columns']:,} TF-IDF columns)" if 'columns' in got else ''), flush=True)
            if s == 'train':      # the command's own per-stage times (its last stderr line)
                said = [l for l in (d / 'stderr').read_text().splitlines() if l.startswith('Trained on')]
                if said: print(f"    {said[-1]}", flush=True); rows[-1]['detail'] = said[-1]
    return rows

def exponents(rows):
    "Per stage: the fitted exponent of seconds against ratings, and the line's value at ml-32m's size"
    out = {}
    for s in dict.fromkeys(r['stage'] for r in rows):
        pts = [(r['ratings'], r['seconds']) for r in rows if r['stage'] == s and r['seconds'] > 0]
        if len({n for n, _ in pts}) < 2: continue
        x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
        b, a = np.polyfit(x, y, 1)
        out[s] = dict(exponent=round(float(b), 2), at_ml32m_s=round(float(np.exp(a + b * np.log(ML32M)))))
    return out

def table(rows, exps):
    import pandas as pd
    d = pd.DataFrame(rows)
    d['size'] = d.ratings.map(lambda n: f'{n/1e6:.3g}M')
    t = d.pivot_table(index='stage', columns='size', values=['seconds', 'peak_gib'], sort=False)
    t = t[sorted(t.columns, key=lambda c: (c[0] != 'seconds', float(c[1][:-1])))]
    if exps:
        e = pd.DataFrame(exps).T
        t[('exponent', '')] = e.exponent; t[('ml-32m s (extrapolated)', '')] = e.at_ml32m_s
    return t.to_string(float_format=lambda v: f'{v:,.2f}')

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--shapes', default='ml-100k,ml-1m,ml-10m', help=f"comma-separated, from {', '.join(SHAPES)}")
    p.add_argument('--fraction', default='1,1,0.3', help='a size factor per shape (comma-separated) or one for all')
    p.add_argument('--stages', default=','.join(STAGES), help='comma-separated stages (see above)')
    p.add_argument('--eval', default='topn,item2item', help="protocols to evaluate (comma-separated; '' for none)")
    p.add_argument('--eval-models', default='popularity,ease-graded,tfidf-knn,item-knn',
                   help="models to score, each in the protocols that can use it (see PROTOCOL_MODELS)")
    p.add_argument('--json', help='also write the rows to this file')
    p.add_argument('--add', help="rows of an earlier run (its --json file) to put in the table and the fit")
    p.add_argument('--tmp', help='where the temporary releases go (default: the system temporary folder)')
    p.add_argument('--keep', help='keep each release and its models in this folder, and reuse a release made there')
    a = p.parse_args()
    shapes = a.shapes.split(',')
    bad = [s for s in shapes if s not in SHAPES]
    if bad: sys.exit(f"unknown shape {bad[0]!r}; choose from {', '.join(SHAPES)}")
    fr = [float(f) for f in a.fraction.split(',')]
    fr = fr * len(shapes) if len(fr) == 1 else fr
    if len(fr) != len(shapes): sys.exit("--fraction takes one factor, or one per shape")
    stages, protos = a.stages.split(','), [x for x in a.eval.split(',') if x]
    rows = json.loads(Path(a.add).read_text()) if a.add else []
    for s, f in zip(shapes, fr):
        rows += measure(s, f, stages, protos, a.eval_models, a.tmp, a.keep)
        if a.json: Path(a.json).write_text(json.dumps(rows, indent=1))
    import torch
    print(f"\nseconds and GiB; peak = the stage process's resident memory high-water mark; "
          f"CPU, {torch.get_num_threads()} threads{', GPU present' if torch.cuda.is_available() else ''}")
    print(table(rows, exponents(rows)))

if __name__ == '__main__': main()

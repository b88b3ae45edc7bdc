"""Cold (CSV) and warm (Parquet) load time and peak memory of `load_movielens`.

    python benchmarks/data.py            # ml-latest-small and a synthetic 25M-rating release
    python benchmarks/data.py --n-ratings 1000000 --json

Each load runs in a fresh Python process, so its peak resident memory (`ru_maxrss`) is its own; the
table also shows the process's memory after imports, before any data is read. The synthetic release has
ml-25m's shape (162,541 users, 62,423 movies) and is written in ml-25m's CSV layout into a temporary
data folder, so a cold load goes through the same parser as the real archive.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

CHILD = r"""
import json, sys, time
from movierec.data import load_movielens
hwm = lambda: int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])/1024  # peak RSS of this process, in MB (reset at exec, unlike ru_maxrss)
base = hwm()
t = time.perf_counter(); ml = load_movielens(sys.argv[1], data_dir=sys.argv[2] or None, progress=False)
dt = time.perf_counter() - t
print(json.dumps(dict(seconds=dt, peak_mb=hwm(),
                      imports_mb=base, ratings=len(ml.ratings))))
"""

def load_once(name, data_dir):
    out = subprocess.run([sys.executable, '-c', CHILD, name, str(data_dir or '')], capture_output=True, text=True,
                         env={**os.environ, 'MOVIEREC_QUIET': '1'})
    if out.returncode: sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])

def measure(label, name, data_dir, cache):
    "Cold load (Parquet cache removed) then warm load (cache present)"
    import shutil
    if cache.exists(): shutil.rmtree(cache)
    cold = load_once(name, data_dir)
    warm = load_once(name, data_dir)
    return [dict(dataset=label, load=k, ratings=v['ratings'], seconds=round(v['seconds'], 2),
                 peak_mb=round(v['peak_mb']), imports_mb=round(v['imports_mb'])) for k,v in (('cold', cold), ('warm', warm))]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n-ratings', type=int, default=25_000_095, help='size of the synthetic release')
    p.add_argument('--skip-small', action='store_true', help='skip ml-latest-small')
    p.add_argument('--json', action='store_true', help='print JSON instead of a table')
    a = p.parse_args()
    from movierec.data import get_movielens, synth_movielens, write_release
    rows = []
    if not a.skip_small:
        folder = get_movielens('ml-latest-small')
        rows += measure('ml-latest-small', 'ml-latest-small', None, folder.parent/f'{folder.name}.parquet')
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        syn = synth_movielens(162_541, 62_423, a.n_ratings, seed=0)
        write_release(syn, Path(d)/'ml-25m', 'csv')
        made = time.perf_counter() - t
        del syn
        rows += measure(f'synthetic {a.n_ratings/1e6:g}M', 'ml-25m', d, Path(d)/'ml-25m.parquet')
    if a.json: return print(json.dumps(rows, indent=1))
    cols = list(rows[0])
    w = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print(' | '.join(c.ljust(w[c]) for c in cols)); print('-+-'.join('-'*w[c] for c in cols))
    for r in rows: print(' | '.join(str(r[c]).ljust(w[c]) for c in cols))
    print(f'(synthetic release generated and written in {made:.0f} s; not part of the load times)')

if __name__ == '__main__': main()

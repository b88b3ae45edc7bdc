"""Resident memory of a long collaborative training, with and without `TrimHeap` (glibc's `malloc_trim`).

    python benchmarks/heap.py                      # 12M synthetic ratings, 2 epochs, batches of 16,384
    python benchmarks/heap.py --n-ratings 6000000 --epochs 1

Each row trains EmbeddingDotBias with fused AdamW (the large-release optimiser) and batches of 16,384 on
a synthetic release (`synth_movielens`, 1 user per 160 ratings and 1 movie per 370, as ml-32m), in a fresh process.
The row `off` turns `TrimHeap` into a no-op. Resident memory (the process's RSS from /proc) is read after the first
training batch and after the fit, and its peak (VmHWM) at the end; seconds are the fit's alone. Linux only.

    python benchmarks/heap.py --content            # the content autoencoder instead, 2 epochs

`--content` trains the content autoencoder (`content_learner` with the large-release optimiser) for two epochs on an
ml-32m-sized catalogue (87,585 movies, ml-32m-like text from benchmarks/content.py, TF-IDF capped at 10,000 tokens),
three ways: with `TrimHeap`; with `TrimHeap` and every block of 4 MiB or more served by mmap (glibc's
M_MMAP_THRESHOLD, movierec's earlier fix); and with neither.
"""
import argparse, json, subprocess, sys

CHILD = r"""
import json, sys, time, warnings
warnings.filterwarnings('ignore')
from fastai.callback.core import Callback
from movierec.data import synth_movielens
from movierec.collab import collab_model
import movierec.content as content
n, epochs, trim = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == 'on'
if not trim: content.TrimHeap._trim = lambda self: None
rss = lambda: int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**30
hwm = lambda: int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 2**20
class First(Callback):
    def after_batch(self):
        if self.epoch == 0 and self.iter == 0: self.learn.first_rss = rss()
ml = synth_movielens(n // 160, n // 370, n, seed=0, tag_pct=0.0)
m = collab_model(ml, train=ml.ratings, bs=16_384)
m.learn.add_cb(First())
t = time.perf_counter(); m.fit(epochs, 5e-3, progress=False)
print(json.dumps(dict(seconds=time.perf_counter() - t, first=m.learn.first_rss, last=rss(), peak=hwm())))
"""

CONTENT = r"""
import ctypes, json, sys, time, warnings
warnings.filterwarnings('ignore')
sys.path.insert(0, sys.argv[2])
from content import rich_vocab
from movierec.data import synth_movielens
import movierec.content as content
mode = sys.argv[1]
if mode == 'trim+mmap': ctypes.CDLL('libc.so.6').mallopt(-3, 1 << 22)   # M_MMAP_THRESHOLD = 4 MiB
if mode == 'neither': content.TrimHeap._trim = lambda self: None
ml = rich_vocab(synth_movielens(200_948, 87_585, 3_000_000, seed=0, tag_pct=0.0), n_tags=2_000_000, seed=0)
X, _ = content.tfidf_docs(ml)
learn = content.content_learner(X, opt_func=content.default_opt(len(ml.ratings)))
rss = lambda: int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**30
t = time.perf_counter(); content.train_one_cycle(learn, 2, 3e-3, False)
print(json.dumps(dict(seconds=time.perf_counter() - t, last=rss())))
"""

def child(script, *args):
    "The JSON line `script` prints last, run with `args` in a fresh Python process"
    out = subprocess.run([sys.executable, '-c', script, *map(str, args)], capture_output=True, text=True)
    if out.returncode: sys.exit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])

def content_rows():
    from pathlib import Path
    print("Content autoencoder, 87,585 movies x 10,000 tokens, 2 epochs (GiB, s)")
    print(f"{'heap':>10} {'after fit':>10} {'seconds':>8}")
    for mode in ('trim', 'trim+mmap', 'neither'):
        r = child(CONTENT, mode, Path(__file__).parent)
        print(f"{mode:>10} {r['last']:>10.2f} {r['seconds']:>8.1f}")

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--n-ratings', type=int, default=12_000_000)
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--content', action='store_true', help='the content autoencoder instead (see above)')
    a = p.parse_args()
    if a.content: return content_rows()
    print(f"EmbeddingDotBias, {a.n_ratings:,} synthetic ratings, {a.epochs} epochs, batches of 16,384 (GiB, s)")
    print(f"{'TrimHeap':>8} {'after batch 1':>14} {'after fit':>10} {'peak':>6} {'seconds':>8}")
    for trim in ('off', 'on'):
        r = child(CHILD, a.n_ratings, a.epochs, trim)
        print(f"{trim:>8} {r['first']:>14.2f} {r['last']:>10.2f} {r['peak']:>6.2f} {r['seconds']:>8.1f}")

if __name__ == '__main__': main()

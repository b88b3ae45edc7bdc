"""One evaluation protocol with its default models on a big release, each model's fit and scoring timed as it goes.

    MOVIEREC_DATA=DIR python benchmarks/protocol.py topn --dataset ml-32m     # DIR: benchmarks/scale.py's release
    python benchmarks/protocol.py item2item --models tfidf-knn,item-knn --users 0   # some models, every test user

A line is printed when each model starts and ends fitting, so a run stopped early still shows where its time went:
a model's scoring time is the gap between the end of its fit and the start of the next model's.
"""
import argparse, resource, time, warnings
warnings.filterwarnings('ignore')
from movierec.data import load_movielens
from movierec.evaluation import evaluate, MODELS, PROTOCOL_MODELS, EVAL_MAX_USERS

def timed(name, fn, t0):
    "`fn` (a model factory) printing when it starts and how long the fit took"
    def f(ctx):
        t = time.perf_counter(); print(f"[{t-t0:7.0f} s] fitting {name}", flush=True)
        m = fn(ctx); print(f"[{time.perf_counter()-t0:7.0f} s] fitted {name} in {time.perf_counter()-t:.0f} s", flush=True)
        return m
    return f

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('protocol', choices=list(PROTOCOL_MODELS))
    p.add_argument('--dataset', default='ml-32m'); p.add_argument('--models', help="comma-separated; default: the protocol's")
    p.add_argument('--users', type=int, default=EVAL_MAX_USERS, help='test users scored (0: all)')
    a = p.parse_args()
    names = a.models.split(',') if a.models else PROTOCOL_MODELS[a.protocol]
    ml = load_movielens(a.dataset, progress=False)
    t0 = time.perf_counter()
    res = evaluate({n: timed(n, MODELS[n], t0) for n in names}, ml, a.protocol, progress=False, max_users=a.users or None)
    print(res.round(4).to_string())
    print('skipped:', res.attrs['skipped'])
    print(f"total {time.perf_counter()-t0:.0f} s, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20:.2f} GiB")

"""Autoencoder levers for the content view, against its own TF-IDF input, on item2item neighbours.

    python benchmarks/content_ae.py                 # ml-latest-small, split seed 42, validation split
    python benchmarks/content_ae.py --seed 43 --json

Each row trains the content autoencoder of movierec.content with one change (reconstruction loss, input dropout,
bottleneck width) and scores its embeddings' neighbours with movierec.evaluation's item2item protocol on a validation
split carved from the seed's training ratings (the test split is never used). `tfidf-knn` is the input itself.
"""
import argparse, json, time, warnings
import torch
from torch import nn
warnings.filterwarnings('ignore')
from movierec.data import load_movielens
from movierec import content as C
from movierec.baselines import ViewModel
from movierec.evaluation import Context, eval_item2item, protocol_split
from movierec.split import user_split

def mult_loss(pred, targ):
    "Multinomial log-likelihood of the row's tokens (Mult-DAE), weighted by their TF-IDF values"
    return -(torch.log_softmax(pred, 1)*targ).sum(1).div(targ.sum(1).clamp_min(1e-6)).mean()

class InputDropout(nn.Module):
    "Drop input tokens at random while training (a denoising autoencoder)"
    def __init__(self, p): super().__init__(); self.p = p
    def forward(self, x): return nn.functional.dropout(x, self.p, self.training)

def embed(X, seed, loss=C.recon_loss, p_in=0., dim=64, epochs=10):
    learn = C.content_learner(X, dim=dim, seed=seed)
    learn.loss_func = loss
    if p_in: learn.model.encoder = nn.Sequential(InputDropout(p_in), *learn.model.encoder)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, 3e-3)
    return C.encode(learn, X)

VARIANTS = {
    'autoencoder, cosine loss (default)': {},
    'autoencoder, multinomial loss': dict(loss=mult_loss),
    'autoencoder, multinomial loss, input dropout 0.5': dict(loss=mult_loss, p_in=0.5),
    'autoencoder, multinomial loss, input dropout 0.5, dim 128': dict(loss=mult_loss, p_in=0.5, dim=128),
    'autoencoder, cosine loss, input dropout 0.5': dict(p_in=0.5),
}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default='ml-latest-small')
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--json', action='store_true')
    a = p.parse_args()
    ml = load_movielens(a.dataset, progress=False)
    train,_ = protocol_split(ml, 'item2item', a.seed)
    tr,va = user_split(train, 0.2, a.seed)
    ctx = Context(ml, tr, va, a.seed)
    X,_ = C.tfidf_docs(ml)
    rows = []
    def score(name, E, t):
        r = eval_item2item(ViewModel(ml, E, name=name).fit(tr), ctx)
        rows.append(dict(model=name, **{m: round(r[m], 4) for m in ('hitrate@10', 'genre_overlap', 'coverage')},
                         seconds=round(time.perf_counter() - t, 1)))
    score('tfidf-knn (the input)', X, time.perf_counter())
    for name,kw in VARIANTS.items():
        t = time.perf_counter(); score(name, embed(X, a.seed, **kw), t)
    if a.json: return print(json.dumps(rows, indent=1))
    print(f"{a.dataset} · item2item on a validation split of split seed {a.seed}'s training ratings")
    w = max(len(r['model']) for r in rows)
    print(f"{'model':<{w}}  hitrate@10  genre_overlap  coverage  seconds")
    for r in rows: print(f"{r['model']:<{w}}  {r['hitrate@10']:10.4f}  {r['genre_overlap']:13.4f}  {r['coverage']:8.4f}  {r['seconds']:7.1f}")

if __name__ == '__main__': main()

"Baselines and evaluation: metrics against a per-user loop (hypothesis), ranking rules, bad input, `movierec evaluate` end to end"
import json, os, subprocess, sys
import numpy as np, pandas as pd, pytest, scipy.sparse as sp
from hypothesis import given, settings, strategies as st
from movierec.data import synth_movielens, write_release, MovieLensError
from movierec.split import user_split
from movierec.baselines import (CannotDoError, GlobalMean, Popularity, ItemKNN, UserKNN, WeightedRating, ViewModel,
                                rank_movies, ratings_matrix, EASE)
from movierec.ranking import DLAE, dlae_weights
from movierec.evaluation import hit_matrix, ranking_metrics, evaluate, relevant_matrix, beyond_accuracy, genre_matrix

def _slow_metrics(recs, rel_sets, k):
    "The textbook definitions, one user at a time"
    out = {m: [] for m in ('precision', 'recall', 'ndcg', 'map', 'hitrate', 'mrr')}
    for r,rel in zip(recs, rel_sets):
        h = [int(x in rel) for x in r[:k]]
        out['precision'].append(sum(h)/k); out['recall'].append(sum(h)/len(rel))
        dcg = sum(x/np.log2(i+2) for i,x in enumerate(h)); idcg = sum(1/np.log2(i+2) for i in range(min(len(rel), k)))
        out['ndcg'].append(dcg/idcg)
        out['map'].append(sum(sum(h[:i+1])/(i+1) for i,x in enumerate(h) if x) / min(len(rel), k))
        out['hitrate'].append(float(sum(h) > 0))
        out['mrr'].append(next((1/(i+1) for i,x in enumerate(h) if x), 0.))
    return {f'{m}@{k}': np.mean(v) for m,v in out.items()}

@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(1, 6), st.integers(0, 10_000))
def test_metrics_match_definitions(n_users, k, seed):
    g = np.random.default_rng(seed); n = 15
    recs = np.stack([g.permutation(n)[:k] for _ in range(n_users)])
    recs[g.random(recs.shape) < 0.1] = -1                              # some empty slots
    rel_sets = [set(g.choice(n, g.integers(1, 6), replace=False).tolist()) for _ in range(n_users)]
    rel = sp.csr_matrix((np.ones(sum(map(len, rel_sets)), bool),
                         (np.repeat(np.arange(n_users), [len(s) for s in rel_sets]), [x for s in rel_sets for x in sorted(s)])), shape=(n_users, n))
    got = ranking_metrics(hit_matrix(recs, rel), [len(s) for s in rel_sets], k)
    want = _slow_metrics(recs, rel_sets, k)
    for m in want: assert got[m] == pytest.approx(want[m]), m
    assert all(0 <= v <= 1 for v in got.values())

@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.floats(0., 0.9), st.floats(0.1, 50.), st.integers(0, 10_000))
def test_dlae_solves_its_normal_equations(m, p, lam, seed):
    "B = (G + Λ)⁻¹G: the expected dropout loss is flat there; a movie seen by nobody gets no weights"
    X = sp.random(30, m, density=0.4, format='csr', random_state=seed, dtype=np.float32)
    G = (X.T @ X).toarray().astype(np.float64)
    Lam = np.diag(p / (1 - p) * np.diag(G) + lam)
    B = dlae_weights(X, lam, p).astype(np.float64)
    assert np.abs((G + Lam) @ B - G).max() <= 1e-3 * max(1., np.abs(G).max())
    empty = np.diag(G) == 0
    assert np.abs(B[empty]).max(initial=0) < 1e-6 and np.abs(B[:, empty]).max(initial=0) < 1e-6

@pytest.fixture(scope='module')
def ml(): return synth_movielens(120, 260, 6_000, seed=5, tag_pct=0.2)

@pytest.fixture(scope='module')
def split(ml): return user_split(ml.ratings, 0.2, seed=0)

@pytest.mark.parametrize('cls', [Popularity, ItemKNN, UserKNN, WeightedRating, DLAE])
def test_rank_never_returns_rated_or_excluded(ml, split, cls):
    train,_ = split
    m = cls(ml).fit(train)
    users = train.userId.unique()[:30]
    cand = np.zeros(ml.n_movies, bool); cand[::3] = True
    recs = m.rank(users, 10, candidates=cand)
    R = ratings_matrix(ml, train)
    for u,r in zip(ml.user_map.encode(users), recs):
        r = r[r >= 0]
        assert not set(r) & set(R[u].indices) and cand[r].all() and len(set(r)) == len(r)

def test_rank_pads_when_few_candidates(ml, split):
    m = Popularity(ml).fit(split[0])
    cand = np.zeros(ml.n_movies, bool); cand[np.flatnonzero(m.n_train > 0)[:3]] = True
    recs = m.rank(split[0].userId.unique()[:5], 6, candidates=cand)
    assert (recs[:, 3:] == -1).all()

def test_bad_input(ml, split):
    train,test = split
    with pytest.raises(CannotDoError, match='cannot rank'): rank_movies(GlobalMean(ml).fit(train), [1], 5)
    with pytest.raises(ValueError, match='positive'): Popularity(ml).fit(train).rank([int(train.userId.iloc[0])], 0)
    with pytest.raises(ValueError, match='not smaller than the catalogue'): evaluate(['popularity'], ml, 'topn', k=ml.n_movies)
    with pytest.raises(MovieLensError, match='No held-out rating'): relevant_matrix(ml, test.assign(rating=1.0))
    with pytest.raises(MovieLensError, match='outside'): Popularity(ml).fit(train.assign(rating=7.0))
    with pytest.raises(MovieLensError, match='empty'): Popularity(ml).fit(train.head(0))
    with pytest.raises(ValueError, match='one row per movie'): ViewModel(ml, np.ones((3, 2)))
    with pytest.raises(CannotDoError, match='cannot predict'): evaluate(['popularity'], ml, 'rating')
    with pytest.raises(ValueError, match='Pass the release'): evaluate(['popularity'])

def test_users_without_relevant_items_are_left_out(ml, split):
    train,test = split
    rows,rel = relevant_matrix(ml, test)
    assert (np.diff(rel.indptr) > 0).all()
    liked_users = test[test.rating >= 4].userId.unique()
    assert len(rows) == len(liked_users)

def test_beyond_accuracy_empty_lists(ml):
    r = beyond_accuracy(np.full((3, 4), -1), np.ones(ml.n_movies), ml.n_users, genre_matrix(ml))
    assert r['coverage'] == 0 and np.isnan(r['novelty'])

def test_evaluate_is_reproducible(ml):
    a = evaluate(['popularity', 'user-knn'], ml, 'topn', seed=3)
    b = evaluate(['popularity', 'user-knn'], ml, 'topn', seed=3)
    pd.testing.assert_frame_equal(a.drop(columns=['fit_s', 'eval_s']), b.drop(columns=['fit_s', 'eval_s']))

def test_cli_evaluate(tmp_path):
    data = tmp_path/'data'
    small = synth_movielens(100, 300, 5_000, seed=6, tag_pct=0.2)
    write_release(small, data/'ml-latest-small', 'csv')
    env = {**os.environ, 'MOVIEREC_DATA': str(data), 'MOVIEREC_QUIET': '1'}
    run = lambda *a: subprocess.run([sys.executable, '-c', 'from movierec.cli import _main; _main()', 'evaluate', *a],
                                    capture_output=True, text=True, env=env, timeout=600)
    r = run('--protocol', 'topn', '--models', 'popularity,item-knn', '--json')
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [o['model'] for o in out] == ['popularity', 'item-knn'] and 0 <= out[0]['ndcg@10'] <= 1
    t = run('--protocol', 'rating', '--models', 'global-mean,bias')
    assert t.returncode == 0 and 'rmse' in t.stdout and 'bias' in t.stdout
    bad = run('--protocol', 'rating', '--models', 'popularity')
    assert bad.returncode == 2 and 'cannot predict' in bad.stderr and 'Traceback' not in bad.stderr
    assert run('--protocol', 'nonsense').returncode == 2

def test_item2item_counts_low_support_neighbours():
    "`low_support@k` is the mean number of neighbours per list with fewer than 3 training ratings"
    from movierec.evaluation import Context, eval_item2item
    ml = synth_movielens(150, 1500, 6_000, seed=2)          # a long tail of barely-rated movies
    train, test = user_split(ml.ratings, 0.2, seed=0)
    n = np.bincount(ml.movie_map.encode(train.movieId.to_numpy()), minlength=ml.n_movies)
    class Fixed:                                   # every list is the same movies
        def __init__(self, rows): self.rows = rows
        def similar(self, rows, k=10): return np.zeros((len(rows), k), np.float32), np.tile(self.rows[:k], (len(rows), 1))
    ctx = Context(ml, train, test)
    rare, common = np.flatnonzero(n < 3), np.flatnonzero(n >= 3)
    assert len(rare) >= 10
    assert eval_item2item(Fixed(rare), ctx)['low_support@10'] == 10
    assert eval_item2item(Fixed(common), ctx)['low_support@10'] == 0
    assert eval_item2item(Fixed(np.r_[rare[:4], common[:6]]), ctx)['low_support@10'] == 4

def test_strong_protocol_ranks_new_users_from_what_they_told():
    "Held-out users are never trained on, what they told is never recommended, and a model without fold-in is refused"
    from movierec.evaluation import Context, eval_strong, protocol_split
    ml = synth_movielens(300, 400, 20_000, seed=4)
    train, given, test = protocol_split(ml, 'strong', seed=1)
    assert not set(train.userId) & set(test.userId)
    seen = []
    class Spy(Popularity):
        def score_rows(self, X):
            seen.append(X.copy()); return super().score_rows(X)
    ctx = Context(ml, train, test, given=given)
    pop = Spy(ml).fit(train)
    r = eval_strong(pop, ctx)
    assert 0 < r['users'] <= given.userId.nunique() and 0 <= r['ndcg@10'] <= 1
    assert seen[0].shape[0] == r['users'] and seen[0].nnz > 0      # the model was shown the told ratings
    # a model that scores every told movie highest still cannot recommend them
    class Cheat(Popularity):
        def score_rows(self, X): return np.asarray(X.todense(), np.float32)*1e6 + super().score_rows(X)
    cheat = Cheat(ml).fit(train)
    assert eval_strong(cheat, ctx)['ndcg@10'] == pytest.approx(r['ndcg@10'])
    # scored a block of users at a time (no users × movies array for all of them at once), with the same answers
    seen.clear(); assert eval_strong(pop, ctx, block=7) == r
    assert max(x.shape[0] for x in seen) == 7 and sum(x.shape[0] for x in seen) == r['users']
    ease = EASE(ml).fit(train); assert eval_strong(ease, ctx, block=5) == eval_strong(ease, ctx)
    with pytest.raises(CannotDoError, match='not trained on'): eval_strong(ItemKNN(ml).fit(train), ctx)
    res = evaluate(['popularity', 'ease'], ml, 'strong', seed=1)
    assert list(res.index) == ['popularity', 'ease'] and res.attrs['test'] == len(test)

def test_cli_evaluate_skips_a_model_too_big(tmp_path, monkeypatch, capsys):
    "A model that refuses the release's size is skipped in CLI words; the others are scored; all skipped: exit 2"
    import movierec.evaluation as ev
    from movierec.cli import main
    data = tmp_path/'data'
    write_release(synth_movielens(100, 300, 5_000, seed=6, tag_pct=0.2), data/'ml-latest-small', 'csv')
    monkeypatch.setenv('MOVIEREC_DATA', str(data)); monkeypatch.setenv('MOVIEREC_QUIET', '1')
    monkeypatch.setitem(ev.MODELS, 'user-knn', lambda ctx: UserKNN(ctx.ml, max_users=10).fit(ctx.train))
    assert main(['evaluate', '--protocol', 'topn', '--models', 'popularity,user-knn', '--json']) == 0
    out, err = capsys.readouterr()
    assert [o['model'] for o in json.loads(out)] == ['popularity']
    assert 'movierec evaluate: Skipped user-knn:' in err and 'max_users=100' in err and 'Traceback' not in err
    assert main(['evaluate', '--protocol', 'topn', '--models', 'user-knn']) == 2
    assert 'Every model was skipped' in capsys.readouterr().err

def test_cli_evaluate_max_users(tmp_path, monkeypatch, capsys):
    "--users scores a sample of the test users; a negative count is refused in CLI words"
    from movierec.cli import main
    data = tmp_path/'data'
    write_release(synth_movielens(100, 300, 5_000, seed=6, tag_pct=0.2), data/'ml-latest-small', 'csv')
    monkeypatch.setenv('MOVIEREC_DATA', str(data)); monkeypatch.setenv('MOVIEREC_QUIET', '1')
    assert main(['evaluate', '--protocol', 'topn', '--models', 'popularity', '--users', '20', '--json']) == 0
    assert [o['users'] for o in json.loads(capsys.readouterr().out)] == [20]
    assert main(['evaluate', '--protocol', 'topn', '--models', 'popularity', '--users', '0', '--json']) == 0
    assert json.loads(capsys.readouterr().out)[0]['users'] > 20
    assert main(['evaluate', '--users', '-1']) == 2
    err = capsys.readouterr().err
    assert '--users is a number of test users' in err and 'Traceback' not in err

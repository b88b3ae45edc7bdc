"Collaborative models on synthetic data: mapping, predictions, top-N, new users, bad input"
import numpy as np, pandas as pd, pytest, torch
from movierec.data import synth_movielens, MovieLensError, UnknownIdError
from movierec.split import random_split
from movierec.collab import fit_collab, collab_dls, CollabModel, NotFittedError, _user_scores

@pytest.fixture(scope='module')
def ml(): return synth_movielens(300, 400, 20_000, seed=1)

@pytest.fixture(scope='module')
def dot(ml): return fit_collab(ml, epochs=3, progress=False)

@pytest.fixture(scope='module')
def net(ml): return fit_collab(ml, use_nn=True, epochs=2, progress=False)

def test_vocab_maps_back_to_rows(ml, dot):
    cls = dot.learn.dls.classes['movie']
    known = np.flatnonzero(dot.movie_idx)
    assert [cls[i] for i in dot.movie_idx[known]] == known.tolist()
    assert dot.known.sum() == len(cls) - 1
    # movies absent from training are unknown, with zero rows and NaN bias
    emb = dot.movie_embeddings()
    assert (emb[~dot.known] == 0).all() and np.isnan(dot.movie_bias()[~dot.known]).all()
    assert np.abs(emb[dot.known]).sum(1).min() > 0

def test_unknown_movies_are_those_without_training_ratings(ml, dot):
    train,_ = random_split(ml.ratings, 0.1, seed=42)
    rated = np.zeros(ml.n_movies, bool); rated[ml.movie_map.encode(train.movieId.to_numpy())] = True
    assert (rated == dot.known).all()
    assert (dot.n_train[dot.known] > 0).all() and (dot.n_train[~dot.known] == 0).all()

@pytest.mark.parametrize('which', ['dot', 'net'])
def test_predict_matches_fastai_and_stays_in_range(ml, which, request):
    m = request.getfixturevalue(which)
    _,valid = random_split(ml.ratings, 0.1, seed=42)
    p = m.predict(valid.userId.to_numpy(), valid.movieId.to_numpy())
    mse = float(m.learn.validate()[0])
    assert p.shape == (len(valid),) and np.isclose(((p - valid.rating.to_numpy())**2).mean(), mse, rtol=1e-4)
    assert ((p >= 0.5) & (p <= 5.5)).all()

@pytest.mark.parametrize('which', ['dot', 'net'])
def test_recommend_agrees_with_predict_and_skips_rated(ml, which, request):
    m = request.getfixturevalue(which)
    u = int(ml.ratings.userId.iloc[0])
    rec = m.recommend(u, k=7)
    assert len(rec) == 7 and rec.prediction.is_monotonic_decreasing
    assert np.allclose(m.predict(np.full(7, u), rec.movieId.to_numpy()), rec.prediction, atol=1e-3)
    rated = set(ml.movies.movieId.to_numpy()[m.rated[int(ml.user_map.encode(u))].indices])
    assert not rated & set(rec.movieId)
    # no unrated known movie scores higher than the last one returned
    rows = np.flatnonzero(m.known & ~np.isin(ml.movies.movieId.to_numpy(), list(rated)))
    allp = m.predict(np.full(len(rows), u), ml.movies.movieId.to_numpy()[rows])
    assert allp.max() <= rec.prediction.iloc[0] + 1e-3 and np.sort(allp)[-7] >= rec.prediction.iloc[-1] - 1e-3

def test_rank_is_recommend_for_many_users(ml, dot):
    users = ml.ratings.userId.unique()[:40]
    R = dot.rank(users, k=5, block=16)
    for j in (0, 17, 39):
        assert (ml.movies.movieId.to_numpy()[R[j]] == dot.recommend(users[j], k=5).movieId.to_numpy()).all()

def test_k_larger_than_catalogue_pads(ml, dot):
    u = int(ml.ratings.userId.iloc[0])
    R = dot.rank([u], k=ml.n_movies + 5)
    n = int(dot.known.sum()) - dot.rated[int(ml.user_map.encode(u))][:, dot.known].nnz
    assert (R[0] >= 0).sum() == n and (R[0, n:] == -1).all()

def test_new_user_fit_reproduces_a_known_user(ml, dot):
    "A user's own training ratings, fitted against the frozen movies, predict like the trained user"
    u = int(ml.ratings.userId.value_counts().index[0])
    row = int(ml.user_map.encode(u))
    tr = dot.rated[row].indices
    r = ml.ratings[ml.ratings.userId == u]
    vals = dict(zip(ml.movie_map.encode(r.movieId.to_numpy()), r.rating.to_numpy()))
    y = np.array([vals[i] for i in tr], np.float32)
    U,ub = dot.fit_user(tr, y, l2=1e-3)
    fitted = _user_scores(dot.learn.model, U, ub, torch.as_tensor(dot.movie_idx[tr]))[0].numpy()
    trained = dot.predict(np.full(len(tr), u), ml.movies.movieId.to_numpy()[tr])
    assert np.sqrt(((fitted - y)**2).mean()) <= np.sqrt(((trained - y)**2).mean()) + 0.05

def test_recommend_for_by_title_and_id(ml, dot):
    t = ml.movies.title.iloc[int(np.argmax(dot.n_train))]
    a = dot.recommend_for({t: 5, int(ml.movies.movieId.iloc[1]): 1}, k=5)
    assert len(a) == 5 and ml.movies.movieId.iloc[1] not in set(a.movieId)

def test_bad_input(ml, dot):
    with pytest.raises(ValueError, match='at least one rating'): dot.recommend_for({})
    with pytest.raises(ValueError, match='0.5 to 5'): dot.recommend_for({int(ml.movies.movieId.iloc[0]): 0})
    with pytest.raises(KeyError, match='ml.find'): dot.recommend_for({'no such film at all qqq': 4})
    with pytest.raises(UnknownIdError, match='recommend_for'): dot.recommend(-5)
    with pytest.raises(ValueError, match='positive'): dot.recommend(int(ml.ratings.userId.iloc[0]), k=-1)
    with pytest.raises(KeyError, match='userId'): dot.predict([-5], [int(ml.movies.movieId.iloc[0])])
    bad = ml.ratings.assign(rating=ml.ratings.rating * 2)
    with pytest.raises(MovieLensError, match='outside 0.5..5.0'): fit_collab(ml, train=bad.iloc[:100], valid=bad.iloc[100:200])
    with pytest.raises(MovieLensError, match='pass `valid`'): fit_collab(ml, train=ml.ratings.iloc[:100].reset_index(drop=True).set_axis(range(10**7, 10**7+100)))

def test_cold_users_in_the_split(ml):
    train,valid = random_split(ml.ratings, 0.1, seed=0)
    gone = ml.ratings.userId.unique()[:3]                 # three users whose ratings are all held out
    valid = pd.concat([valid, train[train.userId.isin(gone)]]); train = train[~train.userId.isin(gone)]
    with pytest.raises(MovieLensError, match='user_split'): collab_dls(ml, train, valid)
    d = collab_dls(ml, train, valid, cold_users='drop')
    seen = set(train.userId)
    assert len(d.valid_ds) == valid.userId.isin(seen).sum()
    m = fit_collab(ml, train, valid, cold_users='keep', epochs=1, progress=False)
    cold = valid[~valid.userId.isin(seen)]
    p = m.predict(cold.userId.to_numpy(), cold.movieId.to_numpy())   # the average user, not a random vector
    assert np.isfinite(p).all()
    with pytest.raises(UnknownIdError, match='no training ratings'): m.recommend(int(cold.userId.iloc[0]))

def test_not_fitted(ml, dot):
    m = CollabModel(ml, dot.learn, random_split(ml.ratings, 0.1, seed=42)[0])
    for f in (m.movie_embeddings, m.view, lambda: m.predict([1], [1]), lambda: m.recommend(1)):
        with pytest.raises(NotFittedError, match=r'\.fit\(\)'): f()

def test_seeded(ml):
    a = fit_collab(ml, epochs=1, seed=3, progress=False).movie_embeddings()
    b = fit_collab(ml, epochs=1, seed=3, progress=False).movie_embeddings()
    assert np.array_equal(a, b)

def _reference_fit(m, rows, r, l2=3.0, steps=8):
    "One user's ridge Gauss-Newton with its full Jacobian taken by `torch.autograd.functional.jacobian`"
    from movierec.collab import _tables
    model = m.model.eval(); uw,ub,_,_ = _tables(model); d = uw.weight.shape[1]
    theta0 = uw.weight[1:].mean(0).detach()
    if ub is not None: theta0 = torch.cat([theta0, ub.weight[1:, 0].mean()[None].detach()])
    m_fa,y = torch.as_tensor(m.movie_idx[rows]),torch.as_tensor(r)
    def f(t): return _user_scores(model, t[None, :d], t[None, d] if ub is not None else None, m_fa, grad=True)[0]
    theta = theta0.clone()
    for _ in range(steps):
        J = torch.autograd.functional.jacobian(f, theta)
        with torch.no_grad():
            theta = theta + torch.linalg.solve(J.T @ J + l2*torch.eye(len(theta)), J.T @ (y - f(theta)) - l2*(theta - theta0))
    return theta

@pytest.mark.parametrize('which', ['dot', 'net'])
def test_fit_users_is_each_users_own_fit(ml, which, request):
    "A batch of new users, one with no ratings, fitted together: each equals its own Gauss-Newton with a full Jacobian"
    import scipy.sparse as sp
    m = request.getfixturevalue(which); g = np.random.default_rng(0)
    known = np.flatnonzero(m.known)
    picks = [g.choice(known, n, replace=False) for n in (1, 4, 0, 25)]
    rs = [g.choice(np.arange(1, 11) / 2, len(p)).astype(np.float32) for p in picks]
    X = sp.csr_matrix((np.concatenate(rs), (np.repeat(np.arange(4), [len(p) for p in picks]), np.concatenate(picks))),
                      shape=(4, ml.n_movies))
    U,ub = m.fit_users(X)
    got = torch.cat([U, ub[:, None]], 1) if ub is not None else U
    for i,(p,r) in enumerate(zip(picks, rs)):
        if len(p): assert torch.allclose(got[i], _reference_fit(m, np.sort(p), r[np.argsort(p)]), atol=1e-4), i
    assert torch.allclose(got[2], _reference_fit(m, known[:0], np.zeros(0, np.float32), steps=0))   # no ratings: the average user
    S = m.score_rows(X, bs=2)                                        # blocks of two rows: the same scores
    assert np.isinf(S[2]).all()
    np.testing.assert_allclose(S[[0, 1, 3]], m.score_rows(X[[0, 1, 3]]), atol=1e-5)

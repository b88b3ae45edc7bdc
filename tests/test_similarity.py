"The similarity engine against brute force (hypothesis), and its bad inputs."
import numpy as np, pytest, scipy.sparse as sp
from hypothesis import given, settings, strategies as st
from movierec.similarity import topk_cosine, brute_topk, CosineIndex

@st.composite
def matrices(draw):
    n, d = draw(st.integers(2, 120)), draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32-1)))
    kind = draw(st.sampled_from(['normal', 'ties', 'zeros']))
    X = rng.normal(size=(n, d)).astype(np.float32)
    if kind == 'ties': X = rng.integers(-1, 2, size=(n, d)).astype(np.float32)   # many equal cosines
    if kind == 'zeros': X[rng.random(n) < 0.3] = 0
    return X, draw(st.integers(1, n-1))

@settings(max_examples=80, deadline=None)
@given(matrices(), st.booleans(), st.sampled_from([7, 64, 2048]))
def test_equals_brute_force(Xk, screen, block):
    X, k = Xk
    s, i = topk_cosine(X, k, screen=screen, block=block)
    bs, bi = brute_topk(X, k)
    np.testing.assert_allclose(s, bs, atol=1e-5)
    # every returned item really has the returned score (float64 brute force, float32 engine)
    Xn = X / np.maximum(np.linalg.norm(X.astype(np.float64), axis=1, keepdims=True), 1e-300)
    S = np.where(np.linalg.norm(X, axis=1)[:, None] > 0, Xn, 0) @ np.where(np.linalg.norm(X, axis=1)[:, None] > 0, Xn, 0).T
    np.testing.assert_allclose(np.take_along_axis(S, i, 1), s, atol=1e-5)
    # where no other item's score is within float32 rounding, the order is exactly brute force's
    for r in range(len(X)):
        others = np.delete(S[r], r)
        for j in range(k):
            if (np.abs(others - bs[r, j]) <= 1e-5).sum() == 1: assert i[r, j] == bi[r, j]
    assert not np.isnan(s).any()
    assert (i != np.arange(len(X))[:, None]).all()          # never the query itself

@settings(max_examples=30, deadline=None)
@given(matrices())
def test_sparse_equals_dense(Xk):
    X, k = Xk
    (ss, si), (ds, di) = topk_cosine(sp.csr_matrix(X), k), topk_cosine(X, k, screen=False)
    np.testing.assert_allclose(ss, ds, atol=1e-5)        # equal up to float32 rounding, which may reorder near-ties
    assert ((si == di) | np.isclose(ss, ds, atol=1e-5)).all()

def test_deterministic_ties():
    X = np.ones((6, 3), np.float32)                          # every pair has cosine 1
    s, i = topk_cosine(X, 3)
    np.testing.assert_array_equal(i[0], [1, 2, 3]); np.testing.assert_array_equal(i[5], [0, 1, 2])
    np.testing.assert_allclose(s, 1, atol=1e-6)

def test_exclude_and_short_lists():
    X = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    ex = np.ones(10, bool); ex[[2, 3]] = False                # only items 2 and 3 may be returned
    s, i = topk_cosine(X, 3, queries=[0, 2], exclude=ex)
    assert set(i[0][:2]) == {2, 3} and i[0][2] == -1 and np.isneginf(s[0][2])
    assert i[1][0] == 3 and (i[1][1:] == -1).all()

@pytest.mark.parametrize('k, msg', [(0, 'positive integer'), (-1, 'positive integer'), (2.5, 'positive integer'), (10, 'k <= 9')])
def test_bad_k(k, msg):
    with pytest.raises(ValueError, match=msg): topk_cosine(np.eye(10, dtype=np.float32), k)

def test_nan_and_shape():
    X = np.eye(5, dtype=np.float32); X[3, 1] = np.nan
    with pytest.raises(ValueError, match='row 3'): topk_cosine(X, 2)
    Xs = sp.csr_matrix(np.eye(5, dtype=np.float32)); Xs.data[2] = np.inf
    with pytest.raises(ValueError, match='row 2'): topk_cosine(Xs, 2)
    with pytest.raises(ValueError, match='2-d'): topk_cosine(np.ones(5, np.float32), 2)
    with pytest.raises(IndexError, match='0..4'): CosineIndex(np.eye(5, dtype=np.float32)).topk([7], 2)

@pytest.mark.parametrize('kind', ['normal', 'ties'])
def test_wide_catalogue_paths_agree(kind):
    "Catalogues wide enough for the chunk-maxima paths (screened and float32) give the answer of the plain full-row top-k"
    rng = np.random.default_rng(3)
    n, d, k = 40_000, 8, 5
    X = rng.normal(size=(n, d)).astype(np.float32)
    if kind == 'ties': X = rng.integers(-1, 2, size=(n, d)).astype(np.float32)   # a few hundred distinct directions
    q = rng.choice(n, 128, replace=False)
    ex = rng.random(n) < 0.1
    s1, i1 = CosineIndex(X, screen=True, block=64).topk(q, k, exclude=ex)
    s2, i2 = CosineIndex(X, screen=False, block=64).topk(q, k, exclude=ex)
    np.testing.assert_array_equal(i1, i2); np.testing.assert_allclose(s1, s2, atol=1e-6)   # bmm and mm round differently
    # the reference: float32 scores of the same unit rows, one full row at a time, ties to the lower index
    E = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-30)
    for r, qq in enumerate(q):
        sc = (E @ E[qq]).astype(np.float32); sc[qq] = -np.inf; sc[ex] = -np.inf
        o = np.lexsort((np.arange(n), -sc))[:k]
        np.testing.assert_allclose(s1[r], sc[o], atol=1e-5)
        if kind == 'ties': np.testing.assert_array_equal(i1[r], o)   # exact ties: the lowest indices, in order

def test_screen_fallback_rows():
    "Rows the bfloat16 screen cannot settle (masses of exact ties, cosines of 0, too few allowed items) take the float32 path, in the same block as rows it settles"
    n, k = 40_000, 5
    X = np.zeros((n, 66), np.float32)
    X[np.arange(n-2), np.arange(n-2) % 64] = 1           # 64 directions, 625 identical items each
    X[:200, 65] = np.random.default_rng(0).random(200)    # 200 items with their own slight tilt: ordinary rows
    X[n-2, 64] = 1; X[n-1, 64] = -1                       # orthogonal to everything but each other
    q = np.r_[np.arange(190), n-2, n-1]
    for screen in (True, False):
        s, i = CosineIndex(X, screen=screen, block=256).topk(q, k)
        E = X / np.linalg.norm(X, axis=1, keepdims=True)
        for r, qq in enumerate(q):
            sc = (E @ E[qq]).astype(np.float32); sc[qq] = -np.inf
            o = np.lexsort((np.arange(n), -sc))[:k]
            np.testing.assert_allclose(s[r], sc[o], atol=1e-5)
            np.testing.assert_array_equal(i[r], o)
        np.testing.assert_array_equal(i[-2], [0, 1, 2, 3, 4])        # cosine 0 with everything but one: lowest indices
        np.testing.assert_array_equal(i[-1], [0, 1, 2, 3, 4])
    ex = np.ones(n, bool); ex[[300, 700, 1100]] = False                # only three items allowed
    s, i = CosineIndex(X, screen=True, block=256).topk(q, k, exclude=ex)
    assert (np.sort(i[:, :3], 1) == [300, 700, 1100]).all() and (i[:, 3:] == -1).all() and np.isneginf(s[:, 3:]).all()

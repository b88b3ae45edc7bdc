"Property tests of the splits: disjoint, complete, seeded, temporal where they claim to be."
import numpy as np, pandas as pd, pytest
from hypothesis import given, settings, strategies as st
from movierec.split import random_split, user_split, time_split, leave_last, cold_items_split, split_report, heldout_users_split

@st.composite
def ratings_frames(draw, min_rows=1):
    n = draw(st.integers(min_rows, 300))
    seed = draw(st.integers(0, 2**32-1))
    n_users, n_movies = draw(st.integers(1, 30)), draw(st.integers(1, 40))
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(dict(userId=rng.integers(1, n_users+1, n).astype('int32'),
                           movieId=rng.integers(1, n_movies+1, n).astype('int32'),
                           rating=(rng.integers(1, 11, n)/2).astype('float32'),
                           timestamp=rng.integers(0, draw(st.integers(1, 50)), n).astype('int64')))  # many ties
    start = draw(st.integers(0, 5))
    return df.set_index(pd.RangeIndex(start, start+n))   # an index that does not start at 0

pcts = st.floats(0.01, 0.99)
SPLITS = [lambda r, p, s: random_split(r, p, s), lambda r, p, s: user_split(r, p, s),
          lambda r, p, s: time_split(r, p), lambda r, p, s: leave_last(r, max(1, int(p*5))),
          lambda r, p, s: cold_items_split(r, p, s)]

@settings(max_examples=60, deadline=None)
@given(ratings_frames(), pcts, st.integers(0, 1000), st.sampled_from(range(len(SPLITS))))
def test_disjoint_complete_deterministic(r, pct, seed, which):
    f = SPLITS[which]
    trn, val = f(r, pct, seed)
    assert trn.index.intersection(val.index).empty
    assert sorted(trn.index.tolist() + val.index.tolist()) == r.index.tolist()
    pd.testing.assert_frame_equal(pd.concat([trn, val]).sort_index(), r)   # rows unchanged
    trn2, val2 = f(r, pct, seed)
    assert trn.index.equals(trn2.index) and val.index.equals(val2.index)

@settings(max_examples=60, deadline=None)
@given(ratings_frames(), pcts)
def test_time_split_is_temporal(r, pct):
    trn, val = time_split(r, pct)
    if len(trn) and len(val): assert trn.timestamp.max() <= val.timestamp.min()
    assert len(val) == round(len(r)*pct)

@settings(max_examples=60, deadline=None)
@given(ratings_frames(), pcts, st.integers(0, 1000))
def test_user_split_keeps_every_user(r, pct, seed):
    trn, val = user_split(r, pct, seed)
    assert set(trn.userId) == set(r.userId)
    n = r.userId.value_counts()
    got = val.userId.value_counts().reindex(n.index, fill_value=0)
    assert (got == np.minimum(np.floor(n*pct), n-1)).all()

@settings(max_examples=60, deadline=None)
@given(ratings_frames(), st.integers(1, 5))
def test_leave_last_is_temporal_per_user(r, n):
    trn, val = leave_last(r, n)
    assert set(trn.userId) == set(r.userId)
    for u, v in val.groupby('userId'):
        assert len(v) == min(n, (r.userId == u).sum() - 1)
        assert trn[trn.userId == u].timestamp.max() <= v.timestamp.min()

@settings(max_examples=60, deadline=None)
@given(ratings_frames(), pcts, st.integers(0, 1000))
def test_cold_items_share_no_movie(r, pct, seed):
    trn, val = cold_items_split(r, pct, seed)
    assert not set(trn.movieId) & set(val.movieId)
    rep = split_report(trn, val)
    assert rep['cold_movies'] == val.movieId.nunique() and rep['cold_valid_ratings'] == len(val)

@settings(max_examples=60, deadline=None)
@given(ratings_frames(), pcts, pcts, st.integers(0, 1000))
def test_heldout_users_are_never_trained_on(r, pct, input_pct, seed):
    trn, given, held = heldout_users_split(r, pct, input_pct, seed)
    parts = pd.concat([trn, given, held])
    assert sorted(parts.index.tolist()) == r.index.tolist()                 # disjoint and complete
    assert not set(trn.userId) & (set(given.userId) | set(held.userId))
    assert set(held.userId) <= set(given.userId)                              # each held-out user tells at least one
    assert given.userId.nunique() == round(r.userId.nunique()*pct)
    n = pd.concat([given, held]).userId.value_counts()
    told = given.userId.value_counts().reindex(n.index)
    assert (told == np.maximum(1, np.round(n*input_pct))).all()
    again = heldout_users_split(r, pct, input_pct, seed)
    assert all(a.index.equals(b.index) for a, b in zip((trn, given, held), again))

def test_different_seeds_differ():
    r = pd.DataFrame(dict(userId=np.repeat(np.arange(20), 20), movieId=np.tile(np.arange(20), 20),
                          rating=4.0, timestamp=np.arange(400)))
    assert not random_split(r, 0.2, 1)[1].index.equals(random_split(r, 0.2, 2)[1].index)
    assert not user_split(r, 0.2, 1)[1].index.equals(user_split(r, 0.2, 2)[1].index)

@pytest.mark.parametrize('bad', [0, 1, -0.1, 1.5])
def test_bad_fraction(bad):
    r = pd.DataFrame(dict(userId=[1], movieId=[1], rating=[4.0], timestamp=[0]))
    for f in (random_split, user_split, time_split, cold_items_split):
        with pytest.raises(ValueError, match='between 0 and 1'): f(r, bad)

def test_bad_frames():
    with pytest.raises(ValueError, match='missing'): random_split(pd.DataFrame(dict(user=[1], movieId=[1])))
    with pytest.raises(ValueError, match='timestamp'): time_split(pd.DataFrame(dict(userId=[1], movieId=[1])))
    with pytest.raises(ValueError, match='at least 1'): leave_last(pd.DataFrame(dict(userId=[1], movieId=[1], timestamp=[1])), 0)

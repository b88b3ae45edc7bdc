"Hybrid recommender and command line on small synthetic data: save/load, bad folders, bad options, CLI end to end"
import json, os, shlex, subprocess, sys
import numpy as np, pandas as pd, pytest, torch
from movierec.data import synth_movielens, write_release, MovieLensError, MovieLens, file_hash
from movierec.similarity import View
from movierec.hybrid import Recommender, hybrid_rows, support_weight

@pytest.fixture(scope='module')
def ml(): return synth_movielens(200, 300, 12_000, seed=2, tag_pct=0.3)

@pytest.fixture(scope='module')
def rec(ml): return Recommender.from_movielens(ml, content_epochs=2, collab_epochs=2, progress=False)

def test_save_load_identical(rec, tmp_path):
    rec.save(tmp_path/'m')
    r2 = Recommender.load(tmp_path/'m')
    t = rec.ml.movies.title.iloc[5]
    for v in ('hybrid', 'content', 'collab'):
        pd.testing.assert_frame_equal(rec.similar(t, 7, view=v), r2.similar(t, 7, view=v))
    u = int(rec.ml.ratings.userId.iloc[0])
    pd.testing.assert_frame_equal(rec.recommend(u, 5), r2.recommend(u, 5))
    pd.testing.assert_frame_equal(rec.recommend_for({t: 5}, 5), r2.recommend_for({t: 5}, 5))

def test_save_replaces_atomically(rec, tmp_path):
    rec.save(tmp_path/'m'); rec.save(tmp_path/'m')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['.m.lock', 'm']   # no temporary or old folders left; the lock file stays

def _flip_middle_byte(p):
    b = bytearray(p.read_bytes()); b[len(b)//2] ^= 0xFF; p.write_bytes(bytes(b))

def _bad_ranker(d):
    "A ranker.npz that reads fine but points past the catalogue"
    with np.load(d/'ranker.npz') as z: a = dict(z)
    a['indices'] = a['indices'] + 10**6; np.savez(d/'ranker.npz', **a)

def _edit_config(d, **changes):
    (d/'config.json').write_text(json.dumps({**json.loads((d/'config.json').read_text()), **changes}))

@pytest.mark.parametrize('damage,msg', [
    (lambda d: (d/'views.npz').write_bytes((d/'views.npz').read_bytes()[:500]), 'damaged'),
    (lambda d: (d/'collab.pt').write_bytes(b'not a torch file'), 'damaged'),
    (lambda d: (d/'collab.pt').write_bytes((d/'collab.pt').read_bytes()[:3000]), 'damaged'),
    (lambda d: _flip_middle_byte(d/'collab.pt'), 'damaged'),
    (lambda d: (d/'movies.parquet').unlink(), 'missing movies.parquet'),
    (lambda d: (d/'config.json').write_text('{"format": "something else"}'), 'does not describe'),
    (lambda d: (d/'config.json').write_text('{'), 'unreadable'),
    (lambda d: _edit_config(d, format_version=99), 'format 99, written by a newer movierec'),
    (lambda d: _edit_config(d, format_version=1), 'format version 1'),
    (lambda d: _edit_config(d, n_movies=7), 'expected'),
    (lambda d: (d/'ranker.npz').write_bytes((d/'ranker.npz').read_bytes()[:400]), 'damaged'),
    (lambda d: (d/'ranker.npz').unlink(), 'missing ranker.npz'),
    (_bad_ranker, 'ranker.npz is damaged'),
    (lambda d: _flip_middle_byte(d/'ratings.parquet'), 'ratings.parquet is damaged'),
    (lambda d: _flip_middle_byte(d/'movies.parquet'), 'movies.parquet is damaged'),
    (lambda d: _edit_config(d, files={}), 'SHA-256'),
])
def test_bad_model_folders(rec, tmp_path, damage, msg):
    d = rec.save(tmp_path/'m'); damage(d)
    with pytest.raises(MovieLensError, match=msg): Recommender.load(d)

def test_foreign_folder(tmp_path):
    (tmp_path/'x').mkdir(); (tmp_path/'x'/'hello.txt').write_text('hi')
    with pytest.raises(MovieLensError, match='config.json is missing'): Recommender.load(tmp_path/'x')

def test_state_dict_is_not_pickle_code(rec, tmp_path):
    "collab.pt is read with weights_only=True: a pickled object is refused"
    d = rec.save(tmp_path/'m')
    torch.save({'x': object()}, d/'collab.pt')           # and a manifest that agrees: only weights_only stops it
    from movierec.data import file_hash
    _edit_config(d, files={**json.loads((d/'config.json').read_text())['files'], 'collab.pt': file_hash(d/'collab.pt')})
    with pytest.raises(MovieLensError, match='damaged'): Recommender.load(d, lazy=False)
    r = Recommender.load(d)                   # lazy: the model is read, and refused, on first use
    with pytest.raises(MovieLensError, match='collab.pt is damaged'): r.model

def test_similar_from_a_saved_model_needs_no_torch(rec, tmp_path):
    "Loading a saved model and answering `similar` imports neither torch, fastai nor scikit-learn (the warm CLI's second)"
    d = rec.save(tmp_path/'m')
    code = ("import sys; from movierec.hybrid import Recommender; r = Recommender.load(sys.argv[1]); "
            "t = r.ml.movies.title.iloc[5]; [r.similar(t, 5, view=v) for v in ('hybrid', 'content', 'collab')]; "
            "print(sorted(m for m in ('torch', 'fastai', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, '-c', code, str(d)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == '[]', out

def test_bad_options(rec, ml):
    t = ml.movies.title.iloc[0]
    with pytest.raises(ValueError, match='positive'): rec.similar(t, k=0)
    with pytest.raises(ValueError, match='0 or more'): rec.similar(t, w_content=-1)
    with pytest.raises(ValueError, match='above 0'): rec.similar(t, w_content=0, w_collab=0)
    with pytest.raises(ValueError, match='one of hybrid'): rec.similar(t, view='both')
    with pytest.raises(KeyError): rec.similar('zzzz qqqq xxxx')
    with pytest.raises(ValueError, match='0 or more'): Recommender.from_movielens(ml, w_collab=-0.5)

def test_k_larger_than_catalogue(rec, ml):
    res = rec.similar(ml.movies.title.iloc[0], k=10_000)
    assert len(res) == ml.n_movies - 1 and res.score.is_monotonic_decreasing

def test_weights_select_views(rec, ml):
    t = ml.movies.title.iloc[3]
    c = rec.similar(t, 10, w_content=1, w_collab=0, mu=0)
    assert np.allclose(c.score, c.content, atol=1e-4)
    k = rec.similar(t, 10, w_content=0, w_collab=1, lam=0)
    both = k.collab.notna()
    assert np.allclose(k.score[both], k.collab[both], atol=1e-4)
    with pytest.raises(TypeError, match='Unknown hybrid weight'): rec.similar(t, 10, lamda=3)

def test_cold_movie_uses_content_alone(ml):
    cold = int(ml.movies.movieId.iloc[0])
    ml2 = MovieLens(ml.ratings[ml.ratings.movieId != cold].reset_index(drop=True), ml.movies, ml.tags)
    r = Recommender.from_movielens(ml2, content_epochs=1, collab_epochs=1, progress=False)
    res = r.similar(cold, 20, mu=0)
    assert set(res.source) == {'content'} and np.allclose(res.score, r.config['w_content'] * res.content, atol=1e-4)
    with pytest.raises(KeyError, match='no ratings'): r.similar(cold, view='collab')

def test_hybrid_rows_match_formula():
    g = np.random.default_rng(3)
    cv, kv = View(g.normal(size=(30, 5))), View(g.normal(size=(30, 4)), known=g.random(30) > .2, support=g.integers(0, 50, 30))
    rows, den = hybrid_rows(cv, kv, 0.3, 0.7, lam=10, mu=2)
    u = lambda X: X / np.linalg.norm(X, axis=1, keepdims=True)
    n = kv.support * kv.known
    a, r = support_weight(n, 10) * kv.known, (n + 1) / (n + 3)
    K = np.nan_to_num(u(kv.emb) @ u(kv.emb).T)            # unknown rows are zero; their weight is 0 anyway
    H = 0.3 * np.outer(r, r) * (u(cv.emb) @ u(cv.emb).T) + 0.7 * np.outer(a, a) * K
    assert np.allclose(den, 1) and np.allclose(rows @ rows.T, H, atol=1e-5)

def test_low_support_candidates_need_more_content():
    "Two candidates with the same cosines in both views: the one with more ratings behind it scores higher"
    c, k = np.array([[1., 0], [1, .1], [1, .1]]), np.array([[1., 0], [1, .2], [1, .2]])
    rows, _ = hybrid_rows(View(c), View(k, support=[50, 2, 200]), lam=10, mu=1)
    s = rows @ rows[0]
    assert s[2] > s[1] > 0

def _cli(*args, env):
    return subprocess.run([sys.executable, '-c', 'from movierec.cli import _main; _main()', *args],
                          capture_output=True, text=True, env=env, timeout=600)

def test_cli_end_to_end(ml, tmp_path):
    "fetch → similar (trains, caches) → similar again (loads) → recommend, on a synthetic release written as ml-latest-small"
    data = tmp_path/'data'
    small = synth_movielens(150, 400, 8_000, seed=4, tag_pct=0.3)
    write_release(small, data/'ml-latest-small', 'csv')
    env = {**os.environ, 'MOVIEREC_DATA': str(data), 'MOVIEREC_MODELS': str(tmp_path/'models'), 'MOVIEREC_QUIET': '1'}
    title = small.movies.title.iloc[10]
    r = _cli('similar', title, '-k', '4', '--json', env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out) == 4 and {'movieId', 'title', 'score', 'content', 'collab'} <= set(out[0])
    assert all(f'{stage} ' in r.stderr for stage in ('load', 'content', 'collab', 'co-watching', 'ranker', 'save'))
    assert 'Trained on' in r.stderr and len([p for p in (tmp_path/'models').iterdir() if not p.name.endswith('.lock')]) == 1
    r2 = _cli('similar', title, '-k', '4', '--json', env=env)
    assert r2.returncode == 0 and json.loads(r2.stdout) == out and 'Trained' not in r2.stderr   # loaded, same answer
    r3 = _cli('similar', title, env=env)
    lines = r3.stdout.splitlines()                                # which movie, a header and the default 10 rows
    assert r3.returncode == 0 and len(lines) == 12 and lines[0].startswith(f'Movies like {title} [movieId '), lines[0]
    assert all(r['query'] == title for r in out)
    mid = int(small.movies.movieId.iloc[10])
    r5 = _cli('similar', f'id:{mid}', '-k', '4', '--json', env=env)
    assert r5.returncode == 0 and json.loads(r5.stdout) == out
    u = str(int(small.ratings.userId.iloc[0]))
    r4 = _cli('recommend', '--user', u, '-k', '3', '--json', env=env)
    assert r4.returncode == 0 and len(json.loads(r4.stdout)) == 3
    bad = _cli('similar', 'zzzz qqqq xxxx', env=env)
    assert bad.returncode == 2 and 'movierec similar:' in bad.stderr and 'Traceback' not in bad.stderr
    badk = _cli('similar', title, '-k', '0', env=env)
    assert badk.returncode == 2 and 'positive' in badk.stderr
    assert _cli('nonsense', env=env).returncode == 2
    assert _cli('search', title[:6], '--json', env=env).returncode == 0
    # a reader that stops early (`| head`) gets its lines and no traceback
    p = subprocess.run(f"{shlex.quote(sys.executable)} -c 'from movierec.cli import _main; _main()' similar {shlex.quote(title)} "
                       "-k 399 --json | head -2", shell=True, capture_output=True, text=True, env=env, timeout=600)
    assert p.stdout.count('\n') == 2 and 'Traceback' not in p.stderr and 'Broken' not in p.stderr, p.stderr

def test_save_load_without_collab_model(ml, tmp_path):
    "A Recommender built from views alone (no CollabModel) round-trips too"
    g = np.random.default_rng(0)
    known = g.random(ml.n_movies) < 0.8
    rec = Recommender(ml, View(g.normal(size=(ml.n_movies, 8)), name='content'),
                      View(g.normal(size=(ml.n_movies, 5)), known=known, support=np.where(known, 30, 0), name='collab'))
    r2 = Recommender.load(rec.save(tmp_path/'m'))
    t = ml.movies.title.iloc[3]
    pd.testing.assert_frame_equal(rec.similar(t, 5), r2.similar(t, 5))
    assert r2.model is None and r2.ml.n_users == ml.n_users

def test_item_ranker_is_the_dense_product_when_nothing_is_pruned():
    "With `keep` at least the number of movies, ItemRanker scores are exactly x·B over the movies in the model"
    from movierec.hybrid import ItemRanker
    import scipy.sparse as sp
    g = np.random.default_rng(0)
    for m,n in [(5, 9), (30, 40), (1, 3)]:
        items = np.sort(g.choice(n, m, replace=False)); B = g.normal(size=(m, m)).astype(np.float32)
        X = sp.csr_matrix((g.random((4, n)) < 0.3).astype(np.float32))
        S = ItemRanker.from_dense(B, items, n, keep=m).scores(X)
        np.testing.assert_allclose(S[:, items], X[:, items].toarray() @ B, rtol=1e-5, atol=1e-5)
        assert np.isinf(np.delete(S, items, axis=1)).all()
        kept = ItemRanker.from_dense(B, items, n, keep=2).W
        assert (np.diff(kept.tocsc().indptr)[items] <= 2).all()          # at most `keep` weights per movie

def test_recommend_for_a_new_user_skips_what_they_rated(rec):
    t = rec.ml.movies.title.iloc[:3].tolist()
    out = rec.recommend_for({x: 4 for x in t}, 8)
    assert len(out) == 8 and not out.title.isin(t).any() and out.score.is_monotonic_decreasing
    import copy
    from movierec.hybrid import ItemRanker
    r2 = copy.copy(rec); known = rec.ranker.known.copy(); known[:3] = False
    r2.ranker = ItemRanker(rec.ranker.W, known)                       # as if those three movies had no training ratings
    with pytest.raises(ValueError, match='training ratings'): r2.recommend_for({x: 4 for x in t})
    with pytest.warns(UserWarning, match='Ignored 1'): r2.recommend_for({t[0]: 4, rec.ml.movies.title.iloc[10]: 5})

def test_save_never_replaces_what_it_did_not_write(rec, tmp_path):
    "save refuses a folder holding anything but its own files, and a newer model; a damaged model of ours is replaced"
    from movierec.hybrid import NewerModelError
    mine = tmp_path/'x'; (mine/'photos').mkdir(parents=True); (mine/'notes.txt').write_text('keep')
    with pytest.raises(MovieLensError, match='not a movierec model folder'): rec.save(mine)
    assert sorted(p.name for p in mine.iterdir()) == ['notes.txt', 'photos'] and (mine/'notes.txt').read_text() == 'keep'
    with pytest.raises(MovieLensError, match='is a file'): rec.save(mine/'notes.txt')
    d = rec.save(tmp_path/'m'); (d/'config.json').write_text('{')              # damaged, but only our files: replaced
    assert Recommender.load(rec.save(d)).ml.n_movies == rec.ml.n_movies
    _edit_config(d, format_version=99)
    with pytest.raises(NewerModelError, match='newer movierec'): Recommender.load(d)
    with pytest.raises(NewerModelError, match='left alone'): rec.save(d)
    assert json.loads((d/'config.json').read_text())['format_version'] == 99

def test_cli_refuses_to_train_over_a_folder_it_did_not_write(tmp_path):
    "movierec train --out DIR on a folder of the user's: exit 2, one line, everything still there, no training"
    mine = tmp_path/'x'; (mine/'photos').mkdir(parents=True); (mine/'notes.txt').write_text('keep')
    r = _cli('train', '--out', str(mine), '--content_epochs', '1', env={**os.environ, 'MOVIEREC_DATA': str(tmp_path/'none')})
    assert r.returncode == 2 and 'not a movierec model folder' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert sorted(p.name for p in mine.iterdir()) == ['notes.txt', 'photos']

def test_unwritable_cache_still_answers(tmp_path, monkeypatch):
    "A model cache that cannot be written: the model is trained, the answer comes back, a warning says it was not kept"
    from movierec.cli import get_recommender
    small = synth_movielens(80, 400, 3_000, seed=6, tag_pct=0.3)
    write_release(small, tmp_path/'data'/'ml-latest-small', 'csv')
    (tmp_path/'file').write_text('not a folder')
    monkeypatch.setenv('MOVIEREC_DATA', str(tmp_path/'data')); monkeypatch.setenv('MOVIEREC_MODELS', str(tmp_path/'file'/'models'))
    with pytest.warns(UserWarning, match='cannot be saved'):
        rec = get_recommender(progress=False, content_epochs=1, collab_epochs=1)
    assert len(rec.similar(small.movies.title.iloc[3], 3)) == 3 and (tmp_path/'file').read_text() == 'not a folder'

def test_lazy_model_is_the_one_that_was_loaded(rec, tmp_path):
    "A recommender loaded lazily refuses a collab.pt saved over its folder later, instead of mixing two models"
    d = rec.save(tmp_path/'m'); r = Recommender.load(d)
    other = Recommender.from_movielens(rec.ml, seed=7, content_epochs=1, collab_epochs=1, progress=False)
    other.save(d)
    with pytest.raises(MovieLensError, match='changed after this model was loaded'): r.model
    assert Recommender.load(d).model is not None                  # loaded again, it is consistent

def test_lazy_ratings_are_the_ones_that_were_loaded(rec, tmp_path):
    "The ratings of a loaded model are read on first use, from the file `load` checked: a file saved over it is refused"
    d = rec.save(tmp_path/'m'); r = Recommender.load(d)
    other = Recommender.from_movielens(rec.ml, seed=7, content_epochs=1, collab_epochs=1, progress=False)
    other.save(d)
    with pytest.raises(MovieLensError, match='ratings.parquet changed after this model was loaded'): r.recommend(1)
    with pytest.raises(MovieLensError, match='ratings.parquet changed after this model was loaded'): r.ml.ratings
    assert len(Recommender.load(d).recommend(1)) == 10                  # loaded again, it is consistent

def test_lazy_ratings_damaged_after_load(rec, tmp_path):
    "ratings.parquet rewritten in place after `load` (same inode, new time): refused at first use, never trusted"
    d = rec.save(tmp_path/'m'); r = Recommender.load(d)
    p = d/'ratings.parquet'; b = bytearray(p.read_bytes()); b[len(b)//2] ^= 0x10
    with open(p, 'r+b') as f: f.write(bytes(b))
    with pytest.raises(MovieLensError, match='changed after this model was loaded'): r.ml.ratings

def test_loaded_ratings_disagree_with_views(rec, tmp_path):
    "A ratings.parquet whose users are not the saved users (with a manifest that agrees) is refused when read"
    d = rec.save(tmp_path/'m')
    pairs = pd.read_parquet(d/'ratings.parquet'); pairs = pairs[pairs.userId != pairs.userId.iloc[0]]
    pairs.to_parquet(d/'ratings.parquet')
    _edit_config(d, files={**json.loads((d/'config.json').read_text())['files'],
                           'ratings.parquet': file_hash(d/'ratings.parquet')})
    r = Recommender.load(d)
    with pytest.raises(MovieLensError, match='the ratings and the views disagree'): r.ml.ratings

def test_ctrl_c_during_training_is_one_line(tmp_path):
    "Ctrl-C while `movierec train` runs: exit 130, one line on stderr, no traceback, no half-written model"
    import signal, time
    data = tmp_path/'data'
    write_release(synth_movielens(300, 600, 20_000, seed=8, tag_pct=0.3), data/'ml-latest-small', 'csv')
    env = {**os.environ, 'MOVIEREC_DATA': str(data), 'MOVIEREC_MODELS': str(tmp_path/'models'), 'MOVIEREC_QUIET': '1'}
    p = subprocess.Popen([sys.executable, '-c', 'from movierec.cli import _main; _main()', 'train', '--content_epochs', '1000000'],
                         stderr=subprocess.PIPE, text=True, env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # as at a terminal: a CI job started
    # in the background has SIGINT ignored, children inherit that, and Python then never raises KeyboardInterrupt
    # Ctrl-C once training has begun: the Parquet cache is written right after the data is parsed, then training starts.
    # (A fixed 12 s delay is not enough: in one CI run the process went on for 120 s after it, in another it had finished.)
    manifest, t0 = data/'ml-latest-small.parquet'/'manifest.json', time.time()
    while not manifest.exists() and p.poll() is None and time.time() - t0 < 300: time.sleep(0.2)
    assert manifest.exists(), 'the data was never loaded'
    time.sleep(5); p.send_signal(signal.SIGINT)
    try: err = p.communicate(timeout=120)[1]
    finally: p.kill()
    assert p.returncode == 130 and 'Traceback' not in err and 'interrupted' in err, err
    assert len([l for l in err.splitlines() if l.strip()]) <= 2, err
    left = [p.name for p in (tmp_path/'models').iterdir()] if (tmp_path/'models').exists() else []
    assert all(n.endswith('.lock') for n in left), left             # only the (never deleted) lock file

def test_graded_ranker_reads_low_ratings_weakly(rec, tmp_path):
    "The shipped ranker reads a liked film as 1 and a low rating as `weak`, not as nothing; a saved model keeps both settings"
    import scipy.sparse as sp
    from movierec.hybrid import WEAK
    assert (rec.ranker.config['inputs'], rec.ranker.config['weak']) == ('graded', WEAK)
    rows = np.flatnonzero(rec.ranker.known)[:2]
    ids = rec.ml.movies.movieId.to_numpy()[rows]
    out = rec.recommend_for({int(ids[0]): 5, int(ids[1]): 1}, 5)
    S = rec.ranker.scores(sp.csr_matrix((np.array([1, WEAK], np.float32), ([0, 0], rows)), shape=(1, rec.ml.n_movies)))[0]
    S[rows] = -np.inf
    np.testing.assert_allclose(out.score.to_numpy(), np.sort(S)[::-1][:5], atol=1e-4)
    liked_only = rec.recommend_for({int(ids[0]): 5}, 5)
    assert not np.allclose(out.score.to_numpy(), liked_only.score.to_numpy())   # the 1-star film changed the list's scores
    rec.save(tmp_path/'m'); cfg = Recommender.load(tmp_path/'m').ranker.config
    assert (cfg['inputs'], cfg['weak']) == ('graded', WEAK)

def test_neighbours_export(tmp_path, monkeypatch):
    "movierec neighbours: the table `similar` answers from, refused over an existing file, never left half written"
    from movierec.cli import main
    data = tmp_path/'data'
    small = synth_movielens(120, 300, 6_000, seed=5, tag_pct=0.3)
    write_release(small, data/'ml-latest-small', 'csv')
    for k,v in dict(MOVIEREC_DATA=data, MOVIEREC_MODELS=tmp_path/'models', MOVIEREC_QUIET='1').items():
        monkeypatch.setenv(k, str(v))
    out = tmp_path/'out'/'nb.parquet'
    assert main(['neighbours', '--out', str(out), '-k', '4']) == 0
    tab = pd.read_parquet(out)
    assert set(tab.view) == {'hybrid', 'content', 'collab'} and tab.groupby(['view', 'movieId']).size().max() == 4
    assert len(tab[tab.view == 'content']) == 4 * small.n_movies          # every movie has its content neighbours
    from movierec.cli import get_recommender
    rec = get_recommender()
    mid = int(small.movies.movieId.iloc[7])
    got = tab[(tab.view == 'hybrid') & (tab.movieId == mid)].sort_values('rank').neighbour.tolist()
    assert got == rec.similar(mid, 4).movieId.tolist()
    before = out.read_bytes()
    assert main(['neighbours', '--out', str(out)]) == 2 and out.read_bytes() == before      # refused, untouched
    assert main(['neighbours', '--out', str(out.parent)]) == 2                             # a folder
    assert main(['neighbours', '--out', str(out), '--view', 'collab', '--overwrite']) == 0
    assert set(pd.read_parquet(out).view) == {'collab'}
    def dies(self, path, **kw):             # an export killed half way through writing
        open(path, 'wb').write(b'PAR1 half'); raise KeyboardInterrupt
    monkeypatch.setattr(pd.DataFrame, 'to_parquet', dies)
    new = tmp_path/'out'/'other.parquet'
    with pytest.raises(KeyboardInterrupt): main(['neighbours', '--out', str(new)])
    assert not new.exists() and sorted(p.name for p in out.parent.iterdir()) == ['nb.parquet']

def test_release_too_big_for_memory(tmp_path, monkeypatch, capsys):
    "Training that would need more memory than is free stops before it starts, saying how much and what lowers it"
    from movierec import cli
    small = synth_movielens(80, 400, 3_000, seed=6, tag_pct=0.3)
    write_release(small, tmp_path/'data'/'ml-latest-small', 'csv')
    monkeypatch.setenv('MOVIEREC_DATA', str(tmp_path/'data')); monkeypatch.setenv('MOVIEREC_MODELS', str(tmp_path/'models'))
    monkeypatch.setattr(cli, 'TRAIN_MEMORY', cli.TRAIN_MEMORY | dict(from_ratings=0))   # hold this small one to the line
    monkeypatch.setattr(cli, 'available_bytes', lambda: 2**29)
    assert cli.main(['train']) == 2
    err = capsys.readouterr().err
    assert 'needs about 0.8 GiB of memory at its peak and 0.5 GiB is free' in err and 'ranker=False' in err, err
    assert 'Traceback' not in err and not any((tmp_path/'models').glob('ml-latest-small-*/config.json'))

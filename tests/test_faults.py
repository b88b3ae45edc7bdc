"""The fault suite: damaged archives and caches, killed saves, full disks, two runs at once, stale temporary files.
Each case checks that movierec gives a clear error (or repairs what it owns) and never trusts or deletes the wrong thing;
conftest.py prints how many cases were tried and survived."""
import errno, json, os, shutil, signal, subprocess, sys, time, zipfile
from pathlib import Path
import numpy as np, pandas as pd, pytest
import movierec.data as data
from movierec.data import MovieLensError, Release, extract, get_movielens, load_movielens, synth_movielens, write_release, file_hash
from movierec.hybrid import Recommender, BadModelError

CLI = [sys.executable, '-c', 'from movierec.cli import _main; _main()']

@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    "Keep every test's fallback data folder inside its own tmp_path"
    monkeypatch.setattr(data, 'DEFAULT_DATA', tmp_path/'home-data')

@pytest.fixture(scope='module')
def small(): return synth_movielens(80, 400, 3000, seed=4, tag_pct=0.3)

def make_zip(tmp_path, ml, folder='ml-test'):
    src = write_release(ml, tmp_path/'src'/folder, 'csv')
    zp = tmp_path/'archives'/f'{folder}.zip'; zp.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(zp, 'w') as z:
        for f in sorted(src.iterdir()): z.write(f, f'{folder}/{f.name}')
    return zp, Release(folder, folder, 'csv', zp.stat().st_size, file_hash(zp), tags=True)

def temp_names(d):
    "What a crashed write leaves: movierec's hidden temporary names (lock files are kept on purpose)"
    return [p.name for p in Path(d).rglob('*') if p.name.startswith('.') and not p.name.endswith('.lock')]

# --- damaged archives: refused with a message, nothing unpacked, nothing half-written ---------------------------------
def _truncate(zp): zp.write_bytes(zp.read_bytes()[:len(zp.read_bytes())//2])
def _flip(zp):
    b = bytearray(zp.read_bytes()); b[len(b)//3] ^= 0x55; zp.write_bytes(bytes(b))
def _empty(zp): zp.write_bytes(b'')
def _not_zip(zp): zp.write_text('<html>404 Not Found</html>')

@pytest.mark.parametrize('damage', [_truncate, _flip, _empty, _not_zip])
def test_damaged_archive_is_refused(tmp_path, small, damage):
    zp, rel = make_zip(tmp_path, small); damage(zp)
    with pytest.raises(MovieLensError) as e: get_movielens(rel, data_dir=zp.parent)
    assert str(zp.name) in str(e.value) or 'ml-test' in str(e.value)
    assert not (zp.parent/'ml-test').exists() and temp_names(zp.parent) == []

def test_damaged_parquet_cache_is_parsed_again(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    ml = load_movielens(rel, data_dir=zp.parent)
    cache = zp.parent/'ml-test.parquet'/'ratings.parquet'
    b = bytearray(cache.read_bytes()); b[len(b)//2] ^= 0x01; cache.write_bytes(bytes(b))     # one flipped bit
    with pytest.warns(UserWarning, match='damaged'): ml2 = load_movielens(rel, data_dir=zp.parent)
    pd.testing.assert_frame_equal(ml2.ratings, ml.ratings)                                    # the true ratings, not the damaged ones
    pd.testing.assert_frame_equal(load_movielens(rel, data_dir=zp.parent).ratings, ml.ratings)  # and the cache was repaired

# --- full disks ------------------------------------------------------------------------------------------------------------
def test_no_room_is_refused_before_writing(tmp_path, small, monkeypatch):
    zp, rel = make_zip(tmp_path, small)
    monkeypatch.setattr(data.shutil, 'disk_usage', lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(MovieLensError, match='MB free'): get_movielens(rel, data_dir=zp.parent)
    assert not (zp.parent/'ml-test').exists() and temp_names(zp.parent) == []

def test_disk_full_during_extraction(tmp_path, small, monkeypatch):
    zp, rel = make_zip(tmp_path, small)
    def full(self, path, members=None, pwd=None):
        zipfile.ZipFile.extract(self, members[0], path); raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(zipfile.ZipFile, 'extractall', full)
    with pytest.raises(MovieLensError, match='nothing was left behind. Free some space'): get_movielens(rel, data_dir=zp.parent)
    assert not (zp.parent/'ml-test').exists() and temp_names(zp.parent) == []

def _tmpfs(d, size):
    d.mkdir()
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', str(d)], capture_output=True)
    if r.returncode: pytest.skip(f"cannot mount a tmpfs here ({r.stderr.decode().strip()[:80]})")

def test_real_full_disk_on_a_small_tmpfs(tmp_path, small):
    "A real ENOSPC: the release is unpacked into a 64 kB tmpfs (the up-front check passes, as if the disk filled meanwhile)"
    big = synth_movielens(300, 600, 20_000, seed=5, tag_pct=0.3)
    zp, rel = make_zip(tmp_path, big)
    disk = tmp_path/'disk'; _tmpfs(disk, '64k')
    try:
        shutil.copy(zp, tmp_path/'keep.zip')
        orig = shutil.disk_usage
        data.shutil.disk_usage = lambda p: shutil._ntuple_diskusage(10**12, 0, 10**12)   # pretend there is room
        try:
            with pytest.raises(MovieLensError, match='nothing was left behind'): extract(zp, disk, rel)
        finally: data.shutil.disk_usage = orig
        assert os.listdir(disk) == []
    finally: subprocess.run(['umount', str(disk)])

# --- damaged model folders: refused by load, retrained by the command line ------------------------------------------------
@pytest.fixture(scope='module')
def model(small, tmp_path_factory):
    d = tmp_path_factory.mktemp('model')/'m'
    Recommender.from_movielens(small, content_epochs=1, collab_epochs=1, progress=False).save(d)
    return d

def _flip_file(name):
    def f(d):
        p = d/name; b = bytearray(p.read_bytes()); b[len(b)//2] ^= 0x10; p.write_bytes(bytes(b))
    f.__name__ = f'flip_{name}'; return f
def _drop(name):
    def f(d): (d/name).unlink()
    f.__name__ = f'drop_{name}'; return f
def _config(**changes):
    def f(d):
        cfg = json.loads((d/'config.json').read_text())
        for k,v in changes.items():
            if v is None: cfg.pop(k)
            else: cfg[k] = v
        (d/'config.json').write_text(json.dumps(cfg))
    f.__name__ = 'config_' + '_'.join(changes); return f

DAMAGE = [_flip_file(f) for f in ('movies.parquet', 'ratings.parquet', 'views.npz', 'collab.pt', 'ranker.npz')] + \
         [_drop(f) for f in ('views.npz', 'collab.pt', 'config.json')] + \
         [_config(n_movies=None), _config(n_users='610'), _config(config=None), _config(files=None),
          lambda d: (d/'config.json').write_text('{"format": "movierec-recommender", "format_vers')]

@pytest.mark.parametrize('damage', DAMAGE)
def test_damaged_model_is_refused(model, tmp_path, damage):
    d = tmp_path/'m'; shutil.copytree(model, d); damage(d)
    with pytest.raises(BadModelError) as e: Recommender.load(d, lazy=False)
    assert str(d) in str(e.value) and 'Train it again' in str(e.value)

def test_cli_retrains_a_damaged_cache_once(small, tmp_path):
    "`movierec similar` on a damaged cached model: one warning line (no source line), a new model, the answer"
    write_release(small, tmp_path/'data'/'ml-latest-small', 'csv')
    env = {**os.environ, 'MOVIEREC_DATA': str(tmp_path/'data'), 'MOVIEREC_MODELS': str(tmp_path/'models'), 'MOVIEREC_QUIET': '1'}
    title = small.movies.title.iloc[3]
    r = subprocess.run(CLI + ['similar', title, '-k', '3'], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    (d,) = [p for p in (tmp_path/'models').iterdir() if not p.name.startswith('.')]
    _flip_file('ratings.parquet')(d)
    r2 = subprocess.run(CLI + ['similar', title, '-k', '3'], capture_output=True, text=True, env=env)
    assert r2.returncode == 0 and r2.stdout == r.stdout, r2.stderr
    warn = [l for l in r2.stderr.splitlines() if 'cannot be used' in l]
    assert warn == [f"movierec similar: The model in {d} cannot be used (ratings.parquet is damaged (SHA-256 differs "
                    "from config.json)); training a new one."], r2.stderr
    assert '.py:' not in r2.stderr and 'warnings.warn' not in r2.stderr
    Recommender.load(d)                                                     # repaired

# --- killed saves: the old model or the new one, never half of one; leftovers swept later ---------------------------------
@pytest.mark.parametrize('delay', [0.3, 0.8, 1.5])
def test_kill_during_save(model, tmp_path, delay):
    d = tmp_path/'m'; shutil.copytree(model, d)
    code = ("import sys; from movierec.hybrid import Recommender; r = Recommender.load(sys.argv[1], lazy=False)\n"
            "while True: r.save(sys.argv[1])")
    p = subprocess.Popen([sys.executable, '-c', code, str(d)], stderr=subprocess.PIPE)
    time.sleep(3 + delay); p.send_signal(signal.SIGKILL); p.wait()
    assert Recommender.load(d, lazy=False).ml.n_movies == 400          # the folder is always a whole model
    for p in tmp_path.iterdir():                                          # what the killed save left, made an hour old
        if p.name.startswith('.m.') and not p.name.endswith('.lock'): os.utime(p, (time.time() - 7200,)*2)
    Recommender.load(d).save(d)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['.m.lock', 'm']

def test_sweep_leaves_young_and_foreign_files(model, tmp_path):
    d = tmp_path/'m'; shutil.copytree(model, d)
    for n in ['.m.abcd1234.part', '.m.old', '.m.young123', '.m.notes', 'm-backup']: (tmp_path/n).mkdir()
    for n in ['.m.abcd1234.part', '.m.old', '.m.notes', 'm-backup']: os.utime(tmp_path/n, (time.time() - 7200,)*2)
    Recommender.load(d).save(d)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['.m.lock', '.m.notes', '.m.young123', 'm', 'm-backup']

# --- two runs at once: the second waits for the first and loads its model -------------------------------------------------
def test_two_cold_runs_train_once(small, tmp_path):
    write_release(synth_movielens(300, 600, 20_000, seed=8, tag_pct=0.3), tmp_path/'data'/'ml-latest-small', 'csv')
    env = {**os.environ, 'MOVIEREC_DATA': str(tmp_path/'data'), 'MOVIEREC_MODELS': str(tmp_path/'models'), 'MOVIEREC_QUIET': '1'}
    code = ("import warnings; warnings.simplefilter('always')\nfrom movierec.cli import get_recommender\n"
            "r = get_recommender(progress=False, content_epochs=300); print(r.ml.n_movies)")
    a = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    import fcntl
    t0 = time.time()
    while time.time() - t0 < 300 and a.poll() is None:                     # wait until the first run holds the model lock
        locks = list((tmp_path/'models').glob('.*.lock')) if (tmp_path/'models').exists() else []
        if locks:
            with open(locks[0]) as f:
                try: fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB); fcntl.flock(f, fcntl.LOCK_UN)
                except BlockingIOError: break
        time.sleep(0.1)
    b = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    (oa, ea), (ob, eb) = a.communicate(timeout=600), b.communicate(timeout=600)
    assert a.returncode == b.returncode == 0 and oa == ob == '600\n', (ea, eb)
    assert 'Trained on' in ea and 'Trained on' not in eb, (ea, eb)       # trained once
    assert 'Waiting for another movierec to finish training' in eb, eb

# --- the command line's words and schema ---------------------------------------------------------------------------------
def test_cli_advice_names_commands(small, tmp_path):
    write_release(small, tmp_path/'data'/'ml-latest-small', 'csv')
    env = {**os.environ, 'MOVIEREC_DATA': str(tmp_path/'data'), 'MOVIEREC_MODELS': str(tmp_path/'models')}
    r = subprocess.run(CLI + ['similar', 'qqqzzzxx yyy'], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and 'movierec search qqqzzzxx' in r.stderr and 'ml.find' not in r.stderr, r.stderr

def test_cli_json_schema(small, tmp_path):
    write_release(small, tmp_path/'data'/'ml-latest-small', 'csv')
    env = {**os.environ, 'MOVIEREC_DATA': str(tmp_path/'data'), 'MOVIEREC_MODELS': str(tmp_path/'models')}
    r = subprocess.run(CLI + ['search', small.movies.title.iloc[0][:6], '--json'], capture_output=True, text=True, env=env)
    rows = json.loads(r.stdout)
    assert rows and all(isinstance(x['movieId'], int) and (x['year'] is None or isinstance(x['year'], int)) for x in rows), r.stdout
    assert '.0,' not in r.stdout.replace('"', '')

def test_train_shows_no_bars_unless_asked(monkeypatch, tmp_path):
    import movierec.cli as cli
    seen = []
    monkeypatch.setattr(cli, 'get_recommender', lambda *a, progress=None, **k: seen.append(progress) or 'rec')
    cli.train(out=str(tmp_path/'x')); cli.train(out=str(tmp_path/'x'), progress=True)
    assert seen == [False, True]

def test_load_puts_back_a_model_left_between_two_renames(model, tmp_path):
    "A save killed after moving the old model aside and before renaming the new one in: load finds the old one"
    d = tmp_path/'m'; shutil.copytree(model, d)
    d.rename(tmp_path/'.m.old')
    assert Recommender.load(d, lazy=False).ml.n_movies == 400 and not (tmp_path/'.m.old').exists()
    (tmp_path/'.m.old').mkdir()                       # something that is not a model is never moved in
    shutil.rmtree(d)
    with pytest.raises(MovieLensError, match='no such folder'): Recommender.load(d)
    assert (tmp_path/'.m.old').is_dir()

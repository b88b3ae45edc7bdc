"Bad input and fault cases of the data layer: each gives a clear error and leaves nothing half-written."
import functools, hashlib, http.server, shutil, threading, warnings, zipfile
from pathlib import Path
import pandas as pd, pytest
import movierec.data as data
from movierec.data import (MovieLensError, Release, UnknownIdError, check_archive, extract, get_movielens,
                           load_movielens, synth_movielens, write_release, MovieLens)

SHARED_ZIP = Path(__file__).resolve().parents[2]/'shared'/'data'/'ml-latest-small.zip'

def make_zip(tmp_path, ml, fmt='csv', folder='ml-test', name=None, drop=()):
    "Write `ml` as a release in `fmt` and zip it; return (zip path, Release describing it)"
    src = write_release(ml, tmp_path/'src'/folder, fmt)
    for f in drop: (src/f).unlink()
    zp = tmp_path/'archives'/f'{name or folder}.zip'
    zp.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(zp, 'w') as z:
        for f in sorted(src.iterdir()): z.write(f, f'{folder}/{f.name}')
    sha = hashlib.sha256(zp.read_bytes()).hexdigest()
    return zp, Release(name or folder, folder, fmt, zp.stat().st_size, sha, tags=fmt!='ml-100k')

def leftovers(d):
    "Anything a crashed write could leave: temporary files and folders"
    return [p.name for p in Path(d).rglob('*') if (p.name.startswith('.') or p.name.endswith('.part')) and not p.name.endswith('.lock')]

@pytest.fixture
def small(): return synth_movielens(40, 60, 600, seed=1)

@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    "Every test gets its own default data folder, so nothing touches ~/.movierec"
    monkeypatch.setattr(data, 'DEFAULT_DATA', tmp_path/'home-data')
    monkeypatch.delenv('MOVIEREC_DATA', raising=False)

# --- parsers: every published layout reads back to the same tables ---------------------------------------
@pytest.mark.parametrize('fmt', ['csv', 'dat', 'ml-100k'])
def test_formats_round_trip(tmp_path, small, fmt):
    zp, rel = make_zip(tmp_path, small, fmt)
    ml = load_movielens(rel, data_dir=zp.parent)
    exp = small.ratings.copy()
    if fmt == 'ml-100k': exp['rating'] = exp.rating.round().clip(1, 5).astype('float32')  # ml-100k: whole stars
    pd.testing.assert_frame_equal(ml.ratings, exp)
    mv = small.movies.drop(columns='year')
    if fmt == 'ml-100k': mv['genres'] = [[g for g in gs if g != 'IMAX'] for gs in mv.genres]  # no IMAX flag in u.item
    pd.testing.assert_frame_equal(ml.movies.drop(columns='year'), mv)
    assert (ml.movies.year == small.movies.year).all()
    if fmt != 'ml-100k':
        pd.testing.assert_frame_equal(ml.tags, small.tags)
    else: assert len(ml.tags) == 0 and list(ml.tags.columns) == data.TAG_COLS

def test_ml100k_half_stars_become_one_star(tmp_path, small):
    "u.data holds whole stars from 1 to 5: a half star is written as 1 (round-half-even made it 0, which no reader accepts)"
    half = MovieLens(small.ratings.assign(rating=0.5), small.movies, small.tags, name='half')
    zp, rel = make_zip(tmp_path, half, 'ml-100k')
    assert set(load_movielens(rel, data_dir=zp.parent).ratings.rating) == {1.0}

def test_ml10m_folder_name(tmp_path, small):
    zp, rel = make_zip(tmp_path, small, 'dat', folder='ml-10M100K', name='ml-10m')
    path = get_movielens(rel, data_dir=zp.parent)
    assert path.name == 'ml-10M100K' and (path/'ratings.dat').exists()

def test_second_call_does_no_work(tmp_path, small, monkeypatch):
    zp, rel = make_zip(tmp_path, small)
    get_movielens(rel, data_dir=zp.parent)
    def boom(*a, **k): raise AssertionError('should not run again')
    monkeypatch.setattr(data, 'extract', boom); monkeypatch.setattr(data, 'check_archive', boom)
    load_movielens(rel, data_dir=zp.parent)
    monkeypatch.setattr(data, 'read_release', boom)   # the second load reads the Parquet cache
    ml = load_movielens(rel, data_dir=zp.parent)
    assert len(ml.ratings) == len(small.ratings)

def test_cache_rebuilt_when_source_changes(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    ml = load_movielens(rel, data_dir=zp.parent)
    f = ml.path/'ratings.csv'
    f.write_text(f.read_text() + f'{small.ratings.userId.iloc[0]},{small.movies.movieId.iloc[0]},0.5,1000000000\n')
    assert len(load_movielens(rel, data_dir=zp.parent).ratings) == len(small.ratings) + 1

def test_corrupt_cache_is_rebuilt(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    ml = load_movielens(rel, data_dir=zp.parent)
    (ml.path.parent/f'{ml.path.name}.parquet'/'ratings.parquet').write_bytes(b'not parquet')
    assert load_movielens(rel, data_dir=zp.parent).ratings.equals(ml.ratings)

# --- archives: checksums, sizes, contents ----------------------------------------------------------------
def test_checksum_mismatch(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    b = bytearray(zp.read_bytes()); b[len(b)//2] ^= 0xFF; zp.write_bytes(bytes(b))
    with pytest.raises(MovieLensError, match='SHA-256.*Delete it'): get_movielens(rel, data_dir=zp.parent)
    assert not (zp.parent/'ml-test').exists() and leftovers(zp.parent) == []

def test_truncated_zip(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    zp.write_bytes(zp.read_bytes()[:-100])
    with pytest.raises(MovieLensError, match='truncated or corrupted'): get_movielens(rel, data_dir=zp.parent)

def test_zip_without_expected_files(tmp_path, small):
    zp, rel = make_zip(tmp_path, small, drop=['movies.csv'])
    with pytest.raises(MovieLensError, match='lacks ml-test/movies.csv'): get_movielens(rel, data_dir=zp.parent)
    assert not (zp.parent/'ml-test').exists() and leftovers(zp.parent) == []

def test_not_a_zip(tmp_path):
    zp = tmp_path/'ml-test.zip'; zp.write_bytes(b'<html>proxy error</html>')
    with pytest.raises(MovieLensError, match='not a zip'): extract(zp, tmp_path, Release('ml-test', 'ml-test', 'csv', None, None))

def test_zip_slip_refused(tmp_path):
    zp = tmp_path/'evil.zip'
    with zipfile.ZipFile(zp, 'w') as z:
        for f in ('ratings.csv', 'movies.csv', '../escape.txt'): z.writestr(f'ml-test/{f}', 'x')
    with pytest.raises(MovieLensError, match='outside'): extract(zp, tmp_path, Release('ml-test', 'ml-test', 'csv', None, None))
    assert not (tmp_path/'escape.txt').exists()

def test_md5_sidecar(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    rel = Release(rel.name, rel.folder, rel.fmt, None, None)      # no pinned checksum, as for ml-10m
    with pytest.warns(UserWarning, match='No published checksum'): check_archive(zp, rel)
    side = zp.with_name(zp.name + '.md5')
    side.write_text(f'MD5 ({zp.name}) = {"0"*32}\n')
    with pytest.raises(MovieLensError, match='MD5'): check_archive(zp, rel)
    side.write_text(f'MD5 ({zp.name}) = {hashlib.md5(zp.read_bytes()).hexdigest()}\n')
    with warnings.catch_warnings():
        warnings.simplefilter('error'); check_archive(zp, rel)

@pytest.mark.skipif(not SHARED_ZIP.exists(), reason='needs ../shared/data/ml-latest-small.zip')
def test_official_archive_checks():
    check_archive(SHARED_ZIP, 'ml-latest-small')

# --- names, folders, network -----------------------------------------------------------------------------
def test_unknown_name_suggests():
    with pytest.raises(MovieLensError, match="Did you mean 'ml-100k'.*Valid names: ml-latest-small"):
        load_movielens('ml-100')

def test_data_dir_not_writable(tmp_path):
    blocker = tmp_path/'a-file'; blocker.write_text('x')      # a folder under a file can never be created
    with pytest.raises(MovieLensError, match='not writable.*MOVIEREC_DATA'): get_movielens('ml-100k', data_dir=blocker/'data')

def test_read_only_source_unpacks_into_default(tmp_path, small, monkeypatch):
    zp, rel = make_zip(tmp_path, small)
    real = data._writable
    monkeypatch.setattr(data, '_writable', lambda d: d != zp.parent and real(d))   # as if zp.parent were a read-only mount
    path = get_movielens(rel, data_dir=zp.parent)
    assert path == data.DEFAULT_DATA/'ml-test' and not (zp.parent/'ml-test').exists()

def test_no_network_says_where_to_put_zip(tmp_path, monkeypatch):
    monkeypatch.setattr(data, 'BASE_URL', 'http://127.0.0.1:9/')   # nothing listens on the discard port
    with pytest.raises(MovieLensError, match=r'Put ml-1m.zip in .*data'):
        get_movielens('ml-1m', data_dir=tmp_path/'data')
    assert leftovers(tmp_path) == []

def test_incomplete_folder_is_not_trusted(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    (zp.parent/'ml-test').mkdir(); (zp.parent/'ml-test'/'ratings.csv').write_text('userId\n')
    with pytest.raises(MovieLensError, match='lacks movies.csv.*Delete that folder'): get_movielens(rel, data_dir=zp.parent)

# --- downloads over HTTP (a server on loopback) ----------------------------------------------------------
@pytest.fixture
def server(tmp_path):
    root = tmp_path/'www'; root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()

def test_download_then_load(tmp_path, small, server, monkeypatch):
    root, url = server
    zp, rel = make_zip(tmp_path, small)
    shutil.copy(zp, root/zp.name)
    monkeypatch.setattr(data, 'BASE_URL', url)
    ml = load_movielens(rel, data_dir=tmp_path/'dl', progress=False)
    assert (tmp_path/'dl'/'ml-test.zip').exists() and len(ml.ratings) == len(small.ratings)
    assert leftovers(tmp_path/'dl') == []

def test_bad_download_leaves_nothing(tmp_path, small, server, monkeypatch):
    root, url = server
    zp, rel = make_zip(tmp_path, small)
    (root/zp.name).write_bytes(zp.read_bytes()[:1000])     # the server only has a truncated copy
    monkeypatch.setattr(data, 'BASE_URL', url)
    with pytest.raises(MovieLensError, match='truncated'): get_movielens(rel, data_dir=tmp_path/'dl', progress=False)
    assert [p.name for p in (tmp_path/'dl').iterdir()] == ['.ml-test.zip.lock']   # only the lock file, which is never deleted

def test_interrupted_extraction_leaves_nothing(tmp_path, small, monkeypatch):
    zp, rel = make_zip(tmp_path, small)
    def crash(self, path, members=None, pwd=None):
        zipfile.ZipFile.extract(self, members[0], path); raise KeyboardInterrupt('power cut')
    monkeypatch.setattr(zipfile.ZipFile, 'extractall', crash)
    with pytest.raises(KeyboardInterrupt): get_movielens(rel, data_dir=zp.parent)
    assert not (zp.parent/'ml-test').exists() and leftovers(zp.parent) == []
    monkeypatch.undo()
    assert (get_movielens(rel, data_dir=zp.parent)/'movies.csv').exists()   # a later call starts clean

# --- ratings files with bad content -----------------------------------------------------------------------
def bad_ratings(tmp_path, small, text):
    zp, rel = make_zip(tmp_path, small)
    folder = get_movielens(rel, data_dir=zp.parent)
    (folder/'ratings.csv').write_text(text)
    return rel, zp.parent

def test_missing_columns(tmp_path, small):
    rel, d = bad_ratings(tmp_path, small, 'userId,movieId,timestamp\n1,2,3\n')
    with pytest.raises(MovieLensError, match=r"ratings.csv lacks the column\(s\) \['rating'\]"): load_movielens(rel, data_dir=d)

def test_non_numeric_rating(tmp_path, small):
    mid = small.movies.movieId.iloc[0]
    rel, d = bad_ratings(tmp_path, small, f'userId,movieId,rating,timestamp\n1,{mid},4.0,5\n1,{mid},great,6\n')
    with pytest.raises(MovieLensError, match="'rating' has a missing or non-numeric value 'great' in data row 2"):
        load_movielens(rel, data_dir=d)

# --- the MovieLens object ---------------------------------------------------------------------------------
def test_unknown_id_is_keyerror(small):
    with pytest.raises(KeyError): small.user_map.encode(10**6)
    with pytest.raises(UnknownIdError, match='ml.movies.movieId'): small.movie_map.encode([10**6])

def test_ratings_of_unknown_movies_dropped(small):
    r = pd.concat([small.ratings, pd.DataFrame(dict(userId=[1], movieId=[10**6], rating=[4.0], timestamp=[1]))])
    with pytest.warns(UserWarning, match='1 ratings'): ml = MovieLens(r.astype(small.ratings.dtypes), small.movies)
    assert len(ml.ratings) == len(small.ratings)

def test_synth_rejects_impossible_sizes():
    with pytest.raises(ValueError, match='more than half'): synth_movielens(10, 10, 90)

def test_read_only_mode_is_respected_even_as_root(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    zp.parent.chmod(0o555)                      # root may write anyway; movierec must not
    try:
        path = get_movielens(rel, data_dir=zp.parent)
        assert path.parent == data.DEFAULT_DATA and sorted(p.name for p in zp.parent.iterdir()) == ['ml-test.zip']
    finally: zp.parent.chmod(0o755)

# --- damaged source files: a malformed line or an impossible rating is an error, never a silent loss ---------
def test_stray_quote_in_ratings_is_an_error(tmp_path):
    "One stray quote in a file of several parser blocks (ml-latest-small's size) dropped 43% of the ratings, silently"
    big = synth_movielens(600, 3000, 100_000, seed=2)
    zp, rel = make_zip(tmp_path, big)
    ml = load_movielens(rel, data_dir=zp.parent)
    f = ml.path/'ratings.csv'; lines = f.read_text().splitlines(keepends=True)
    u, m, r, t = lines[10].rstrip('\n').split(','); lines[10] = f'{u},{m},"{r},{t}\n'
    f.write_text(''.join(lines))
    with pytest.raises(MovieLensError, match='malformed'): load_movielens(rel, data_dir=zp.parent)

@pytest.mark.parametrize('value', ['-3.0', '7', '0'])
def test_rating_outside_the_scale_is_an_error(tmp_path, small, value):
    zp, rel = make_zip(tmp_path, small)
    ml = load_movielens(rel, data_dir=zp.parent)
    f = ml.path/'ratings.csv'; lines = f.read_text().splitlines(keepends=True)
    u, m, r, t = lines[5].rstrip('\n').split(','); lines[5] = f'{u},{m},{value},{t}\n'; f.write_text(''.join(lines))
    with pytest.raises(MovieLensError, match='outside MovieLens'): load_movielens(rel, data_dir=zp.parent)

def test_last_line_without_newline_still_counts(tmp_path, small):
    zp, rel = make_zip(tmp_path, small)
    ml = load_movielens(rel, data_dir=zp.parent)
    f = ml.path/'ratings.csv'; f.write_text(f.read_text().rstrip('\n'))
    assert len(load_movielens(rel, data_dir=zp.parent).ratings) == len(small.ratings)

"Past one machine: the Dask neighbour table equals the local one; data-parallel training matches one process"
import json, os, subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd, pytest
from movierec.data import synth_movielens, MovieLensError
from movierec.hybrid import Recommender
from movierec.scaling import dask_neighbours, dask_client, data_parallel

distributed = pytest.importorskip('distributed')

@pytest.fixture(scope='module')
def rec():
    ml = synth_movielens(150, 700, 9_000, seed=3, tag_pct=0.3)
    return Recommender.from_movielens(ml, content_epochs=2, collab_epochs=2, progress=False)

def test_dask_table_is_the_local_table(rec):
    local = rec.neighbours(k=7, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
         distributed.Client(cl) as client:
        for rows in (64, 300, 10_000):                 # many small tasks, tasks off block boundaries, one task
            pd.testing.assert_frame_equal(dask_neighbours(rec, client, k=7, rows_per_task=rows), local)
        one = dask_neighbours(rec, client, k=3, views='collab')
    assert set(one.view) == {'collab'} and one.groupby('movieId').size().max() == 3
    assert one.neighbour.isin(rec.ml.movies.movieId[rec.collab.known]).all()

def test_unreachable_scheduler_says_what_to_start():
    with pytest.raises(MovieLensError, match='No Dask scheduler answered.*dask scheduler'):
        dask_client('tcp://127.0.0.1:9', timeout=1)

def test_bad_views_and_k(rec):
    with pytest.raises(ValueError, match='none were given'): rec.neighbours(views=[])
    with pytest.raises(ValueError, match='views are some of'): rec.neighbours(views=['tfidf'])
    with pytest.raises(ValueError, match='positive'): rec.neighbours(k=0)
    big = rec.neighbours(k=10_000, views='content', progress=False)    # more than the catalogue: every other movie
    assert big.groupby('movieId').size().max() == rec.ml.n_movies - 1

# Data-parallel training: `movierec_ddp` is the command a launcher starts (torchrun --no-python movierec_ddp)
BIN = Path(sys.executable).parent
ENV = os.environ | dict(OMP_NUM_THREADS='1')

def ddp(*args, launcher=()):
    return subprocess.run([str(a) for a in (*launcher, BIN/'movierec_ddp', *args)], capture_output=True, text=True,
                          env=ENV, timeout=600)

def test_ddp_without_a_launch_says_how_to_launch():
    r = ddp('--ratings', '5000')
    assert r.returncode == 2 and 'Traceback' not in r.stderr
    assert 'not a distributed launch' in r.stderr and 'torchrun --nproc_per_node 2' in r.stderr
    assert 'movierec_ddp --single' in r.stderr

def test_ddp_too_few_ratings():
    assert 'too few' in ddp('--single', '--ratings', '50').stderr

def test_ddp_bad_model_is_named():
    r = ddp('--single', '--ratings', '5000', '--model', 'svd')
    assert r.returncode == 2 and "model is 'dotbias' or 'content', not 'svd'" in r.stderr

def test_data_parallel_outside_a_launch():
    from movierec.collab import collab_model
    m = collab_model(synth_movielens(100, 200, 3_000, seed=1))
    with pytest.raises(MovieLensError, match='not a distributed launch.*fit_collab'):
        with data_parallel(m.learn): pass

def test_two_processes_match_one():
    "A release the notebook does not use: two gloo processes reach one process's RMSE and HitRate@10 within 0.01"
    args = ('--ratings', '30000', '--epochs', '3', '--seed', '43')
    one = json.loads(ddp('--single', *args).stdout.splitlines()[-1])
    r = ddp(*args, launcher=(BIN/'torchrun', '--standalone', '--nproc_per_node', '2', '--no-python'))
    assert r.returncode == 0, r.stderr[-2000:]
    two = json.loads(r.stdout.splitlines()[-1])
    assert (one['procs'], two['procs']) == (1, 2)
    assert abs(one['rmse'] - two['rmse']) < 0.01 and abs(one['hitrate'] - two['hitrate']) < 0.01

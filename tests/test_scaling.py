"The neighbour table past one machine: Dask tasks over row blocks on a LocalCluster give the one-machine table"
import numpy as np, pandas as pd, pytest
from movierec.data import synth_movielens, MovieLensError
from movierec.hybrid import Recommender
from movierec.scaling import dask_neighbours, dask_client

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

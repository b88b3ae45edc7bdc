"Content view: bad input and edge cases."
import copy, numpy as np, pandas as pd, pytest
from movierec.data import synth_movielens
from movierec.content import movie_docs, tfidf_docs, content_embeddings

@pytest.fixture(scope='module')
def ml(): return synth_movielens(100, 300, 3000, seed=2)

def test_no_tags_at_all(ml):
    m = copy.copy(ml); m.tags = ml.tags.iloc[:0]
    X, vocab = tfidf_docs(m)
    assert X.shape[0] == m.n_movies and not any(v.startswith('tag_') for v in vocab)

def test_empty_document_and_missing_title(ml):
    m = copy.copy(ml); mv = ml.movies.copy()
    mv.loc[0, 'title'] = None; mv.at[0, 'genres'] = []; mv['year'] = mv.year.astype('Int16'); mv.loc[0, 'year'] = pd.NA
    m.movies = mv; m.tags = ml.tags[ml.tags.movieId != mv.movieId[0]]
    assert movie_docs(m).iloc[0] == ''
    X, _ = tfidf_docs(m)
    assert X[0].nnz == 0 and np.isfinite(X.data).all()
    emb = content_embeddings(m, dim=8, epochs=1, bs=32, progress=False)
    assert emb.shape == (m.n_movies, 8) and np.isfinite(emb).all()

def test_min_df_too_high(ml):
    with pytest.raises(ValueError, match='lower min_df'): tfidf_docs(ml, min_df=10_000)

def test_bad_weights_and_genome(ml):
    with pytest.raises(ValueError, match='>= 0'): tfidf_docs(ml, weights=dict(genre=-1))
    with pytest.raises(ValueError, match='no tag genome'): tfidf_docs(ml, genome_weight=1.0)

def test_genome_columns(ml):
    m = copy.copy(ml)
    ids = ml.movies.movieId.to_numpy()[:50]
    m.genome_scores = pd.DataFrame(dict(movieId=np.repeat(ids, 3), tagId=np.tile([1, 2, 3], 50),
                                        relevance=np.tile([0.9, 0.2, 0.6], 50).astype('float32')))
    m.genome_tags = pd.DataFrame(dict(tagId=[1, 2, 3], tag=['dark', 'funny', 'epic']))
    X, vocab = tfidf_docs(m, genome_weight=1.0)
    assert vocab[-2:] == ['genome_dark', 'genome_epic']        # 'funny' is below genome_min everywhere
    assert X[:50, -2:].nnz == 100 and X[50:, -2:].nnz == 0

def test_too_few_movies_for_batch(ml):
    with pytest.raises(ValueError, match='lower bs'): content_embeddings(ml, dim=4, epochs=1, bs=1000, progress=False)

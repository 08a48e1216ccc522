"""The fast transforms give the same matrices as scikit-learn's vectorizers."""
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from reportmine.features import CharNgramTransform, TokenTransform, fast_transform

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "reports"


def _lines(limit: int = 1500) -> list[str]:
    out: list[str] = []
    for f in sorted(CORPUS.glob("[a-c]_*.txt"))[:40]:
        try:
            out += [s for s in f.read_text(encoding="utf-8").splitlines() if s.strip()]
        except UnicodeDecodeError:
            continue
    return out[:limit]


EDGE = ["", " ", "a", "ABC  def\t\tx\n\ny", "İstanbul ǅ", "𠀀𠀁中国邮政𠀀", "完全没见过的字龘靐", "积压积压积压积压", "\u3000\u3000检查"]

VECTORIZERS = [
    ("tfidf 1-3 sublinear", lambda: TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)),
    ("tfidf 1-3 max_features", lambda: TfidfVectorizer(analyzer="char", ngram_range=(1, 3), max_features=3000)),
    ("tfidf 2-4 no norm", lambda: TfidfVectorizer(analyzer="char", ngram_range=(2, 4), norm=None, lowercase=False)),
    ("count 1-2", lambda: CountVectorizer(analyzer="char", ngram_range=(1, 2))),
    ("count binary 1-3", lambda: CountVectorizer(analyzer="char", ngram_range=(1, 3), binary=True)),
]


@pytest.mark.parametrize("name,make", VECTORIZERS, ids=[v[0] for v in VECTORIZERS])
def test_char_ngrams_equal_sklearn(name, make):
    train = _lines()
    assert len(train) > 200
    vec = make().fit(train + ["Mixed Case ASCII text"])
    fast = CharNgramTransform(vec)
    texts = train[::7] + EDGE
    expected, got = vec.transform(texts), fast.transform(texts)
    assert got.shape == expected.shape
    assert got.nnz == expected.nnz
    assert np.abs(expected - got).max() <= 1e-12


def test_tokens_equal_sklearn():
    docs = ["D_inspection_summary C_backlog R_backlog_found", "A_fine AP_planned C_backlog", "", "UNSEEN C_backlog  C_backlog"]
    vec = CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False).fit(docs[:2])
    got, expected = TokenTransform(vec).transform(docs), vec.transform(docs)
    assert (got != expected).nnz == 0 and got.shape == expected.shape


def test_unsupported_vectorizers_fall_back():
    word = TfidfVectorizer().fit(["ab bc cd", "bc cd de"])
    assert fast_transform(word) is word  # word analyzer: scikit-learn's own transform is used
    with pytest.raises(ValueError):
        CharNgramTransform(word)

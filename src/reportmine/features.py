"""Fast, exact inference-time transforms for the fitted scikit-learn vectorizers of the model.

scikit-learn's character n-gram analyzer builds one Python string per n-gram and looks each up in a
dict: on short sentences that is most of the model's cost. Here the n-grams of a whole batch are
encoded as integers with numpy (each character of the fitted vocabulary gets a small code, an n-gram
is its codes in base ``len(alphabet) + 1``) and found in the vocabulary with a pandas hash index (one
C-level hash probe per n-gram: five times a binary search over the sorted keys).
The matrices equal those of ``vectorizer.transform`` (same columns, same TF-IDF weighting and L2
norm; ``tests/test_features.py`` checks this on the corpus).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

__all__ = ["CharNgramTransform", "Entries", "TokenTransform", "distinct", "fast_transform", "linear_scores"]

_WHITE_SPACES = re.compile(r"\s\s+")  # what sklearn's char analyzer collapses to one space


class CharNgramTransform:
    """``transform`` of a fitted ``TfidfVectorizer``/``CountVectorizer`` with ``analyzer='char'``."""

    def __init__(self, vectorizer) -> None:
        if vectorizer.analyzer != "char" or vectorizer.preprocessor is not None or vectorizer.strip_accents:
            raise ValueError("only plain character n-gram vectorizers are supported")
        self.lowercase = bool(vectorizer.lowercase)
        self.min_n, self.max_n = vectorizer.ngram_range
        vocab: dict[str, int] = vectorizer.vocabulary_
        self.n_features = len(vocab)
        alphabet = sorted({ch for gram in vocab for ch in gram})
        self.alphabet = np.array([ord(ch) for ch in alphabet], dtype=np.int64)
        # character -> code by table lookup for the Basic Multilingual Plane, by search above it
        self.bmp = np.zeros(0x10000, dtype=np.int64)
        bmp = self.alphabet < 0x10000
        self.bmp[self.alphabet[bmp]] = np.flatnonzero(bmp) + 1
        self.base = len(alphabet) + 1  # code 0: a character outside the vocabulary's alphabet
        if self.base ** self.max_n >= 2 ** 62:
            raise ValueError("vocabulary alphabet too large for integer n-gram keys")
        code = {ch: i + 1 for i, ch in enumerate(alphabet)}
        self.keys: dict[int, tuple[pd.Index, np.ndarray]] = {}  # n -> (n-gram keys as a hash index, their columns)
        for n in range(self.min_n, self.max_n + 1):
            grams = [(g, col) for g, col in vocab.items() if len(g) == n]
            keys = np.array([self._key(g, code) for g, _ in grams], dtype=np.int64)
            cols = np.array([col for _, col in grams], dtype=np.int64)
            self.keys[n] = (pd.Index(keys), cols)
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64) if hasattr(vectorizer, "idf_") else None
        self.sublinear = bool(getattr(vectorizer, "sublinear_tf", False))
        self.norm = getattr(vectorizer, "norm", None) if self.idf is not None else None
        self.binary = bool(vectorizer.binary)
        if self.norm not in (None, "l2"):
            raise ValueError(f"unsupported norm {self.norm!r}")

    def _key(self, gram: str, code: dict[str, int]) -> int:
        key = 0
        for ch in gram:
            key = key * self.base + code[ch]
        return key

    def _codes(self, cp: np.ndarray) -> np.ndarray:
        """The alphabet code of each code point (0 where the vocabulary never has it)."""
        small = cp < 0x10000
        idx = self.bmp[np.where(small, cp, 0)]
        if not small.all() and len(self.alphabet):
            big = np.flatnonzero(~small)
            pos = np.minimum(np.searchsorted(self.alphabet, cp[big]), len(self.alphabet) - 1)
            idx[big] = np.where(self.alphabet[pos] == cp[big], pos + 1, 0)
        return idx

    def entries(self, texts: Sequence[str]) -> Entries:
        """The non-zero entries of the document-term matrix of ``texts``, in CSR order."""
        prepped = [_WHITE_SPACES.sub(" ", t.lower() if self.lowercase else t) for t in texts]
        n_docs = len(prepped)
        lens = np.fromiter((len(t) for t in prepped), dtype=np.int64, count=n_docs)
        cp = np.frombuffer("".join(prepped).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        idx = self._codes(cp)
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
        found = []
        for n in range(self.min_n, self.max_n + 1):
            m = len(cp) - n + 1
            vkeys, vcols = self.keys[n]
            if m <= 0 or not len(vkeys):
                continue
            key = idx[:m].copy()
            ok = key > 0
            for k in range(1, n):
                part = idx[k:k + m]
                key = key * self.base + part
                ok &= part > 0
            ok &= doc[:m] == doc[n - 1:n - 1 + m]  # an n-gram never crosses two texts
            key, d = key[ok], doc[:m][ok]
            p = vkeys.get_indexer(key)
            hit = p >= 0
            found.append(d[hit] * self.n_features + vcols[p[hit]])
        cells, counts = np.unique(np.concatenate(found) if found else np.zeros(0, dtype=np.int64), return_counts=True)
        rows, cols = cells // max(1, self.n_features), cells % max(1, self.n_features)
        vals = np.ones(len(cells)) if self.binary else counts.astype(np.float64)
        if self.idf is not None:
            if self.sublinear:
                vals = np.log(vals) + 1.0
            vals = vals * self.idf[cols]
            if self.norm == "l2":
                norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n_docs))
                vals = vals / norms[rows]  # a row with entries has a positive norm
        return Entries(n_docs, self.n_features, rows, cols, vals)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """The document-term matrix of ``texts``, as the vectorizer's ``transform`` gives it."""
        return self.entries(texts).csr()


class TokenTransform:
    """``transform`` of a fitted binary ``CountVectorizer`` over whitespace-separated tokens."""

    def __init__(self, vectorizer) -> None:
        if vectorizer.token_pattern != r"\S+" or vectorizer.lowercase or not vectorizer.binary or vectorizer.ngram_range != (1, 1):
            raise ValueError("only binary, case-kept, whitespace-token count vectorizers are supported")
        self.vocab: dict[str, int] = dict(vectorizer.vocabulary_)
        self.n_features = len(self.vocab)

    def entries(self, texts: Sequence[str]) -> Entries:
        """The non-zero entries (all 1) of the token matrix of ``texts``, in CSR order."""
        rows: list[int] = []
        cols: list[int] = []
        get = self.vocab.get
        for i, t in enumerate(texts):
            cs = sorted({c for c in map(get, t.split()) if c is not None})
            cols += cs
            rows += [i] * len(cs)
        return Entries(len(texts), self.n_features, np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                       np.ones(len(cols), dtype=np.int64))

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """The token matrix of ``texts``, as the vectorizer's ``transform`` gives it."""
        return self.entries(texts).csr()


@dataclass(frozen=True)
class Entries:
    """A sparse matrix as its non-zero entries sorted by (row, column): cheaper than building scipy
    matrices for the few sentences of one report."""

    n_rows: int
    n_cols: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray

    def csr(self) -> csr_matrix:
        indptr = np.searchsorted(self.rows, np.arange(self.n_rows + 1))
        return csr_matrix((self.vals, self.cols, indptr), shape=(self.n_rows, self.n_cols))


def linear_scores(parts: Sequence[Entries], W: np.ndarray, b: np.ndarray,
                  rows: Sequence[np.ndarray | None] | None = None) -> np.ndarray:
    """``hstack(parts) @ W + b`` for a dense ``W``, one sparse product per part (no stacked matrix).

    ``rows``: per part, the part's row for each output row (None: the same row), so that a part can be
    built from the distinct texts of a column only."""
    rows = list(rows) if rows is not None else [None] * len(parts)
    n = next((len(r) for r in rows if r is not None), parts[0].n_rows)
    out = np.tile(np.asarray(b, dtype=np.float64), (n, 1))
    offset = 0
    for e, r in zip(parts, rows):
        if len(e.rows):
            scores = e.csr() @ W[offset:offset + e.n_cols]
            out += scores if r is None else scores[r]
        offset += e.n_cols
    return out


def distinct(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in first-seen order and, for each text, its index among them."""
    index: dict[str, int] = {}
    where = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts))
    return list(index), where


def fast_transform(vectorizer):
    """The fast transform for a fitted vectorizer, or the vectorizer itself where none applies."""
    for cls in (CharNgramTransform, TokenTransform):
        try:
            return cls(vectorizer)
        except (ValueError, AttributeError):
            continue
    return vectorizer

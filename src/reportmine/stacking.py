"""The learned decision layer: which categories a sentence reports on, and with which polarity.

Gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``, one per polarity) read, for each
(sentence, category) candidate, what the linear models of :mod:`reportmine.model` and the rules say: the
sentence and best-clause probabilities, the "some finding" probability, how the category ranks against the
others in the sentence and in the sentences around it, the polarity model's probabilities, the cues and
their explicit polarities, the document type and the section heading. They replace a cascade of
hand-set thresholds (cross-validation on the train split, 501 files: found F1 of (sentence, category)
pairs 0.823 -> 0.851, not_found 0.878 -> 0.902, requirement 0.766 -> 0.779).

The trees learn from *out-of-fold* outputs of the linear models (stacking: each row is scored by linear
models that never saw its file), because outputs on their own training data are over-confident. Those rows
for the shipped train split ship with the package (``data/meta_rows.npz``, built by
``python -m reportmine.model export``), so that first use only fits the trees on them.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ._data import data_path
from .model_inputs import _pol_features

if TYPE_CHECKING:
    from .model import SentenceInputs
    from .structure import Report

__all__ = ["MetaDecider", "POLARITIES", "THRESHOLDS", "candidates_table", "gold_labels", "rows_fingerprint"]

#: the polarities the trees decide, one binary model each
POLARITIES = ("found", "not_found", "requirement")
#: probability at which a polarity is asserted (cross-validation on the train split; 0.3–0.5 within
#: 0.7 points of each other on found)
THRESHOLDS = {"found": 0.45, "not_found": 0.45, "requirement": 0.4}
#: a (sentence, category) is a candidate where the linear models give at least this, or where the
#: sentence holds a cue or topic word of the category
FLOOR = 0.03
#: the "nabove" feature counts the categories of a sentence the linear models give at least this (the
#: sentence threshold of the cascade the trees replaced)
ABOVE = 0.3
#: trees per polarity and their learning rate (cross-validation on the train split: 300 trees at 0.05
#: scored found 0.851, not_found 0.904, requirement 0.780 on (sentence, category) pairs; 100 at 0.15
#: 0.851, 0.902, 0.779 at a third of the cost)
TREES, LEARNING_RATE = 100, 0.15
#: bump when the features change: shipped rows of another version are not used
FEATURES_VERSION = "2"
NUMERIC = ("ps", "pcomb", "pany", "top", "rank", "other", "nabove", "prev", "next", "n_cue", "n_topic",
           "cert_found", "cert_not_found", "cert_requirement", "rule_found", "length", "pos",
           "pol_found", "pol_not_found", "pol_requirement", "pol_none",
           # the report around the pair (cross-validation on the train split, pair level: not_found 0.903 ->
           # 0.909, requirement 0.779 -> 0.790, found unchanged): the category's best elsewhere in the report,
           # its other sentences at ABOVE or more, its best within two sentences, the number of sentences;
           # "some finding" in the sentences before and after, the sentence's candidates; the polarity
           # model's found and requirement for the same category in the sentences before and after (NaN
           # where it is no candidate there)
           "rep_other", "rep_above", "win", "n_units", "pany_prev", "pany_next", "n_cands",
           "prev_found", "prev_requirement", "next_found", "next_requirement")
CATEGORICAL = ("doc_type", "head", "cat")


@dataclass(frozen=True)
class Candidates:
    """The candidate (sentence, category) pairs of a report with their features."""

    pairs: list  # (unit index, category label)
    numeric: np.ndarray  # len(pairs) x len(NUMERIC)
    categorical: np.ndarray  # len(pairs) x len(CATEGORICAL), strings


def candidates_table(model, inputs: "SentenceInputs", doc_type: str) -> Candidates:
    """Features of every candidate (sentence, category) of a report's sentence units (one function, so that
    training and inference build them alike)."""
    units, ps, pcomb, pany = inputs.units, inputs.pc, inputs.pcomb, inputs.pany
    labels = model.cat_labels
    n = len(units)
    pairs = [(i, j) for i in range(n) for j in range(len(labels))
             if pcomb[i, j] >= FLOOR or labels[j] in units[i][2]]
    if not pairs:
        return Candidates([], np.zeros((0, len(NUMERIC))), np.zeros((0, len(CATEGORICAL)), dtype=str))
    pol = _pol_probs(model, [_pol_features(units[i][0], labels[j], units[i][2].get(labels[j], []), doc_type)
                             for i, j in pairs])
    pany = np.zeros(n) if pany is None else pany
    I = np.array([i for i, _ in pairs])
    J = np.array([j for _, j in pairs])
    p = pcomb[I, J]
    ranked = np.sort(pcomb, axis=1)
    top = ranked[:, -1]
    second = ranked[:, -2] if pcomb.shape[1] > 1 else np.zeros(n)
    first, last = I > 0, I + 1 < n
    nxt = np.minimum(I + 1, n - 1)  # the next sentence's row (where there is one: ``last``)
    high = pcomb >= ABOVE
    # the category's best in the other sentences: its column's best, or second best where this is the best
    by_col = np.sort(pcomb, axis=0)
    col_best, col_second = by_col[-1], (by_col[-2] if n > 1 else np.zeros(pcomb.shape[1]))
    padded = np.vstack([np.full((2, pcomb.shape[1]), -np.inf), pcomb, np.full((2, pcomb.shape[1]), -np.inf)])
    row_of = {pair: r for r, pair in enumerate(pairs)}
    cue = np.zeros((len(pairs), 6))  # n_cue, n_topic, cert_found, cert_not_found, cert_requirement, rule_found
    cat, length = [], np.zeros(len(pairs))
    for r, (i, j) in enumerate(pairs):
        sent, toks, cats, _ = units[i]
        cs = cats.get(labels[j], [])
        certain = {c.rule for c in cs if c.certain}
        cue[r] = (sum(c.role == "cue" for c in cs), sum(c.role == "topic" for c in cs),
                  *(float(q in certain) for q in POLARITIES), float(any(c.rule == "found" for c in cs)))
        length[r] = len(sent.text)
        cat.append((doc_type, toks.split()[1], labels[j]))
    neighbours = np.array([(*_neighbour_pol(pol, row_of, i - 1, j), *_neighbour_pol(pol, row_of, i + 1, j))
                           for i, j in pairs]).reshape(len(pairs), 4)
    cols = {
        "ps": ps[I, J], "pcomb": p, "pany": pany[I], "top": top[I],
        "rank": (pcomb[I] > p[:, None]).sum(axis=1), "other": np.where(p == top[I], second[I], top[I]),
        "nabove": high.sum(axis=1)[I],
        "prev": np.where(first, pcomb[I - 1, J], 0.0), "next": np.where(last, pcomb[nxt, J], 0.0),
        **dict(zip(("n_cue", "n_topic", "cert_found", "cert_not_found", "cert_requirement", "rule_found"), cue.T)),
        "length": length, "pos": I / n,
        **{f"pol_{q}": pol[:, k] for k, q in enumerate((*POLARITIES, "none"))},
        "rep_other": np.where(n > 1, np.where(p >= col_best[J], col_second[J], col_best[J]), 0.0),
        "rep_above": high.sum(axis=0)[J] - high[I, J],
        "win": np.max([padded[I + 2 + d, J] for d in range(-2, 3)], axis=0), "n_units": np.full(len(pairs), n),
        "pany_prev": np.where(first, pany[I - 1], 0.0), "pany_next": np.where(last, pany[nxt], 0.0),
        "n_cands": np.bincount(I, minlength=n)[I],
        **dict(zip(("prev_found", "prev_requirement", "next_found", "next_requirement"), neighbours.T)),
    }
    numeric = np.column_stack([np.asarray(cols[name], dtype=np.float64) for name in NUMERIC])
    return Candidates([(i, labels[j]) for i, j in pairs], numeric, np.asarray(cat, dtype=str))


def _neighbour_pol(pol: np.ndarray, row_of: dict, i: int, j: int) -> tuple[float, float]:
    """The polarity model's found and requirement for category ``j`` in unit ``i`` (NaN: no candidate)."""
    r = row_of.get((i, j))
    return (np.nan, np.nan) if r is None else (float(pol[r, 0]), float(pol[r, 2]))


def _pol_probs(model, rows: list) -> np.ndarray:
    """The polarity model's probabilities of found / not_found / requirement / none for each row."""
    from .features import linear_scores

    parts, where = model._Xpol([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    W, b = model._linear("pol", model.pol_clf)
    sc = linear_scores(parts, W, b, where)
    pr = np.exp(sc - sc.max(axis=1, keepdims=True))
    pr /= pr.sum(axis=1, keepdims=True)
    classes = list(model.pol_clf.classes_)
    cols = [pr[:, classes.index(p)] if p in classes else np.zeros(len(rows)) for p in (*POLARITIES, "none")]
    return np.stack(cols, axis=1)


def gold_labels(report: "Report", units: list, pairs: list, gold: Sequence[tuple]) -> np.ndarray:
    """0/1 per candidate pair and polarity: a gold mention (category, polarity, start, end) of the pair's
    category and that polarity overlaps the pair's sentence (original offsets)."""
    Y = np.zeros((len(pairs), len(POLARITIES)), dtype=np.int8)
    for r, (i, lab) in enumerate(pairs):
        sent = units[i][0]
        oa, ob = report.norm.to_original(sent.nstart, sent.nend)
        for cat, pol, a, b in gold:
            if cat == lab and pol in POLARITIES and a < ob and oa < b:
                Y[r, POLARITIES.index(pol)] = 1
    return Y


class MetaDecider:
    """One gradient-boosted tree model per polarity over :func:`candidates_table` features."""

    def __init__(self, thresholds: dict | None = None) -> None:
        self.thresholds = dict(thresholds or THRESHOLDS)
        self.codes: dict[str, dict[str, int]] = {}
        self.models: dict[str, object] = {}

    def _matrix(self, numeric: np.ndarray, categorical: np.ndarray) -> np.ndarray:
        """The trees' input: the numeric features, then each categorical one as a code (a value unseen in
        training is missing, NaN, which the trees send to the side most training rows took)."""
        cols = [numeric]
        for k, name in enumerate(CATEGORICAL):
            code = self.codes[name]
            cols.append(np.array([code.get(v, np.nan) for v in categorical[:, k]], dtype=np.float64)[:, None])
        return np.hstack(cols)

    def fit(self, numeric: np.ndarray, categorical: np.ndarray, Y: np.ndarray) -> "MetaDecider":
        """Fit the trees on candidate rows and their 0/1 labels per polarity."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        self.codes = {name: {v: i for i, v in enumerate(sorted(set(categorical[:, k])))}
                      for k, name in enumerate(CATEGORICAL)}
        X = self._matrix(numeric, categorical)
        for k, pol in enumerate(POLARITIES):
            clf = HistGradientBoostingClassifier(max_iter=TREES, learning_rate=LEARNING_RATE, random_state=0)
            self.models[pol] = _Trees(clf.fit(X, Y[:, k])) if 0 < Y[:, k].sum() < len(Y) else None
        return self

    def predict(self, cands: Candidates) -> np.ndarray:
        """Probability per candidate pair and polarity (POLARITIES order)."""
        P = np.zeros((len(cands.pairs), len(POLARITIES)))
        if not cands.pairs:
            return P
        X = self._matrix(cands.numeric, cands.categorical)
        for k, pol in enumerate(POLARITIES):
            if self.models.get(pol) is not None:
                P[:, k] = self.models[pol].proba(X)
        return P

    def decide(self, cands: Candidates) -> list[tuple[int, str, str, float]]:
        """(unit index, category, polarity, probability) of every polarity asserted for a candidate."""
        P = self.predict(cands)
        out = []
        for r, (i, lab) in enumerate(cands.pairs):
            for k, pol in enumerate(POLARITIES):
                if P[r, k] >= self.thresholds[pol]:
                    out.append((i, lab, pol, float(P[r, k])))
        return out


class _Trees:
    """A fitted binary ``HistGradientBoostingClassifier`` with numerical splits, its trees as flat arrays
    evaluated for all rows and trees at once: ``predict_proba``'s probabilities (to rounding) without its
    call per tree, each of which starts OpenMP threads (tens of milliseconds per report)."""

    def __init__(self, clf) -> None:
        self.clf = clf
        nodes = [predictors[0].nodes for predictors in clf._predictors]
        sizes = np.array([len(n) for n in nodes])
        self.roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        flat = np.concatenate(nodes)
        if flat["is_categorical"].any():
            raise ValueError("categorical splits are not supported")
        shift = np.repeat(self.roots, sizes)
        self.leaf = flat["is_leaf"].astype(bool)
        self.left = flat["left"].astype(np.intp) + shift
        self.right = flat["right"].astype(np.intp) + shift
        self.feature = flat["feature_idx"].astype(np.intp)
        self.threshold = flat["num_threshold"].astype(np.float64)
        self.missing_left = flat["missing_go_to_left"].astype(bool)
        self.value = flat["value"].astype(np.float64)
        self.baseline = float(np.ravel(clf._baseline_prediction)[0])

    def proba(self, X: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row of ``X``."""
        n, n_features = X.shape
        trees = len(self.roots)
        node = np.tile(self.roots, n)  # row-major: (row, tree)
        start = np.repeat(np.arange(n) * n_features, trees)  # the row's offset in X.ravel()
        flat = np.ascontiguousarray(X, dtype=np.float64).ravel()
        active = np.flatnonzero(~self.leaf[node])
        while active.size:  # one level down for the (row, tree) pairs not at a leaf yet
            at = node[active]
            x = flat[start[active] + self.feature[at]]
            go_left = np.where(np.isnan(x), self.missing_left[at], x <= self.threshold[at])
            node[active] = nxt = np.where(go_left, self.left[at], self.right[at])
            active = active[~self.leaf[nxt]]
        return 1.0 / (1.0 + np.exp(-(self.baseline + self.value[node].reshape(n, trees).sum(axis=1))))


# ------------------------------------------------------------------ shipped out-of-fold rows
def rows_fingerprint() -> str:
    """What the shipped rows were built from: the training data, taxonomy and cue files, the features'
    version. Rows with another fingerprint are not used (the trees then learn from rows built at training)."""
    h = hashlib.sha256(f"features {FEATURES_VERSION}".encode())
    for name in ("training.jsonl.gz", "taxonomy.yaml", "cues.yaml"):
        p = data_path(name)
        h.update(b"\0" + name.encode() + b"\0" + (p.read_bytes() if p.is_file() else b""))
    return h.hexdigest()[:24]


def save_rows(path, numeric: np.ndarray, categorical: np.ndarray, Y: np.ndarray) -> None:
    """Write out-of-fold rows with the current fingerprint (``np.savez_compressed``)."""
    np.savez_compressed(path, numeric=numeric.astype(np.float64), categorical=categorical.astype(str), Y=Y,
                        fingerprint=np.array(rows_fingerprint()), columns=np.array(NUMERIC + CATEGORICAL))


def load_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The shipped out-of-fold rows, or None where none ship or they were built from other data."""
    p = data_path("meta_rows.npz")
    if not p.is_file():
        return None
    with np.load(io.BytesIO(p.read_bytes()), allow_pickle=False) as z:
        if str(z["fingerprint"]) != rows_fingerprint() or tuple(z["columns"]) != NUMERIC + CATEGORICAL:
            return None
        return z["numeric"], z["categorical"], z["Y"]

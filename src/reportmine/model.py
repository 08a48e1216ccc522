"""The learned component: scikit-learn models stacked on the rules, trained on the gold corpus.

* a sentence model says which categories (and which action types) a sentence mentions, from character
  n-grams of the sentence plus the rule candidates as features, so it learns paraphrases the cue lists
  miss and when to distrust a cue;
* clause models say the same for each clause (and each two adjacent clauses) of a sentence; the best
  clause is averaged with the sentence's own probability, so that a mention in one clause of a long
  sentence is not diluted by the rest;
* a polarity model says found / not_found / requirement for a (sentence, category), from the sentence,
  a window around the cue, and the rules' tokens; it also says "none" where a cue names a category the
  sentence does not report on (a topic heading, a compliance statement);
* a decision layer (:mod:`reportmine.stacking`: gradient-boosted trees over all of the above) decides
  which categories a sentence reports on and with which polarities;
* a document-type model for reports whose title does not name their type.

Training data ship with the package (``data/training.jsonl.gz``: the decoded text and gold of every
report file of the corpus's *train* split, never the test split), so the models train at first use,
offline, in about 3 minutes on 2 cores, and are cached on disk per data + library version. Training and
cross-validation are in :mod:`reportmine.training`.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .model_inputs import _sentence_units, clause_units

if TYPE_CHECKING:
    from .structure import Report

__all__ = ["StackedModel", "THRESHOLDS", "clause_units"]

log = logging.getLogger(__name__)
MODEL_VERSION = "1"
#: probability above which the sentence model asserts an action type (chosen by cross-validation on the
#: train split: see ``reportmine.training.cross_validate``); categories and their polarities are decided
#: by the decision layer (:mod:`reportmine.stacking`)
THRESHOLDS = {"action": 0.4}
#: rescue: where the sentence model for "this sentence has some action" says so with probability >= the
#: first number, the most likely action type is asserted even below its threshold, provided its own
#: probability is >= the second number (chosen by cross-validation)
RESCUE = {"action": (0.6, 0.05)}
#: clause models (PARAMS["clause"]) score each clause of a sentence and each two adjacent clauses; the best
#: of them is averaged with the sentence model's probability with this weight, for categories and action
#: types (cross-validation on the train split: weight 0 → 0.5 moved found F1 0.770 → 0.783, actions
#: 0.817 → 0.847; adding clause pairs: found 0.791, actions 0.849; weights 0.35–0.65 within 0.3 points)
CLAUSE_WEIGHT = 0.5
#: model hyper-parameters (chosen by cross-validation on the train split)
PARAMS = {"ngram": (1, 3), "C": 32.0, "pol_C": 8.0, "class_weight": None, "words": False, "none": True,
          "clause": True, "clause_pairs": True}


def _weights(clf) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of a fitted linear classifier (one-vs-rest stacked): scoring is then one product
    (sklearn's per-estimator input validation costs more than the arithmetic on short texts)."""
    if hasattr(clf, "estimators_"):
        # a label that was constant in training has a constant predictor: zero weights, a saturated intercept
        n = clf.n_features_in_
        W = np.vstack([e.coef_.reshape(1, n) if hasattr(e, "coef_") else np.zeros((1, n)) for e in clf.estimators_]).T
        b = np.array([e.intercept_[0] if hasattr(e, "coef_") else (30.0 if np.ravel(e.y_)[0] else -30.0)
                      for e in clf.estimators_])
    else:
        W, b = clf.coef_.T, clf.intercept_
    return np.ascontiguousarray(W), b


class SentenceInputs(NamedTuple):
    """A report's sentence units (:func:`model_inputs._sentence_units`) with the linear models' outputs,
    one row per unit."""

    units: list
    pc: np.ndarray  # category probabilities of the sentence model
    pcomb: np.ndarray  # the same combined with the clause models
    pany: np.ndarray | None  # "some finding"
    pa: np.ndarray  # action-type probabilities combined with the clause models
    pany_a: np.ndarray | None  # "some action"


@dataclass
class StackedModel:
    """Fitted models plus the vectorizers they need (pickled as one object)."""

    vec_char: object
    vec_tok: object
    cat_labels: list
    cat_clf: object
    act_labels: list
    act_clf: object
    pol_vec_char: object
    pol_vec_win: object
    pol_vec_tok: object
    pol_clf: object
    doc_vec: object
    doc_clf: object
    thresholds: dict

    def __getstate__(self) -> dict:
        """Pickle the fitted models and fast transforms; stacked weights are rebuilt on use."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_lin_")}

    def prepare(self) -> "StackedModel":
        """Build the fast transforms now (they are pickled with the model), not at first use."""
        for name in ("vec_char", "vec_tok", "vec_word", "pol_vec_char", "pol_vec_win", "pol_vec_tok", "doc_vec"):
            self._vec(name)
        return self

    # ------------------------------------------------------------ inference
    def _linear(self, name: str, clf) -> tuple[np.ndarray, np.ndarray]:
        """(W, b) of a fitted linear classifier (:func:`_weights`), computed once per name."""
        key = f"_lin_{name}"
        if key not in self.__dict__:
            self.__dict__[key] = _weights(clf)
        return self.__dict__[key]

    def _vec(self, name: str):
        """The fitted vectorizer ``name`` with its fast exact transform (``reportmine.features``)."""
        key = f"_fast_{name}"
        if key not in self.__dict__:
            from .features import fast_transform

            vec = getattr(self, name, None)
            self.__dict__[key] = None if vec is None else fast_transform(vec)
        return self.__dict__[key]

    def _part(self, name: str, texts):
        """The features of vectorizer ``name`` as ``features.Entries``."""
        from .features import Entries

        vec = self._vec(name)
        if hasattr(vec, "entries"):
            return vec.entries(texts)
        X = vec.transform(texts).tocoo()  # a vectorizer without a fast transform
        order = np.lexsort((X.col, X.row))
        return Entries(X.shape[0], X.shape[1], X.row[order].astype(np.int64), X.col[order].astype(np.int64), X.data[order])

    def _X(self, texts, toks) -> list:
        parts = [self._part("vec_char", texts), self._part("vec_tok", toks)]
        if getattr(self, "vec_word", None) is not None:
            parts.append(self._part("vec_word", texts))
        return parts

    def _Xpol(self, texts, wins, toks) -> tuple[list, list]:
        """The polarity model's parts, each built from its column's distinct texts (a sentence is a row once
        per candidate category), with the rows that map them back (``features.linear_scores``)."""
        from .features import distinct

        parts, rows = [], []
        for name, column in (("pol_vec_char", texts), ("pol_vec_win", wins), ("pol_vec_tok", toks)):
            uniq, where = distinct(column)
            parts.append(self._part(name, uniq))
            rows.append(where)
        return parts, rows

    def doc_type(self, report: "Report", rule_guess: str) -> str:
        """Document type from the model (used when the title does not name the type)."""
        from .doctype import doc_type_features
        from .features import linear_scores

        W, b = self._linear("doc", self.doc_clf)
        scores = linear_scores([self._part("doc_vec", [doc_type_features(report)])], W, b)
        if scores.shape[1] == 1:  # two classes: one decision function
            return str(self.doc_clf.classes_[int(scores[0, 0] > 0)])
        return str(self.doc_clf.classes_[int(scores[0].argmax())])

    def _sentence_probs(self, X) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Probabilities of the sentence models (categories, action types, "some finding", "some
        action") from one product with their stacked weights."""
        from .features import linear_scores

        if "_lin_sentence" not in self.__dict__:
            blocks = [(self.cat_clf, len(self.cat_labels)), (self.act_clf, len(self.act_labels)),
                      (getattr(self, "any_clf", None), 1), (getattr(self, "any_act_clf", None), 1)]
            Ws, bs, sizes = [], [], []
            for i, (clf, n) in enumerate(blocks):
                if clf is None or not n:
                    sizes.append(0)
                    continue
                W, b = _weights(clf)
                Ws.append(W), bs.append(b), sizes.append(W.shape[1])
            self.__dict__["_lin_sentence"] = (np.ascontiguousarray(np.hstack(Ws)), np.concatenate(bs), sizes) if Ws else None
        stacked = self.__dict__["_lin_sentence"]
        n = X[0].n_rows
        if stacked is None:
            return np.zeros((n, 0)), np.zeros((n, 0)), None, None
        W, b, sizes = stacked
        P = _sigmoid(linear_scores(X, W, b))
        bounds = np.cumsum([0] + sizes)
        parts = [P[:, bounds[i]:bounds[i + 1]] for i in range(4)]
        return parts[0], parts[1], (parts[2][:, 0] if sizes[2] else None), (parts[3][:, 0] if sizes[3] else None)

    def _with_clauses(self, report: "Report", units: list, pc: np.ndarray, pa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Category and action-type probabilities combined with those of the clause models (the best
        clause of each sentence): a mention in one clause of a long sentence is not diluted by the rest."""
        models = [getattr(self, "clause_clf", None), getattr(self, "act_clause_clf", None)]
        if CLAUSE_WEIGHT <= 0 or models[0] is None:
            return pc, pa
        from .features import linear_scores

        text = report.norm.text
        ctexts, owner = [], []
        for i, u in enumerate(units):
            for a, b, _ in clause_units(text, u[0].nstart, u[0].nend, pairs=PARAMS["clause_pairs"]):
                ctexts.append(text[a:b])
                owner.append(i)
        X = [self._part("vec_char", ctexts)]
        out = []
        for name, clf, p in (("clause", models[0], pc), ("act_clause", models[1], pa)):
            if clf is None or not p.shape[1]:
                out.append(p)
                continue
            W, b = self._linear(name, clf)
            best = np.zeros_like(p)
            np.maximum.at(best, np.asarray(owner), _sigmoid(linear_scores(X, W, b)))
            out.append((1 - CLAUSE_WEIGHT) * p + CLAUSE_WEIGHT * best)
        return out[0], out[1]

    def _rescue(self, kind: str, p: np.ndarray, pany: np.ndarray | None) -> np.ndarray:
        """Raise the best label of sentences that the "some action" model is sure about to the threshold
        (see RESCUE): a paraphrase the per-label models are unsure of is still a mention."""
        if pany is None or not p.shape[1]:
            return p
        sure, floor = RESCUE[kind]
        top = p.max(axis=1)
        rows = np.flatnonzero((pany >= sure) & (top < self.thresholds[kind]) & (top >= floor))
        p = p.copy()
        p[rows, p.argmax(axis=1)[rows]] = self.thresholds[kind]
        return p

    def sentence_inputs(self, extractor, report: "Report", doc_type: str) -> SentenceInputs | None:
        """The sentence units of a report with the linear models' outputs; None for a report without
        sentences."""
        units = list(_sentence_units(extractor, report, doc_type))
        if not units:
            return None
        pc, pa, pany_c, pany_a = self._sentence_probs(self._X([u[0].text for u in units], [u[1] for u in units]))
        pcomb, pa = self._with_clauses(report, units, pc, pa)
        return SentenceInputs(units, pc, pcomb, pany_c, pa, pany_a)

    def decide_sentences(self, extractor, report: "Report", doc_type: str) -> list[tuple]:
        """Decisions per sentence: (sentence, [(category, polarity, cues, prob)], [(action, planned, cues, prob)]).
        Categories and polarities come from the decision layer (:mod:`reportmine.stacking`), plus found where a
        cue holds its own observation (:func:`polarity.observed_in_cue`); categories the model does not know
        (a user taxonomy's) from the rules."""
        from .polarity import observed_in_cue
        from .stacking import candidates_table

        if getattr(self, "meta", None) is None:
            raise ValueError("this model has no decision layer (trained with meta_folds=None): it only scores")
        inputs = self.sentence_inputs(extractor, report, doc_type)
        if inputs is None:
            return []
        act_hits = _above(self._rescue("action", inputs.pa, inputs.pany_a), self.thresholds["action"], self.act_labels)
        decided: dict[int, list] = defaultdict(list)
        for i, lab, pol, p in self.meta.decide(candidates_table(self, inputs, doc_type)):
            decided[i].append((lab, pol, p))
        out = []
        for i, (sent, _tok, cats, acts) in enumerate(inputs.units):
            # the cues of a polarity give a mixed sentence's clauses their own evidence (extract._assemble)
            cat_dec = [(lab, pol, [c for c in cats.get(lab, []) if c.rule == pol], p)
                       for lab, pol, p in decided.get(i, ())]
            for lab in cats:
                if lab not in self.cat_labels:  # a user taxonomy's category: the rules decide
                    for pol in sorted({c.rule for c in cats[lab] if c.rule}):
                        cat_dec.append((lab, pol, [c for c in cats[lab] if c.rule == pol], 1.0))
                elif not any(d[:2] == (lab, "found") for d in cat_dec):
                    # a cue holding its own observation word (设备时常出现故障), read as found by the rules: found
                    sure = [c for c in cats[lab] if c.role == "cue" and c.rule == "found" and c.certain and observed_in_cue(c.cue)]
                    if sure:
                        cat_dec.append((lab, "found", sure, 1.0))
            act_dec = [(lab, any(c.rule == "planned" for c in acts[lab]) if acts.get(lab) else None,
                        acts.get(lab, []), p) for lab, p in act_hits.get(i, ())]
            out.append((sent, cat_dec, act_dec))
        return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, as the one-vs-rest logistic regressions score (1 / (1 + e^-z))."""
    return 1.0 / (1.0 + np.exp(-z))


def _above(P: np.ndarray, threshold: float, labels: list) -> dict[int, list[tuple[str, float]]]:
    """Per row of ``P``, the (label, probability) at or above ``threshold``, in label order."""
    rows, cols = np.nonzero(P >= threshold)
    out: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for i, j, p in zip(rows.tolist(), cols.tolist(), P[rows, cols].tolist()):
        out[i].append((labels[j], p))
    return out


def __getattr__(name: str):
    """Training lives in :mod:`reportmine.training` and the cached default model in
    :mod:`reportmine.model_cache`; their functions stay importable from here."""
    if name in ("train", "export_training", "training_records", "cross_validate"):
        from . import training

        return getattr(training, name)
    if name == "default_model":  # moved to reportmine.model_cache
        from .model_cache import default_model

        return default_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # python -m reportmine.model export CORPORA OUT
    import sys

    if len(sys.argv) == 4 and sys.argv[1] == "export":
        from .training import export_training

        print(f"{export_training(sys.argv[2], sys.argv[3])} files written to {sys.argv[3]}", file=sys.stderr)
    elif len(sys.argv) == 3 and sys.argv[1] == "export-rows":
        from .training import export_meta_rows

        print(f"{export_meta_rows(sys.argv[2])} rows written to {sys.argv[2]}", file=sys.stderr)
    else:
        sys.exit("usage: python -m reportmine.model export CORPORA_DIR OUT.jsonl.gz\n"
                 "       python -m reportmine.model export-rows OUT.npz   (after export: the decision layer's rows)")

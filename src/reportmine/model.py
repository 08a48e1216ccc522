"""The learned component: scikit-learn models stacked on the rules, trained on the gold corpus.

* a sentence model says which categories (and which action types) a sentence mentions, from character
  n-grams of the sentence plus the rule candidates as features, so it learns paraphrases the cue lists
  miss and when to distrust a cue;
* clause models say the same for each clause (and each two adjacent clauses) of a sentence; the best
  clause is averaged with the sentence's own probability, so that a mention in one clause of a long
  sentence is not diluted by the rest; a mention found without a cue takes the polarity that explicit
  cues give its best clause;
* a polarity model says found / not_found / requirement for a (sentence, category), from the sentence,
  a window around the cue, and the rule's own polarity; it also says "none" where a cue names a category
  the sentence does not report on (a topic heading, a compliance statement), and vetoes that mention;
* a document-type model for reports whose title does not name their type.

Training data ship with the package (``data/training.jsonl.gz``: the decoded text and gold of every
report file of the corpus's *train* split, never the test split), so the models train at first use,
offline, in about 2 minutes on 2 cores, and are cached on disk per data + library version. Training and
cross-validation are in :mod:`reportmine.training`.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .model_inputs import _pol_features, _sentence_units, clause_units
from .polarity import decide_polarity

if TYPE_CHECKING:
    from .structure import Report

__all__ = ["StackedModel", "THRESHOLDS", "clause_units"]

log = logging.getLogger(__name__)
MODEL_VERSION = "1"
#: probability above which the sentence model asserts a category / action type (chosen by
#: cross-validation on the train split: see ``reportmine.training.cross_validate``)
THRESHOLDS = {"category": 0.3, "action": 0.4}
#: rescue: where a sentence model for "this sentence has some finding" (or "some action") says so with
#: probability >= the first number, the most likely category (action type) is asserted even below its
#: threshold, provided its own probability is >= the second number (chosen by cross-validation)
RESCUE = {"category": (0.6, 0.05), "action": (0.6, 0.05)}
#: where an explicit cue decides a polarity, the polarity model overrules it only with at least this
#: probability (chosen by cross-validation)
POL_OVERRIDE = 0.75
#: the polarity model also learns "none" (a rule candidate in a sentence without a gold mention of that
#: category: a topic heading, a compliance statement, a remedied problem); where it says "none" with at
#: least this probability, the mention is dropped, unless the sentence model is at least NONE_SURE sure of
#: the category (cross-validation with the clause models, POL_NONE 0.8–0.9 × NONE_SURE 0.6–0.8: all within
#: 0.15 points of findings F1; 0.8 / 0.6 scored best on found and on all findings)
POL_NONE = 0.8
NONE_SURE = 0.6
#: a problem expression of the cue list (not a topic word) that the rules read as found is not vetoed by
#: "none": a remedied problem is still a problem found (对11185台设备时常出现故障的情况，已向设备维护部门建议…,
#: a seed report). Cross-validation on the train split: found F1 0.788 -> 0.786 (precision 0.794 -> 0.788,
#: recall 0.782 -> 0.784), other figures within 0.001; kept for the real report it gets right
NONE_SPARES_CUE = True
#: where the model for "this sentence has some finding" gives below the first number, a category the
#: per-category models give below the second number is dropped: the mirror of RESCUE, for sentences that
#: read like a topic's compliance statement (cross-validation on the train split, 501 files: found F1
#: 0.7934 -> 0.7967, precision 0.799 -> 0.810, recall 0.788 -> 0.784; not_found 0.8683 -> 0.8682,
#: requirement 0.7449 -> 0.7457; of (0.05, 0.7), (0.1, 0.7), (0.05, any) and (0.2, 0.6) the best on found)
ANY_VETO = (0.2, 0.6)
#: a sentence is "mixed" (each clause keeps its rule polarity) only where explicit cues decide two
#: polarities in two clauses; a clause whose polarity is only a default (a topic word in a compliance
#: statement: 各支局均张贴禁寄物品目录，未发现违规收寄…) is left to the polarity model (cross-validation on
#: the train split: found F1 +0.2, not_found +0.8, requirement +1.0 points)
MIX_CERTAIN = True
#: clause models (PARAMS["clause"]) score each clause of a sentence and each two adjacent clauses; the best
#: of them is averaged with the sentence model's probability with this weight, for categories and action
#: types (cross-validation on the train split: weight 0 → 0.5 moved found F1 0.770 → 0.783, actions
#: 0.817 → 0.847; adding clause pairs: found 0.791, actions 0.849; weights 0.35–0.65 within 0.3 points)
CLAUSE_WEIGHT = 0.5
#: a mention the model finds without a cue takes the polarity explicit cues give the clause the clause model
#: finds it in (未发现…，没有发现擅自关停… is then not_found), which the polarity model overrules only with
#: POL_OVERRIDE; without this the polarity model alone decides it from the whole sentence (cross-validation
#: on the train split: found F1 0.785 -> 0.787, not_found 0.866 -> 0.869, requirement 0.725 -> 0.727)
CUELESS_CLAUSE = True
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

    def _Xpol(self, texts, wins, toks) -> list:
        return [self._part("pol_vec_char", texts), self._part("pol_vec_win", wins), self._part("pol_vec_tok", toks)]

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

    def _with_clauses(self, report: "Report", units: list, pc: np.ndarray, pa: np.ndarray) -> tuple[np.ndarray, np.ndarray, "_Clauses | None"]:
        """Category and action-type probabilities combined with those of the clause models (the best
        clause of each sentence): a mention in one clause of a long sentence is not diluted by the rest.
        Also the clause models' category scores, to find the clause a mention without a cue is in."""
        models = [getattr(self, "clause_clf", None), getattr(self, "act_clause_clf", None)]
        if CLAUSE_WEIGHT <= 0 or models[0] is None:
            return pc, pa, None
        from .features import linear_scores

        text = report.norm.text
        ctexts, owner, spans, single = [], [], [], []
        for i, u in enumerate(units):
            for a, b, one in clause_units(text, u[0].nstart, u[0].nend, pairs=PARAMS["clause_pairs"]):
                ctexts.append(text[a:b])
                owner.append(i)
                spans.append((a, b))
                single.append(one)
        X = [self._part("vec_char", ctexts)]
        out, scores = [], None
        for name, clf, p in (("clause", models[0], pc), ("act_clause", models[1], pa)):
            if clf is None or not p.shape[1]:
                out.append(p)
                continue
            W, b = self._linear(name, clf)
            P = _sigmoid(linear_scores(X, W, b))
            best = np.zeros_like(p)
            np.maximum.at(best, np.asarray(owner), P)
            out.append((1 - CLAUSE_WEIGHT) * p + CLAUSE_WEIGHT * best)
            if name == "clause":
                scores = _Clauses(text, np.asarray(owner), np.asarray(single), spans, P)
        return out[0], out[1], scores

    def _rescue(self, kind: str, p: np.ndarray, pany: np.ndarray | None) -> np.ndarray:
        """Raise the best label of sentences that the "some finding/action" model is sure about to the
        threshold (see RESCUE): a paraphrase the per-label models are unsure of is still a mention."""
        if pany is None or not p.shape[1]:
            return p
        sure, floor = RESCUE[kind]
        top = p.max(axis=1)
        rows = np.flatnonzero((pany >= sure) & (top < self.thresholds[kind]) & (top >= floor))
        p = p.copy()
        p[rows, p.argmax(axis=1)[rows]] = self.thresholds[kind]
        return p

    def decide_sentences(self, extractor, report: "Report", doc_type: str) -> list[tuple]:
        """Decisions per sentence: (sentence, [(category, polarity, cands, prob)], [(action, planned, cands, prob)])."""
        units = list(_sentence_units(extractor, report, doc_type))
        if not units:
            return []
        texts = [u[0].text for u in units]
        toks = [u[1] for u in units]
        pc, pa, pany_c, pany_a = self._sentence_probs(self._X(texts, toks))
        pc, pa, clause_scores = self._with_clauses(report, units, pc, pa)
        pc = _veto_unsure(self._rescue("category", pc, pany_c), pany_c)
        pa = self._rescue("action", pa, pany_a)
        out = []
        pol_rows = []
        cat_hits = _above(pc, self.thresholds["category"], self.cat_labels)
        act_hits = _above(pa, self.thresholds["action"], self.act_labels)
        for i, (sent, tok, cats, acts) in enumerate(units):
            chosen = dict(cat_hits.get(i, ()))
            for lab in cats:  # categories the model does not know (user taxonomy): rules decide
                if lab not in self.cat_labels and any(c.rule for c in cats[lab]):
                    chosen[lab] = 1.0
            cat_dec = []
            for lab, prob in chosen.items():
                cs = cats.get(lab, [])
                known = lab in self.cat_labels
                mix = [c for c in cs if c.rule and (c.certain or not known or not MIX_CERTAIN)]
                rule_pols = {c.rule for c in mix}
                if len(rule_pols) >= 2 and len({c.clause for c in mix}) >= 2:
                    for pol in sorted(rule_pols):  # a mixed sentence: each clause keeps its own polarity
                        cat_dec.append((lab, pol, [c for c in mix if c.rule == pol], prob))
                elif not known:
                    pol = sorted(rule_pols)[0]  # deterministic, whatever the hash seed
                    cat_dec.append((lab, pol, [c for c in cs if c.rule == pol], prob))
                else:  # an explicit cue decides; the model where rules guess, or overrules with POL_OVERRIDE
                    pols = [c.rule for c in cs if c.certain]
                    pol = max(sorted(set(pols)), key=pols.count) if pols else None  # ties: found < not_found < requirement
                    if not cs and clause_scores is not None and CUELESS_CLAUSE:  # no cue: the words of its clause
                        pol = clause_scores.polarity(i, self.cat_labels.index(lab))
                    pol_rows.append((len(out), len(cat_dec)))
                    cat_dec.append([lab, pol, [c for c in cs if c.rule == pol] if pols else cs, prob,
                                    *_pol_features(sent, lab, cs, doc_type)])
            act_dec = []
            for lab, prob in act_hits.get(i, ()):
                cs = acts.get(lab, [])
                act_dec.append((lab, any(c.rule == "planned" for c in cs) if cs else None, cs, prob))
            out.append((sent, cat_dec, act_dec))
        if pol_rows:
            rows = [out[i][1][k] for i, k in pol_rows]
            Xp = self._Xpol([r[4] for r in rows], [r[5] for r in rows], [r[6] for r in rows])
            from .features import linear_scores

            W, b = self._linear("pol", self.pol_clf)
            sc = linear_scores(Xp, W, b)
            pr = np.exp(sc - sc.max(axis=1, keepdims=True))
            pr /= pr.sum(axis=1, keepdims=True)
            classes = list(self.pol_clf.classes_)
            p_none = np.zeros(len(rows))
            if "none" in classes:  # "none" vetoes the mention; the polarity is the best of the others
                p_none = pr[:, classes.index("none")].copy()
                pr[:, classes.index("none")] = -1.0
            conf, pols = pr.max(axis=1), [classes[j] for j in pr.argmax(axis=1)]
            for (i, k), pol, p, pn in zip(pol_rows, pols, conf, p_none):
                lab, rule_pol, cs, prob = out[i][1][k][:4]
                kept = pn < POL_NONE or prob >= NONE_SURE or (NONE_SPARES_CUE and any(
                    c.role == "cue" and c.rule == "found" for c in cs))
                if rule_pol is None or (pol != rule_pol and p >= POL_OVERRIDE):
                    rule_pol = str(pol)
                out[i][1][k] = (lab, rule_pol, cs, prob) if kept else None
            out = [(sent, [d for d in cat_dec if d is not None], act_dec) for sent, cat_dec, act_dec in out]
        return out


@dataclass(frozen=True)
class _Clauses:
    """The clause model's category probabilities of a report's clauses (and clause pairs)."""

    text: str
    owner: np.ndarray  # the sentence (unit index) of each row
    single: np.ndarray  # a row is one clause (not two adjacent ones)
    spans: list  # (start, end) in the normalized text of each row
    P: np.ndarray

    def polarity(self, sentence: int, label: int) -> str | None:
        """The polarity that explicit cues give the single clause the model finds the label in, or None."""
        rows = np.flatnonzero((self.owner == sentence) & self.single)
        if not len(rows):
            return None
        a, b = self.spans[rows[int(self.P[rows, label].argmax())]]
        pol, certain = decide_polarity(self.text[a:b], "", topic=False, inherited=None, heading_ctx=None)
        return pol if certain else None


def _veto_unsure(p: np.ndarray, pany: np.ndarray | None) -> np.ndarray:
    """``p`` with the categories below ANY_VETO's cap set to 0 in sentences whose "some finding"
    probability ``pany`` is below its floor."""
    if pany is None:
        return p
    floor, cap = ANY_VETO
    return np.where((pany[:, None] < floor) & (p < cap), 0.0, p)


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
    else:
        sys.exit("usage: python -m reportmine.model export CORPORA_DIR OUT.jsonl.gz")

"""Training the learned component (:mod:`reportmine.model`) from the gold corpus, and cross-validating it.

The shipped training data (``data/training.jsonl.gz``) hold the decoded text and gold of every report file
of the corpus's *train* split; :func:`cross_validate` is how thresholds and features are chosen without
looking at the test split.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Sequence

from ._data import data_path
from .model import PARAMS, THRESHOLDS, StackedModel
from .model_inputs import _pol_features, _sentence_units, _words, clause_units

__all__ = ["training_records", "export_training", "export_meta_rows", "meta_rows", "train", "cross_validate"]

log = logging.getLogger("reportmine.model")


def training_records() -> list[dict]:
    """The shipped training data: one record per corpus file of the train split."""
    with data_path("training.jsonl.gz").open("rb") as fh, gzip.open(fh, "rt", encoding="utf-8") as gz:
        return [json.loads(line) for line in gz if line.strip()]


def export_training(corpora: str | Path, out: str | Path) -> int:
    """Write the train split of a gold corpus (decoded texts + gold) as package training data."""
    from .evaluate import load_gold
    from .io import read_document

    gold, reports_dir = load_gold(Path(corpora) / "gold", split="train")
    raw: dict[str, list[dict]] = defaultdict(list)
    gold_dir = Path(corpora) / "gold"
    wanted = {(g.file, g.report) for g in gold}
    for f in sorted(gold_dir.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                if (r["file"], r["report"]) in wanted:
                    raw[r["file"]].append(r)
    n = 0
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as gz:
        for fname in sorted(raw):
            doc = read_document(reports_dir / fname)
            recs = sorted(raw[fname], key=lambda r: r["report"])
            gz.write(json.dumps({"file": fname, "text": doc.text, "gold": recs}, ensure_ascii=False) + "\n")
            n += 1
    return n


def _units_with_gold(extractor, records: Sequence[dict]):
    """Training rows from shipped records: sentence units with their gold labels."""
    from .doctype import doc_type_features
    from .io import Document
    from .normalize import normalize
    from .structure import iter_reports

    sent_rows, pol_rows, doc_rows = [], [], []
    for rec in records:
        doc = Document(rec["file"], rec["text"], "utf-8", "txt")
        norm = normalize(doc.text)
        reports = list(iter_reports(doc, norm=norm))
        golds = rec["gold"]
        for g in golds:
            if g["report"] < len(reports):
                doc_rows.append((doc_type_features(reports[g["report"]]), g["doc_type"], rec["file"]))
        gf = _gold_findings(rec)
        ga = [(a["type"], a["start"], a["end"]) for g in golds for a in g["actions"]]
        gdoc = {g["report"]: g["doc_type"] for g in golds}
        for ri, report in enumerate(reports):
            dt = gdoc.get(ri, "inspection_summary")
            for sent, toks, cats, acts in _sentence_units(extractor, report, dt):
                fs = [f for f in gf if f[2] < sent.end and sent.start < f[3]]
                as_ = {a[0] for a in ga if a[1] < sent.end and sent.start < a[2]}
                clause_rows = []
                if PARAMS.get("clause"):  # each clause with the categories and action types of the gold it overlaps
                    for a, b, _ in clause_units(report.norm.text, sent.nstart, sent.nend, pairs=PARAMS["clause_pairs"]):
                        oa, ob = report.norm.to_original(a, b)
                        clause_rows.append((report.norm.text[a:b], {f[0] for f in fs if f[2] < ob and oa < f[3]},
                                            {x[0] for x in ga if x[1] < ob and oa < x[2]}))
                sent_rows.append((sent.text, toks, {f[0] for f in fs}, as_, rec["file"], clause_rows))
                if PARAMS.get("none"):
                    for cat in sorted(set(cats) - {f[0] for f in fs}):
                        cs = cats[cat]
                        pol_rows.append((*_pol_features(sent, cat, cs, dt), "none", rec["file"]))
                for cat in sorted({f[0] for f in fs}):
                    pols = {f[1] for f in fs if f[0] == cat}
                    cs = cats.get(cat, [])
                    for pol in sorted(pols):
                        if len(pols) > 1:  # mixed: use the candidates that share the gold polarity's clause
                            gspan = [f for f in fs if f[0] == cat and f[1] == pol][0]
                            cs_p = [c for c in cs if c.sentence is sent] or cs
                            cs_p = [c for c in cs_p if report.norm.to_original(*c.clause)[0] <= gspan[2] < report.norm.to_original(*c.clause)[1]] or cs_p
                        else:
                            cs_p = cs
                        pol_rows.append((*_pol_features(sent, cat, cs_p, dt), pol, rec["file"]))
    return sent_rows, pol_rows, doc_rows


def export_meta_rows(out: str | Path, *, folds: int = 5) -> int:
    """Write the decision layer's out-of-fold rows of the shipped training data (``data/meta_rows.npz``,
    so that first use need not build them: ``folds`` extra trainings); returns the number of rows."""
    from .stacking import save_rows

    rows = meta_rows(training_records(), folds=folds)
    save_rows(out, *rows)
    return len(rows[0])


def _folds(records: Sequence[dict], folds: int):
    """(fit, held out) per fold: the records in the order of their file names' SHA-1, fold k holding
    every ``folds``-th of them from the k-th on."""
    order = sorted(records, key=lambda r: hashlib.sha1(r["file"].encode()).hexdigest())
    for k in range(folds):
        yield [r for i, r in enumerate(order) if i % folds != k], [r for i, r in enumerate(order) if i % folds == k]


def _gold_findings(rec: dict) -> list[tuple]:
    """(category, polarity, start, end) of every gold finding of a training record (original offsets)."""
    return [(f["category"], f["polarity"], f["start"], f["end"]) for g in rec["gold"] for f in g["findings"]]


def meta_rows(records: Sequence[dict], *, folds: int = 5) -> tuple:
    """Out-of-fold candidate rows for the decision layer (:mod:`reportmine.stacking`): the records in
    ``folds`` groups, each scored by linear models trained on the others; (numeric, categorical, Y)."""
    import numpy as np

    parts = []
    for k, (fit, held) in enumerate(_folds(records, folds)):
        parts.append(_candidate_rows(train(fit, meta_folds=None), held))
        log.info("decision-layer rows: fold %d of %d", k + 1, folds)
    return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))


def _candidate_rows(model: StackedModel, records: Sequence[dict]) -> tuple:
    """The decision layer's candidate rows of ``records`` as ``model`` scores them, with gold labels."""
    import numpy as np

    from .extract import Extractor
    from .io import Document
    from .stacking import CATEGORICAL, NUMERIC, POLARITIES, candidates_table, gold_labels
    from .structure import iter_reports

    extractor = Extractor(model=model)
    num = [np.zeros((0, len(NUMERIC)))]
    cat = [np.zeros((0, len(CATEGORICAL)), dtype=str)]
    Y = [np.zeros((0, len(POLARITIES)), dtype=np.int8)]
    for rec in records:
        gold = _gold_findings(rec)
        for report in iter_reports(Document(rec["file"], rec["text"], "utf-8", "txt")):
            doc_type = extractor.doc_type(report)
            inputs = model.sentence_inputs(extractor, report, doc_type)
            if inputs is None:
                continue
            cands = candidates_table(model, inputs, doc_type)
            num.append(cands.numeric)
            cat.append(cands.categorical)
            Y.append(gold_labels(report, inputs.units, cands.pairs, gold))
    return np.concatenate(num), np.concatenate(cat).astype(str), np.concatenate(Y)


def train(records: Sequence[dict] | None = None, *, thresholds: dict | None = None,
          meta_folds: int | None = 5) -> StackedModel:
    """Fit the stacked models on training records (default: the shipped train split), and the decision
    layer on out-of-fold rows (``meta_folds`` folds; the rows that ship with the package for the shipped
    split; ``meta_folds=None``: no decision layer)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    from .extract import Extractor

    shipped = records is None
    records = training_records() if records is None else records
    extractor = Extractor(model=None)
    sent_rows, pol_rows, doc_rows = _units_with_gold(extractor, records)
    vec_char = TfidfVectorizer(analyzer="char", ngram_range=PARAMS["ngram"], min_df=2, sublinear_tf=True, max_features=80000)
    vec_tok = CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False)
    texts = [r[0] for r in sent_rows]
    toks = [r[1] for r in sent_rows]
    parts = [vec_char.fit_transform(texts), vec_tok.fit_transform(toks)]
    vec_word = None
    if PARAMS["words"]:
        vec_word = TfidfVectorizer(analyzer=_words, min_df=2, sublinear_tf=True)
        parts.append(vec_word.fit_transform(texts))
    X = hstack(parts).tocsr()

    def lr(**options):
        """The logistic regression of the sentence and clause models (liblinear, seeded: reproducible)."""
        return LogisticRegression(C=PARAMS["C"], max_iter=2000, solver="liblinear", random_state=0, **options)

    def fit_multilabel(labels):
        mlb = MultiLabelBinarizer()
        Y = mlb.fit_transform(labels)
        keep = [j for j in range(Y.shape[1]) if Y[:, j].sum() >= 2]
        clf = OneVsRestClassifier(lr(class_weight=PARAMS["class_weight"]))
        clf.fit(X, Y[:, keep])
        return [mlb.classes_[j] for j in keep], clf

    cat_labels, cat_clf = fit_multilabel([r[2] for r in sent_rows])
    act_labels, act_clf = fit_multilabel([r[3] for r in sent_rows])
    pol_vec_char = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    pol_vec_win = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=1, sublinear_tf=True)
    pol_vec_tok = CountVectorizer(token_pattern=r"\S+", binary=True, lowercase=False)
    Xp = hstack([
        pol_vec_char.fit_transform([r[0] for r in pol_rows]),
        pol_vec_win.fit_transform([r[1] for r in pol_rows]),
        pol_vec_tok.fit_transform([r[2] for r in pol_rows]),
    ]).tocsr()
    pol_clf = LogisticRegression(C=PARAMS["pol_C"], max_iter=3000)
    pol_clf.fit(Xp, [r[3] for r in pol_rows])
    doc_vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=1, sublinear_tf=True)
    doc_clf = LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced")
    doc_clf.fit(doc_vec.fit_transform([r[0] for r in doc_rows]), [r[1] for r in doc_rows])
    model = StackedModel(vec_char, vec_tok, list(cat_labels), cat_clf, list(act_labels), act_clf,
                         pol_vec_char, pol_vec_win, pol_vec_tok, pol_clf, doc_vec, doc_clf,
                         dict(thresholds or THRESHOLDS))
    model.vec_word = vec_word
    if PARAMS.get("clause"):  # labels per clause: a mention is not diluted by the rest of a long sentence
        clause_rows = [row for r in sent_rows for row in r[5]]
        Xc = vec_char.transform([row[0] for row in clause_rows])
        for attr, col, labels in (("clause_clf", 1, cat_labels), ("act_clause_clf", 2, act_labels)):
            Y = MultiLabelBinarizer(classes=list(labels)).fit_transform([sorted(row[col] & set(labels)) for row in clause_rows])
            setattr(model, attr, OneVsRestClassifier(lr()).fit(Xc, Y))
    for attr, col in (("any_clf", 2), ("any_act_clf", 3)):  # "some finding" (for the decision layer) / "some action" (RESCUE)
        y = [int(bool(r[col])) for r in sent_rows]
        if 0 < sum(y) < len(y):
            setattr(model, attr, lr().fit(X, y))
    model.meta = None
    if meta_folds:
        from .stacking import MetaDecider, load_rows

        rows = load_rows() if shipped else None
        if rows is None:
            (log.warning if shipped else log.info)(
                "building the decision layer's rows from %d folds (the shipped ones do not apply)", meta_folds)
            rows = meta_rows(records, folds=meta_folds)
        model.meta = MetaDecider().fit(*rows)
    return model.prepare()


def cross_validate(*, folds: int = 5, thresholds: dict | None = None, records: Sequence[dict] | None = None,
                   meta_folds: int | None = 5) -> dict:
    """Grouped k-fold cross-validation on the train split: rules alone vs rules+model, per fold pooled.

    This is how thresholds and features are chosen without ever looking at the test split.
    """
    from .evaluate import EvalResult, GoldReport, score
    from .extract import Extractor
    from .io import Document
    from .pipeline import process_document

    records = list(training_records() if records is None else records)
    res_rules, res_model = EvalResult(), EvalResult()
    rules = Extractor(model=None)
    for fit, test in _folds(records, folds):
        model = train(fit, thresholds=thresholds, meta_folds=meta_folds)
        stacked = Extractor(model=model)
        gold = [GoldReport.from_record(g) for r in test for g in r["gold"]]
        for ex, res in ((rules, res_rules), (stacked, res_model)):
            pred = {r["file"]: list(process_document(Document(r["file"], r["text"], "utf-8", "txt"), extractor=ex).extractions) for r in test}
            score(gold, pred, res)
    return {"rules": res_rules, "rules+model": res_model}

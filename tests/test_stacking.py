"""The decision layer: candidate features, gold labels, the trees, and the shipped out-of-fold rows."""
from __future__ import annotations

import numpy as np
import pytest

from reportmine import stacking
from reportmine.extract import Extractor
from reportmine.io import Document
from reportmine.model_cache import default_model
from reportmine.normalize import normalize
from reportmine.stacking import CATEGORICAL, NUMERIC, POLARITIES, MetaDecider, candidates_table, gold_labels
from reportmine.structure import iter_reports

TEXT = ("某县邮政分公司服务质量自查报告\n\n一、自查情况\n"
        "检查发现城关支局平常信件有积压，营业员态度较好。\n"
        "未发现搭售现象。\n\n某县邮政分公司\n2020年5月6日\n")


@pytest.fixture(scope="module")
def inputs():
    model = default_model()
    extractor = Extractor(model=model)
    (report,) = iter_reports(Document("t.txt", TEXT, "utf-8", "txt"), norm=normalize(TEXT))
    doc_type = extractor.doc_type(report)
    return model, report, doc_type, model.sentence_inputs(extractor, report, doc_type)


def test_candidates_are_the_cue_categories_and_the_likely_ones(inputs):
    model, report, doc_type, sentence_inputs = inputs
    units, pcomb = sentence_inputs.units, sentence_inputs.pcomb
    cands = candidates_table(model, sentence_inputs, doc_type)
    assert cands.numeric.shape == (len(cands.pairs), len(NUMERIC))
    assert cands.categorical.shape == (len(cands.pairs), len(CATEGORICAL))
    labels = model.cat_labels
    for i, u in enumerate(units):  # every category with a cue in the sentence, and every one above the floor
        for j, lab in enumerate(labels):
            wanted = lab in u[2] or pcomb[i, j] >= stacking.FLOOR
            assert ((i, lab) in cands.pairs) == wanted
    backlog = [r for r, (i, lab) in enumerate(cands.pairs) if lab == "backlog"]
    assert backlog and cands.categorical[backlog[0]].tolist() == [doc_type, "H_none", "backlog"]
    pol = cands.numeric[:, [NUMERIC.index(f"pol_{p}") for p in (*POLARITIES, "none")]]
    assert np.allclose(pol.sum(axis=1), 1.0)  # the polarity model's four probabilities


def test_report_context_features_read_the_other_sentences(inputs):
    model, report, doc_type, sentence_inputs = inputs
    pcomb, pany = sentence_inputs.pcomb, sentence_inputs.pany
    cands = candidates_table(model, sentence_inputs, doc_type)
    col = {name: cands.numeric[:, k] for k, name in enumerate(NUMERIC)}
    labels, n = model.cat_labels, len(sentence_inputs.units)
    rows = {pair: r for r, pair in enumerate(cands.pairs)}
    for r, (i, lab) in enumerate(cands.pairs):
        j = labels.index(lab)
        others = np.delete(pcomb[:, j], i)
        assert col["rep_other"][r] == pytest.approx(others.max() if len(others) else 0.0)
        assert col["rep_above"][r] == (others >= stacking.ABOVE).sum()
        assert col["win"][r] == pytest.approx(pcomb[max(0, i - 2):i + 3, j].max())
        assert col["n_units"][r] == n and col["n_cands"][r] == sum(p[0] == i for p in cands.pairs)
        assert col["pany_prev"][r] == pytest.approx(pany[i - 1] if i else 0.0)
        for side, k in (("prev", i - 1), ("next", i + 1)):  # the same category's polarity next door, NaN if none
            other = rows.get((k, lab))
            for pol in ("found", "requirement"):
                want = np.nan if other is None else col[f"pol_{pol}"][other]
                assert col[f"{side}_{pol}"][r] == pytest.approx(want, nan_ok=True)


@pytest.mark.parametrize("gold, expected", [
    ([("backlog", "found", 30, 40)], {("backlog", "found")}),
    ([("backlog", "not_found", 30, 40), ("backlog", "found", 31, 35)], {("backlog", "found"), ("backlog", "not_found")}),
    ([("backlog", "found", 0, 5)], set()),  # in the title, not in a sentence of the body
    ([("forced_selling", "not_found", 51, 55)], {("forced_selling", "not_found")}),
])
def test_gold_labels_mark_the_polarities_of_gold_overlapping_the_sentence(gold, expected):
    (report,) = iter_reports(Document("t.txt", TEXT, "utf-8", "txt"), norm=normalize(TEXT))
    sents = [s for sec in report.sections for s in sec.sentences]
    units = [(s, "", {}, {}) for s in sents]
    pairs = [(i, lab) for i in range(len(units)) for lab in ("backlog", "forced_selling")]
    Y = gold_labels(report, units, pairs, gold)
    got = {(lab, POLARITIES[k]) for r, (i, lab) in enumerate(pairs) for k in range(3) if Y[r, k]}
    assert got == expected


def _synthetic(n: int = 400, seed: int = 0):
    rng = np.random.RandomState(seed)
    num = rng.rand(n, len(NUMERIC))
    cat = np.array([("inspection_summary", "H_none", rng.choice(["backlog", "forced_selling"])) for _ in range(n)])
    Y = np.zeros((n, 3), dtype=np.int8)
    Y[:, 0] = num[:, NUMERIC.index("pcomb")] > 0.5  # found where the linear models say so
    Y[:, 1] = (num[:, NUMERIC.index("pol_not_found")] > 0.7) & (cat[:, 2] == "backlog")
    return num, cat, Y


def test_trees_learn_their_rows_and_treat_unseen_values_as_missing():
    num, cat, Y = _synthetic()
    meta = MetaDecider().fit(num, cat, Y)
    tn, tc, tY = _synthetic(seed=1)
    P = meta.predict(stacking.Candidates([(i, c) for i, c in enumerate(tc[:, 2])], tn, tc))
    assert ((P[:, 0] >= 0.5) == tY[:, 0]).mean() > 0.95
    assert ((P[:, 1] >= 0.5) == tY[:, 1]).mean() > 0.9
    assert meta.models["requirement"] is None and not P[:, 2].any()  # never seen: never asserted
    tc[:, 2] = "privacy_leak"  # a category the trees never saw
    assert np.isfinite(meta.predict(stacking.Candidates([(i, "privacy_leak") for i in range(len(tc))], tn, tc))).all()


def test_flat_trees_give_scikit_learns_probabilities_also_for_missing_values():
    """The trees evaluated as flat arrays equal ``predict_proba`` (also where a value is NaN: an unseen
    category), on rows they were not fitted on."""
    num, cat, Y = _synthetic()
    meta = MetaDecider().fit(num, cat, Y)
    tn, tc, _ = _synthetic(seed=2)
    tc[::3, 2] = "privacy_leak"
    X = meta._matrix(tn, tc)
    assert np.isnan(X).any()
    for pol in ("found", "not_found"):
        trees = meta.models[pol]
        assert np.allclose(trees.proba(X), trees.clf.predict_proba(X)[:, 1], rtol=0, atol=1e-12)


def test_decide_applies_each_polarity_threshold():
    num, cat, Y = _synthetic()
    cands = stacking.Candidates([(i, c) for i, c in enumerate(cat[:, 2])], num, cat)
    meta = MetaDecider().fit(num, cat, Y)
    P = meta.predict(cands)
    for t in (0.2, 0.8):
        meta.thresholds = dict.fromkeys(POLARITIES, t)
        assert len(meta.decide(cands)) == int((P >= t).sum())


def test_rows_round_trip_and_rows_of_other_data_are_not_used(tmp_path, monkeypatch):
    num, cat, Y = _synthetic(50)
    stacking.save_rows(tmp_path / "meta_rows.npz", num, cat, Y)
    real = stacking.data_path
    monkeypatch.setattr(stacking, "data_path", lambda name: tmp_path / name if name == "meta_rows.npz" else real(name))
    got = stacking.load_rows()
    assert got is not None and np.array_equal(got[0], num) and np.array_equal(got[1], cat) and np.array_equal(got[2], Y)
    monkeypatch.setattr(stacking, "FEATURES_VERSION", "other")
    assert stacking.load_rows() is None


def test_shipped_rows_were_built_from_the_shipped_training_data():
    assert stacking.load_rows() is not None, "run: python -m reportmine.model export-rows src/reportmine/data/meta_rows.npz"

"""The learned component: trained on the train split only, in sync with the corpus, and earning its place."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportmine.evaluate import evaluate
from reportmine.extract import Extraction, Extractor
from reportmine.io import Document
from reportmine.model_cache import default_model
from reportmine.pipeline import process_document

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def _extract(text: str, model=None) -> Extraction:
    """The one report of ``text`` extracted with ``model`` (default: the shipped one)."""
    (ex,) = process_document(Document("t.txt", text, "utf-8", "txt"), extractor=Extractor(model=model or default_model())).extractions
    return ex


@pytest.fixture(scope="module")
def heldout():
    return {
        "rules": evaluate(CORPORA / "gold", split="test", extractor=Extractor(model=None)),
        "model": evaluate(CORPORA / "gold", split="test", extractor=Extractor(model=default_model())),
    }


def test_combination_beats_rules_alone_on_the_test_split(heldout):
    rules, model = heldout["rules"].summary(), heldout["model"].summary()
    assert model["findings_f1"] > rules["findings_f1"]
    assert model["found_f1"] > rules["found_f1"]
    assert model["action_f1"] > rules["action_f1"]


def test_polarity_model_knows_none_and_problems_told_under_topic_headings_are_found():
    """The polarity model learns "none" (a cue in a sentence that reports nothing of its category), which the
    decision layer reads; problems told under topic headings (用户信息保护, 消防安全) are still found."""
    model = default_model()
    assert "none" in list(model.pol_clf.classes_)
    text = ("某县邮政分公司服务质量自查报告\n\n一、自查情况\n（一）用户信息保护\n"
            "检查发现城关支局将用户汇款单随意堆放在柜台上，存在用户信息泄露隐患。\n（二）消防安全\n"
            "分拣场地消防通道被邮袋堵塞，灭火器过期未更换。\n\n某县邮政分公司\n2020年5月6日\n")
    found = {(f.category, f.polarity) for f in _extract(text, model).findings}
    assert {("privacy_leak", "found"), ("safety_hazard", "found")} <= found


def test_a_model_without_its_decision_layer_refuses_to_decide():
    """Linear models trained for out-of-fold rows (``meta_folds=None``) only score; extracting with them is
    an error, not a silent empty result."""
    import copy

    from reportmine.normalize import normalize
    from reportmine.structure import iter_reports

    model = copy.copy(default_model())
    model.meta = None
    text = "某县邮政分公司自查报告\n\n一、自查情况\n检查发现信件有积压。\n\n某县邮政分公司\n2020年5月6日\n"
    (report,) = iter_reports(Document("t.txt", text, "utf-8", "txt"), norm=normalize(text))
    with pytest.raises(ValueError, match="decision layer"):
        model.decide_sentences(Extractor(model=model), report, "inspection_summary")


def test_model_action_evidence_is_its_sentence_and_amount_its_clause():
    text = ("某县邮政分公司整改情况报告\n\n一、整改措施\n"
            "检查发现东2段信件有积压，对责任人给予200元罚款，并组织全段投递员开展业务培训。\n\n某县邮政分公司\n2020年5月6日\n")
    fines = [a for a in _extract(text).actions if a.type == "fine"]
    assert fines and fines[0].amount_yuan == 200
    sentence = "检查发现东2段信件有积压，对责任人给予200元罚款，并组织全段投递员开展业务培训。"
    assert fines[0].original.rstrip("。") == sentence.rstrip("。") and text[fines[0].start:fines[0].end] == fines[0].original


def test_clause_models_score_each_clause_and_combine_the_best_with_the_sentence(monkeypatch):
    """The clause models (categories, action types) score every clause of a sentence; a sentence gets
    (1 - w) * its own probability + w * its best clause's, the clause probabilities being exactly those of
    scikit-learn's predict_proba on the clause texts."""
    import numpy as np

    import reportmine.model as rm_model
    from reportmine.normalize import normalize
    from reportmine.structure import iter_reports

    model = default_model()
    assert model.clause_clf is not None and model.act_clause_clf is not None
    text = ("某县邮政分公司服务质量自查报告\n\n一、自查情况\n"
            "本季度共检查支局12个，调阅台账60本，走访用户35户，其中城关支局部分平常信件压至次日才投出，"
            "营业员态度较好，日戳清晰，对责任人罚款200元。\n\n某县邮政分公司\n2020年5月6日\n")
    doc = Document("t.txt", text, "utf-8", "txt")
    (report,) = iter_reports(doc, norm=normalize(text))
    units = list(rm_model._sentence_units(Extractor(model=None), report, "inspection_summary"))
    pc, pa, _, _ = model._sentence_probs(model._X([u[0].text for u in units], [u[1] for u in units]))
    for w in (0.0, 0.5, 1.0):
        monkeypatch.setattr(rm_model, "CLAUSE_WEIGHT", w)
        qc, qa = model._with_clauses(report, units, pc, pa)
        for i, u in enumerate(units):
            spans = rm_model.clause_units(report.norm.text, u[0].nstart, u[0].nend, pairs=rm_model.PARAMS["clause_pairs"])
            Xc = model.vec_char.transform([report.norm.text[a:b] for a, b, _ in spans])
            for clf, p, q in ((model.clause_clf, pc, qc), (model.act_clause_clf, pa, qa)):
                best = clf.predict_proba(Xc).max(axis=0)
                assert np.allclose(q[i], (1 - w) * p[i] + w * best)


@pytest.mark.parametrize("sentence, category", [
    ("各网点对夹带物品的包裹逐件开箱查验，未发现违规收寄管制刀具等禁寄物品。", "acceptance_check"),
    ("检查中未发现强迫用户使用高资费业务的现象，投递部邮件、报刊均能当日处理完毕，没有出现积压。", "backlog"),
    ("五是对违规充电情况开展了排查，各库房未发现安全隐患。", "safety_hazard"),
])
def test_a_compliance_clause_next_to_a_negation_is_not_a_found_problem(sentence, category):
    """A compliance statement beside 未发现… (its polarity only a default by the rules) does not become a
    `found` mention: the category is reported not found."""
    text = f"某县邮政分公司安全检查情况的通报\n各支局：\n一、检查情况\n{sentence}\n某县邮政分公司\n2020年5月6日\n"
    assert {(f.category, f.polarity) for f in _extract(text).findings if f.category == category} == {(category, "not_found")}


def test_stacked_weights_match_predict_proba_also_for_labels_constant_in_training():
    """A label never (or always) seen in training gets a constant predictor in scikit-learn's one-vs-rest;
    the stacked weights then score it as scikit-learn does instead of failing on a missing ``coef_``."""
    import warnings

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from reportmine.model import _weights

    X = np.random.RandomState(0).rand(40, 5)
    Y = np.zeros((40, 3), dtype=int)
    Y[:20, 0] = 1  # a real label, one never present, one always present
    Y[:, 2] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clf = OneVsRestClassifier(LogisticRegression(solver="liblinear")).fit(X, Y)
    W, b = _weights(clf)
    assert np.allclose(1 / (1 + np.exp(-(X @ W + b))), clf.predict_proba(X), atol=1e-9)

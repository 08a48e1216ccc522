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


def test_polarity_model_knows_none_and_its_veto_drops_mentions(monkeypatch):
    """The polarity model learns "none" (a cue in a sentence that reports nothing of its category); its
    probability decides whether a mention is kept: always dropped at threshold 0, never at 1.01, and a
    mention the sentence model is sure of (NONE_SURE), or one a found problem expression of the cue list
    names (NONE_SPARES_CUE), is kept whatever "none" says."""
    import reportmine.model as rm_model

    model = default_model()
    assert "none" in list(model.pol_clf.classes_)
    text = ("某县邮政分公司服务质量自查报告\n\n一、自查情况\n（一）用户信息保护\n"
            "检查发现城关支局将用户汇款单随意堆放在柜台上，存在用户信息泄露隐患。\n（二）消防安全\n"
            "分拣场地消防通道被邮袋堵塞，灭火器过期未更换。\n\n某县邮政分公司\n2020年5月6日\n")

    def found(pol_none: float, none_sure: float, spare: bool = rm_model.NONE_SPARES_CUE) -> set:
        monkeypatch.setattr(rm_model, "POL_NONE", pol_none)
        monkeypatch.setattr(rm_model, "NONE_SURE", none_sure)
        monkeypatch.setattr(rm_model, "NONE_SPARES_CUE", spare)
        return {(f.category, f.polarity) for f in _extract(text, model).findings}

    expected = {("privacy_leak", "found"), ("safety_hazard", "found")}
    assert expected <= found(rm_model.POL_NONE, rm_model.NONE_SURE)
    assert expected <= found(1.01, 1.01)
    assert not found(0.0, 1.01, spare=False)
    assert expected <= found(0.0, 1.01, spare=True)  # 信息泄露, 消防通道…堵塞: found cues
    assert expected <= found(0.0, 0.0, spare=False)


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
        qc, qa, _ = model._with_clauses(report, units, pc, pa)
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
def test_a_compliance_clause_next_to_a_negation_is_not_a_found_problem(monkeypatch, sentence, category):
    """A sentence is split into clauses of their own polarity only where explicit cues decide both: a
    compliance statement beside 未发现… (its polarity only a default) does not become a `found` mention;
    without MIX_CERTAIN it did."""
    import reportmine.model as rm_model

    text = f"某县邮政分公司安全检查情况的通报\n各支局：\n一、检查情况\n{sentence}\n某县邮政分公司\n2020年5月6日\n"

    def mentions(mix_certain: bool) -> set:
        monkeypatch.setattr(rm_model, "MIX_CERTAIN", mix_certain)
        return {(f.category, f.polarity) for f in _extract(text).findings if f.category == category}

    assert mentions(True) == {(category, "not_found")}
    assert (category, "found") in mentions(False)


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


@pytest.mark.parametrize("scores, expected", [
    ([0.9, 0.1, 0.2, 0.95], None),  # the best single clause states practice: no explicit polarity
    ([0.1, 0.9, 0.2, 0.95], "not_found"),  # 没有发现…: the pair row (0.95) is not a clause
    ([0.1, 0.2, 0.9, 0.0], "requirement"),  # 要…杜绝…
])
def test_cueless_mention_takes_its_clause_polarity(scores, expected):
    """A mention the model finds without a cue takes the polarity that explicit cues give the single clause
    the clause model scores highest for it (clause pairs are not clauses)."""
    from reportmine.model import _Clauses
    from reportmine.polarity import clauses

    text = "各村邮站均能专人值守，没有发现擅自关停的情况，要坚决杜绝挂牌不营业"
    spans = clauses(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == ["各村邮站均能专人值守", "没有发现擅自关停的情况", "要坚决杜绝挂牌不营业"]
    spans.append((spans[0][0], spans[1][1]))
    import numpy as np

    c = _Clauses(text, np.array([0, 0, 0, 0]), np.array([True, True, True, False]), spans, np.array(scores)[:, None])
    assert c.polarity(0, 0) == expected
    assert c.polarity(1, 0) is None  # a sentence without clause rows


def test_a_sentence_without_any_finding_drops_unsure_categories(monkeypatch):
    """ANY_VETO: where the "some finding" model is below its floor, a category the per-category models give
    below the cap is dropped; with the floor at 0 nothing is."""
    import reportmine.model as rm_model

    text = ("某县邮政分公司服务质量自查报告\n市分公司：\n一、自查发现的问题\n"
            "营业员办理汇款时顺带推销保险卡，用户不要也照收费用。\n某县邮政分公司\n2021年5月6日\n")

    def categories(veto: tuple[float, float]) -> set:
        monkeypatch.setattr(rm_model, "ANY_VETO", veto)
        return {f.category for f in _extract(text).findings}

    assert categories((0.0, 0.0))
    assert categories((1.01, 1.01)) == set()

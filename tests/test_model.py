"""The learned component: trained on the train split only, in sync with the corpus, and earning its place."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportmine.evaluate import evaluate
from reportmine.extract import Extractor
from reportmine.model import default_model

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


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
    mention the sentence model is sure of (NONE_SURE) is kept whatever "none" says."""
    import reportmine.model as rm_model
    from reportmine.io import Document
    from reportmine.pipeline import process_document

    model = default_model()
    assert "none" in list(model.pol_clf.classes_)
    text = ("某县邮政分公司服务质量自查报告\n\n一、自查情况\n（一）用户信息保护\n"
            "检查发现城关支局将用户汇款单随意堆放在柜台上，存在用户信息泄露隐患。\n（二）消防安全\n"
            "分拣场地消防通道被邮袋堵塞，灭火器过期未更换。\n\n某县邮政分公司\n2020年5月6日\n")

    def found(pol_none: float, none_sure: float) -> set:
        monkeypatch.setattr(rm_model, "POL_NONE", pol_none)
        monkeypatch.setattr(rm_model, "NONE_SURE", none_sure)
        (ex,) = process_document(Document("t.txt", text, "utf-8", "txt"), extractor=Extractor(model=model)).extractions
        return {(f.category, f.polarity) for f in ex.findings}

    expected = {("privacy_leak", "found"), ("safety_hazard", "found")}
    assert expected <= found(rm_model.POL_NONE, rm_model.NONE_SURE)
    assert expected <= found(1.01, 1.01)
    assert not found(0.0, 1.01)
    assert expected <= found(0.0, 0.0)


def test_model_action_evidence_is_its_sentence_and_amount_its_clause():
    from reportmine.io import Document
    from reportmine.pipeline import process_document

    text = ("某县邮政分公司整改情况报告\n\n一、整改措施\n"
            "检查发现东2段信件有积压，对责任人给予200元罚款，并组织全段投递员开展业务培训。\n\n某县邮政分公司\n2020年5月6日\n")
    (ex,) = process_document(Document("t.txt", text, "utf-8", "txt"), extractor=Extractor(model=default_model())).extractions
    fines = [a for a in ex.actions if a.type == "fine"]
    assert fines and fines[0].amount_yuan == 200
    sentence = "检查发现东2段信件有积压，对责任人给予200元罚款，并组织全段投递员开展业务培训。"
    assert fines[0].original.rstrip("。") == sentence.rstrip("。") and text[fines[0].start:fines[0].end] == fines[0].original

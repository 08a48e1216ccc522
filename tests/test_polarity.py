"""Polarity of mentions in context: the rules alone, sentence by sentence (table-driven)."""
from __future__ import annotations

import pytest

from reportmine.extract import Extractor
from reportmine.io import Document
from reportmine.pipeline import process_document

RULES = Extractor(model=None)

REPORT = "某县邮政分公司服务质量自查报告\n市分公司：\n{body}\n某县邮政分公司\n2021年5月6日\n"


def _findings(sentence: str, extractor=RULES):
    doc = Document("t.txt", REPORT.format(body=sentence), "utf-8", "txt")
    res = process_document(doc, extractor=extractor)
    return {(f.category, f.polarity) for e in res.extractions for f in e.findings}


@pytest.mark.parametrize("sentence,expected", [
    ("检查发现东2段信件、报刊有积压。", {("backlog", "found")}),
    ("检查中未发现邮件积压现象。", {("backlog", "not_found")}),
    ("严禁积压邮件。", {("backlog", "requirement")}),
    ("各网点均无积压。", {("backlog", "not_found")}),
    ("确保邮件不积压。", {("backlog", "requirement")}),
    ("逐日检查有无搭售等问题。", {("forced_selling", "requirement")}),
    ("未发现强迫用户使用高资费业务现象，但窗口搭售贺卡偶有发生。",
     {("forced_selling", "not_found"), ("forced_selling", "found")}),
    ("无挪用代收资金的情况。", {("internal_control", "not_found")}),
    ("不存在垫付资金的现象。", {("internal_control", "not_found")}),
    ("杜绝员工与用户争吵。", {("service_attitude", "requirement")}),
    ("部分进口邮件无投递日戳。", {("missing_date_stamp", "found")}),
    ("11185热线时常出现故障。", {("equipment_failure", "found")}),
    ("没有用户反映投递员态度生硬。", {("service_attitude", "not_found")}),
    ("積壓郵件已全部投出，但東區仍有包裹滯留。", {("backlog", "found")}),
    # a negator inside a pattern's gap negates the problem after it (the pattern leaves the word to its cue)
    ("信件、包裹无丢失损毁。", {("lost_damaged", "not_found")}),
    ("各段道投递均无延误。", {("delivery_delay", "not_found")}),
    # a check-list label and its result after a colon
    ("1．搭售及强行办理业务：各网点均未发现。", {("forced_selling", "not_found")}),
    ("2．违规收费、超标准收费：未发现。", {("improper_fees", "not_found")}),
    ("3．邮件积压：发现3处。", {("backlog", "found")}),
    # an order to fix a named problem is a requirement of its category (GUIDELINES, clarification 3)
    ("责令两支局立即停止搭配销售和违规收取包装费。", {("forced_selling", "requirement"), ("improper_fees", "requirement")}),
])
def test_rule_polarity(sentence, expected):
    assert expected <= _findings(sentence)


@pytest.mark.parametrize("sentence,unexpected", [
    ("检查中未发现邮件积压现象。", ("backlog", "found")),
    ("严禁违规收费和违规搭售行为。", ("forced_selling", "found")),
    ("严禁违规收费和违规搭售行为。", ("improper_fees", "found")),
    ("投诉热线11185全天开通。", ("complaint_handling", "found")),
    # a contrast clause keeps what its own words say: a requirement, a negation
    ("未发现积压，但要进一步加强管理，防止邮件积压。", ("backlog", "found")),
    ("未发现积压，但也没有发现延误投递的情况。", ("delivery_delay", "found")),
    # a contrast without a negated clause before it decides nothing
    ("各网点均按规定收费，但个别网点收费公示不够醒目。", ("forced_selling", "found")),
])
def test_prohibitions_and_negations_are_not_found(sentence, unexpected):
    assert unexpected not in _findings(sentence)


@pytest.mark.parametrize("sentence,cue,expected", [
    # a contrast after a clause that ruled a problem out reports one: found, and certain (so that the
    # learned model keeps both polarities of the sentence)
    ("未发现推诿扯皮情况，但有2件投诉答复超过规定时限。", "投诉答复超过规定时限", ("found", True)),
    ("抽查均於次日內投遞，未發現延誤情形，惟第5路線颱風過後仍有派遞延誤。", "延误", ("found", True)),
    # the contrast clause keeps what its own words say
    ("未发现积压，但也没有发现延误的情况。", "延误", ("not_found", True)),
    ("未发现积压，但要进一步加强管理，防止邮件积压。", "积压", ("requirement", True)),
    # without a negated clause before it, a contrast decides nothing
    ("各网点均按规定投递，但部分段道投递不及时。", "投递不及时", ("found", True)),
    ("邮件均已投出，但投递不及时。", "投递不及时", ("found", False)),
])
def test_contrast_after_a_negation_reports_a_problem(sentence, cue, expected):
    from reportmine.normalize import normalize
    from reportmine.structure import iter_reports

    text = REPORT.format(body=sentence)
    (report,) = iter_reports(Document("t.txt", text, "utf-8", "txt"), norm=normalize(text))
    got = {(c.cue, c.rule, c.certain) for c in RULES.candidates(report, "inspection_summary") if c.kind == "category"}
    assert (cue, *expected) in got


def test_negation_governs_its_own_clause_only():
    got = _findings("未发现积压，投递员张某将邮件丢失。")
    assert ("backlog", "not_found") in got
    assert ("lost_damaged", "found") in got
    assert ("lost_damaged", "not_found") not in got


def test_with_model_prohibitions_stay_requirements():
    got = _findings("严禁搭售，严禁强迫用户使用高资费业务。", extractor=Extractor())
    assert ("forced_selling", "requirement") in got
    assert ("forced_selling", "found") not in got


@pytest.mark.parametrize("pre,cue,post,topic,expected", [
    # an observation word inside the cue itself makes the observation certain, as one around it would
    ("对11185台", "设备时常出现故障", "的情况", False, ("found", True)),
    ("对11185台", "设备故障", "的情况", False, ("found", False)),
    ("", "设备故障", "时常出现", False, ("found", True)),
    # a requirement or a negation around the cue still decides first
    ("严禁", "偶有搭售", "", False, ("requirement", True)),
    ("未发现", "时常出现故障", "", False, ("not_found", True)),
    # topic words are not observations, whatever they hold: with no context they decide nothing
    ("已向", "时常出现故障", "部门建议", True, (None, False)),
])
def test_cue_words_can_hold_the_observation(pre, cue, post, topic, expected):
    from reportmine.polarity import decide_polarity

    assert decide_polarity(pre, post, topic=topic, inherited=None, heading_ctx=None, cue=cue) == expected


@pytest.mark.parametrize("sentence,expected,unexpected", [
    # the cue's own observation word makes it found even in a sentence about something else
    ("为妥善处理用户投诉，对城区网点收寄台电子秤时常出现故障的情况，已报请维修部门彻底解决。",
     ("equipment_failure", "found"), None),
    # but not where the sentence forbids or negates it
    # (a whole rule, as written in a report: on the bare prohibition alone the layer keeps no finding at all,
    # which would leave nothing to check)
    ("各网点严禁隐瞒设备时常出现故障的情况，发现故障要及时报修。", ("equipment_failure", "requirement"),
     ("equipment_failure", "found")),
    ("未发现设备时常出现故障的情况。", ("equipment_failure", "not_found"), ("equipment_failure", "found")),
])
def test_with_model_a_cue_holding_its_observation_is_found(sentence, expected, unexpected):
    got = _findings(sentence, extractor=Extractor())
    assert expected in got
    assert unexpected is None or unexpected not in got


def test_a_cue_holding_its_observation_is_found_whatever_the_decision_layer_says(monkeypatch):
    from reportmine.model_cache import default_model

    model = default_model()
    monkeypatch.setattr(model.meta, "decide", lambda cands: [])  # a layer that asserts nothing
    ex = Extractor(model=model)
    assert ("equipment_failure", "found") in _findings("对11185台设备时常出现故障的情况，已向维护部门反映。", extractor=ex)
    assert not _findings("对11185台设备故障的情况，已向维护部门反映。", extractor=ex)

"""Extraction details: money, party, planned flag, links, offsets, document type rules."""
from __future__ import annotations

import pytest

from reportmine.doctype import doc_type_by_title
from reportmine.extract import Extractor, parse_money
from reportmine.io import Document
from reportmine.pipeline import process_document


@pytest.mark.parametrize("text,amount", [
    ("对责任人给予200元罚款", 200),
    ("罚款人民币五百元", 500),
    ("处罚款1万元", 10000),
    ("扣罚叁佰元整", 300),
    ("罚款2.5万元", 25000),
    ("扣发当月绩效奖金300元", 300),
    ("给予通报批评", None),
    # the fine among several amounts: a total, else the one after a penalty word
    ("作出没收违法所得55929元、罚款人民币五万元的行政处罚", 50000),
    ("退还多收运费320元，并罚款500元", 500),
    ("按每张50元扣罚，共计350元", 350),
    # a bare amount after a penalty verb; points and other counts are no amount
    ("发现一次罚100。", 100),
    ("丰产路店店长扣200", 200),
    ("扣2分", None),
    ("扣罚当月考核分10分", None),
    ("超时一单扣店长10块", 10),
    # 參 (traditional 叁) is 参 after script conversion
    ("计罚违约金新台币参万元整", 30000),
])
def test_parse_money(text, amount):
    assert parse_money(text) == amount


def _extract(body: str, extractor=None, title="某县邮政分公司服务质量自查报告"):
    text = f"{title}\n市分公司：\n{body}\n某县邮政分公司\n2021年5月6日\n"
    res = process_document(Document("t.txt", text, "utf-8", "txt"), extractor=extractor or Extractor(model=None))
    assert res.skipped is None
    return text, res.extractions[0]


def test_fine_amount_party_and_link():
    text, ex = _extract("一、检查发现东2段信件、报刊有积压，对责任人给予200元罚款，停职处理。")
    fine = [a for a in ex.actions if a.type == "fine"][0]
    assert fine.amount_yuan == 200 and fine.party == "责任人" and fine.planned is False
    assert fine.finding is not None and ex.findings[fine.finding].category == "backlog"
    assert any(a.type == "suspension" for a in ex.actions)
    for item in ex.findings + ex.actions:
        assert text[item.start:item.end] == item.original


@pytest.mark.parametrize("body", [
    "根据代收资金金额足额上缴。",
    "各支局均张贴禁寄物品目录，灭火器配备齐全。",
    "投诉电话在营业厅醒目位置公示。",
])
def test_topic_nouns_alone_are_no_finding(body):
    """A word that only names a topic (代收资金, 灭火器, 投诉电话) is no problem by itself: the rules report
    nothing for a compliance statement made of them (a real report's 根據代收資金金額足額上繳 was a found)."""
    _, ex = _extract(body)
    assert ex.findings == ()


def test_planned_actions_are_kept_apart():
    _, ex = _extract("一、检查发现投递不及时。\n今后，我们将加强业务培训，下一步将开展复查。")
    planned = {a.type: a.planned for a in ex.actions}
    assert planned.get("training") is True and planned.get("reinspection") is True


def test_regulation_has_no_found_and_no_actions():
    _, ex = _extract("第一条 严禁积压邮件。\n第二条 对积压邮件的责任人给予罚款。", title="投递服务质量管理办法")
    assert ex.doc_type == "regulation"
    assert not [f for f in ex.findings if f.polarity == "found"] and not ex.actions


@pytest.mark.parametrize("title,expected", [
    ("邮政服务质量专项检查工作总结", "inspection_summary"),
    ("内蒙古邮政营业、投递服务质量监督检查办法(讨论稿)", "regulation"),
    ("关于《投递管理办法》执行情况的检查报告", "inspection_summary"),
    ("2016邮政服务质量心得体会", "essay"),
    ("邮政局提高服务质量实施意见", "regulation"),
    ("关于召开服务质量分析会议的通知", "other"),
    # speeches, statements of duty and work plans (GUIDELINES, clarification 11)
    ("在全县邮政一季度服务质量分析会上的讲话", "other"),
    ("2023年度述职报告", "other"),
    ("某某速运有限公司南充分公司2025年服务质量工作计划", "other"),
    ("关于检查计划执行情况的报告", "inspection_summary"),
    (None, None),
])
def test_doc_type_by_title(title, expected):
    assert doc_type_by_title(title) == expected


@pytest.mark.parametrize("title,signed,expected", [
    # a unit's rectification plan lists the problems an inspection found (GUIDELINES 25); unsigned, a template
    ("太和县邮政局关于市局服务质量督查反馈问题的整改方案", True, "inspection_summary"),
    ("太和县邮政局关于市局服务质量督查反馈问题的整改方案", False, "regulation"),
    ("关于快递服务质量检查问题的整改工作方案", True, "inspection_summary"),
    ("2022年城乡投递服务质量专项整治工作方案", True, "regulation"),
    ("关于印发《投递问题整改方案》的通知", True, "other"),
])
def test_rectification_plan_titles(title, signed, expected):
    assert doc_type_by_title(title, signed=signed) == expected


def test_traditional_input_gives_simplified_text_and_original_quote():
    text, ex = _extract("檢查發現部分郵件無投遞日戳。")
    f = [f for f in ex.findings if f.category == "missing_date_stamp"][0]
    assert f.polarity == "found" and "无投递日戳" in f.text and "無投遞日戳" in f.original
    assert text[f.start:f.end] == f.original

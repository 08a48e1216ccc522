"""Regression on the shared seed reports (read-only, outside the repository; skipped when absent)."""
from __future__ import annotations

import re

import pytest

from reportmine.io import read_document
from reportmine.normalize import normalize, to_simplified
from reportmine.structure import iter_reports

_TONED_PINYIN = re.compile(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")


@pytest.fixture(scope="module")
def seed_reports(seed):
    cache: dict[str, list] = {}

    def get(prefix: str):
        if prefix not in cache:
            cache[prefix] = list(iter_reports(read_document(seed(prefix))))
        return cache[prefix]

    return get


def test_seed_000_splits_into_five_reports(seed_reports):
    reps = seed_reports("000")
    assert len(reps) == 5
    assert [r.index for r in reps] == list(range(5))
    assert all(r.script == "traditional" for r in reps)


def test_seed_000_report_0_unit_region_date(seed_reports):
    r = seed_reports("000")[0]
    assert r.org == "保德县邮政局"
    assert r.region == {"province": "山西省", "city": "忻州市", "county": "保德县"}
    assert r.date == "2008-12-03"
    assert r.addressee == "市局检查服务部"
    assert [s.number for s in r.sections if s.number] == ["一、", "二、", "三、", "四、", "五、"]


def test_seed_000_report_1_unit_and_date(seed_reports):
    r = seed_reports("000")[1]
    assert r.org == "榆林市邮政局"
    assert r.region["city"] == "榆林市"
    assert r.date == "2008-12-10"


def test_seed_000_report_2_placeholder_date_gives_none(seed_reports):
    r = seed_reports("000")[2]
    assert r.date is None
    assert r.org == "xx县邮政局"
    assert r.region == {"province": None, "city": None, "county": None}
    # outline: 一、 > (一)、 > 1、 with parents
    secs = r.sections
    for s in secs:
        if s.number and s.number.startswith("(") and s.level > 1:
            assert secs[s.parent].number == "三、"


def test_seed_000_report_3_regulation_title_and_outline(seed_reports):
    r = seed_reports("000")[3]
    assert r.title is not None and r.title.startswith("内蒙古邮政")
    assert "第四篇" not in r.title and "\n" not in r.title and len(r.title) <= 60
    assert r.region["province"] == "内蒙古自治区"
    chapters = [s for s in r.sections if s.number and s.number.endswith("章")]
    articles = [s for s in r.sections if s.number and s.number.endswith("条")]
    assert len(chapters) >= 6 and len(articles) >= 20
    assert all(s.level == 1 for s in chapters)
    assert all(r.sections[s.parent].number.endswith("章") for s in articles)
    # a chapter heading is a short phrase, never an article glued to it
    for s in chapters:
        assert s.heading and "条" not in s.heading and len(s.heading) <= 15
    # headings are short phrases or None, never whole paragraphs
    for s in r.sections:
        assert s.heading is None or (len(s.heading) <= 30 and "，" not in s.heading and "," not in s.heading)


def test_seed_004_has_no_pinyin_left_and_keeps_section_numbers(seed):
    doc = read_document(seed("004"))
    assert _TONED_PINYIN.search(doc.text)  # the seed does carry annotations
    norm = normalize(doc.text)
    assert not _TONED_PINYIN.search(norm.text)
    for kept in ("1.1", "1.2", "2.1", "第1章", "第2章"):
        assert kept in norm.text
    (r,) = [r for r in iter_reports(doc, norm=norm)][:1]
    numbers = [s.number for s in r.sections if s.number]
    assert "第1章" in numbers and "1.1" in numbers and "2.1" in numbers


def test_seed_001_has_no_spaces_before_de(seed):
    norm = normalize(read_document(seed("001")).text)
    assert " 的" not in norm.text
    assert "我们的" in norm.text


def test_seed_sentences_map_back_to_original(seed):
    doc = read_document(seed("000"))
    for r in iter_reports(doc):
        for s in r.sections:
            for t in s.sentences:
                original = doc.text[t.start:t.end]
                # a sentence alone may not decide its script the way its line did: force the conversion
                assert _squash(normalize(to_simplified(original)).text) == _squash(t.text)


def _squash(s: str) -> str:
    return re.sub(r"\s", "", s)


def test_seed_003_articles_one_after_another(seed_reports):
    reps = seed_reports("003")
    assert len(reps) >= 10  # a collection of scraped articles, each with its own title
    for r in reps:
        assert r.title
        first = next(t.text for s in r.sections for t in s.sentences)
        assert not first.startswith(r.title)  # the title repeated at the start of the body is not body


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_titles_headings_and_spans_are_sane(seed_reports, prefix):
    for r in seed_reports(prefix):
        assert r.title and "\n" not in r.title and len(r.title) <= 80
        assert not re.match(r"第[一二三四五六七八九十\d]+篇", r.title)
        for s in r.sections:
            assert s.heading is None or (0 < len(s.heading) <= 30 and not re.search(r"[，,。；]", s.heading))
            assert r.start <= s.start <= s.end <= r.end
            for t in s.sentences:
                assert s.start <= t.start < t.end <= s.end
            if s.parent is not None:
                assert r.sections[s.parent].level == s.level - 1

"""reportmine.dates: report dates in every spelling the reports use; never a guessed year."""
from __future__ import annotations

import datetime as dt

import pytest

from reportmine.dates import find_date, parse_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("二00八年十二月三號", "2008-12-03"),  # traditional 號, Arabic zeros inside Chinese numerals
        ("二00八年十二月三号", "2008-12-03"),
        ("二〇〇八年十二月十日", "2008-12-10"),
        ("二零零八年十二月三十一日", "2008-12-31"),
        ("二○一三年十一月二十日", "2013-11-20"),  # ○ WHITE CIRCLE as zero
        ("2008年12月3日", "2008-12-03"),
        ("２００８年１２月３日", "2008-12-03"),  # full-width digits
        ("2022年7月8日", "2022-07-08"),
        ("2021-04-13", "2021-04-13"),
        ("2008.12.3", "2008-12-03"),
        ("2008/12", "2008-12"),
        ("2008年12月", "2008-12"),  # year and month only
        ("二〇一九年八月", "2019-08"),
        ("2020年11月", "2020-11"),
        ("中华民国一〇四年", "2015"),  # ROC years
        ("中華民國一〇四年", "2015"),
        ("中华民国一〇四年三月五日", "2015-03-05"),
        ("民国99年", "2010"),
        ("民國99年10月", "2010-10"),
        ("中華民國一○二年五月二十八日", "2013-05-28"),
        ("105年8月12日", "2016-08-12"),  # a three-digit year can only be ROC
        ("2008年2月30日", "2008-02"),  # impossible day: keep what is certain
        ("2008年13月", "2008"),
        ("保德县邮政局 二00八年十二月三号", "2008-12-03"),
        ("2〇23年9月2O曰", "2023-09-20"),  # OCR: 曰 for 日, O for 0
        ("中华民国112年9月4曰", "2023-09-04"),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "xxxx年5月20日",  # placeholder year: no date, never the current year
        "XXXX年5月20日",
        "××××年5月20日",
        "视察函[2008]13号",  # a document number
        "吕邮〔2019〕66号",
        "内邮?2014?108号",
        "99年3月",  # two-digit year: cannot be placed
        "十二年",
        "12008年1月",  # a longer number is not a year
        "v1.2008.12",
        "邮政服务质量检查",
        "",
    ],
)
def test_no_date(text):
    assert parse_date(text) is None


def test_placeholder_never_becomes_this_year():
    this_year = str(dt.date.today().year)
    for text in ("xxxx年5月20日", "xx年5月20日", "5月20日"):
        value = parse_date(text)
        assert value is None or not value.startswith(this_year)


def test_find_date_gives_the_span():
    text = "报告人：保德县邮政局，日期：二00八年十二月三号。"
    value, start, end = find_date(text)
    assert value == "2008-12-03"
    assert text[start:end] == "二00八年十二月三号"


def test_find_date_placeholder_gives_span_without_value():
    text = "xx县邮政局\nxxxx年5月20日"
    value, start, end = find_date(text)
    assert value is None
    assert text[start:end] == "xxxx年5月20日"
    assert find_date("没有日期的文字") is None

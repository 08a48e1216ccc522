"""The numbering grammar of sections (第X章 第X节 第X条 一、 (一) 1. 1.1 (1) ①) and the logical lines of a
report: a line cut where it holds more than one numbered item."""
from __future__ import annotations

import re

__all__: list[str] = []  # package-internal: the grammar behind reportmine.structure and reportmine.sections

_CN = "一二三四五六七八九十百零〇"
#: the marker of one document in a file holding several (a collection page of a model-essay site):
#: 第一篇 / 第2篇：, 篇一：, 【第1篇】, 【篇二】, 范文三
PIECE_MARK = re.compile(rf"^\s*[【\[]?\s*(?:第[{_CN}\d]+篇|篇[{_CN}\d]+|范文[{_CN}\d]+)\s*[】\]]?\s*[:：]?\s*")
# after 1.5 / 3. these make a quantity (1.5万, 3.5%), not an item number
_UNITS = ("%", "％", "万", "亿", "元", "年", "月", "日", "件", "个", "名")
_UNITS2 = ("%", "％", "万", "亿", "元", "倍", "米", "公里", "小时", "天", "秒", "千", "百", "吨", "公斤", "斤",
           "个百分点", "年", "kg", "km")
# numbering styles, tried in order at the start of a line; the level of a style is dynamic (outline order)
_NUMBER_STYLES: list[tuple[str, re.Pattern]] = [
    ("chapter", re.compile(rf"第\s*[{_CN}\d]+\s*章")),
    ("jie", re.compile(rf"第\s*[{_CN}\d]+\s*节")),
    ("article", re.compile(rf"第\s*[{_CN}\d]+\s*条")),
    ("cn", re.compile(rf"[{_CN}]+\s*[、.．](?![{_CN}\d])")),
    ("cn_paren", re.compile(rf"[（(]\s*[{_CN}]+\s*[)）]\s*[、.．]?")),
    ("num2", re.compile(r"\d{1,2}\.\d{1,2}(?:\.\d{1,2})?(?![\d])\s*[、.．]?")),
    ("num", re.compile(r"\d{1,2}\s*[、.．](?!\d)")),
    ("num_paren", re.compile(r"[（(]\s*\d{1,2}\s*[)）]\s*[、.．]?")),
    ("circled", re.compile(r"[①-⑳]")),
]
# where a line holds more than one item: after a sentence end, before a new number; before 第X章 glued
# to the text before it (手册第1章服务概述) unless it is a reference (按第九章的规定, 《…》第二章)
_INLINE_BREAK = re.compile(
    rf"(?<=[。；！？;!?])\s*(?=第\s*[{_CN}\d]+\s*[条章节]|[{_CN}]{{1,3}}、|[（(][{_CN}]{{1,3}}[)）]"
    rf"|\d{{1,2}}(?:\.\d{{1,2}})?[、.．](?!\d)|\d{{1,2}}\.\d{{1,2}}(?![\d.%％万亿元件个名次天倍])[^\d\s]|[（(]\d{{1,2}}[)）])"
    rf"|(?<=[^《“\s、，,》(（])(?=第\s*[{_CN}\d]+\s*章(?![的之中内所规和及与、，,》”)）]))"
)
# what a break of _INLINE_BREAK other than before 第 needs: a sentence end, spaces, a number's first character
_INLINE_BREAK_HINT = re.compile(rf"[。；！？;!?]\s*[第{_CN}（(\d]")
# a chapter/section heading and the first item of its body on one line: 第三章 营业服务质量检查 第七条 …,
# 第1章服务概述1.1服务宗旨…, 第九条 职责和检查频次 1.营业终了…
_HEAD_THEN_ITEM = re.compile(
    rf"^\s*第\s*[{_CN}\d]+\s*[章节]\s*[^\s。；;！？!?，,：:][^。；;！？!?，,：:“”]{{0,30}}?"
    rf"(?=第\s*[{_CN}\d]+\s*条|\d{{1,2}}\.\d{{1,2}}(?![\d.])|\s+(?:\d{{1,2}}[、.．](?!\d)|[（(]\d{{1,2}}[)）]))"
    rf"|^\s*第\s*[{_CN}\d]+\s*条\s*[^\s。；;！？!?，,：:][^。；;！？!?，,：:“”]{{0,30}}?"
    rf"(?=\s+(?:\d{{1,2}}[、.．](?!\d)|[（(]\d{{1,2}}[)）]))"
)
_CN_WORD = re.compile(rf"[{_CN}]+[是般要]")  # 一般, 二是, 一要: words, not item numbers
# characters a numbering style can start with (besides decimal digits): see _number_at
_NUMBER_FIRST = frozenset("第（(" + _CN + "".join(chr(c) for c in range(ord("①"), ord("⑳") + 1)))


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Line spans (without the newline) of text[start:end]."""
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append((pos, stop))
        pos = stop + 1
    return out


def _number_at(line: str) -> tuple[str, re.Match] | None:
    s = line.lstrip()
    if not s or not (s[0] in _NUMBER_FIRST or s[0].isdecimal()):  # \d is a decimal digit: isdecimal()
        return None
    for style, pat in _NUMBER_STYLES:
        m = pat.match(s)
        if m and (style not in ("cn",) or not _CN_WORD.match(s)):
            rest = s[m.end():]
            if rest[:1] in "》」”』)）":
                continue
            if style == "num" and rest.startswith(_UNITS) or style == "num2" and rest.startswith(_UNITS2):
                continue
            return style, m
    return None


def _logical_lines(text: str, start: int, end: int, memo: dict | None = None) -> list[tuple[int, int]]:
    """Lines of text[start:end], split further where one line holds several numbered items.

    ``memo`` keeps the pieces of each line span (they depend on that span's text only), for a caller
    that asks for overlapping ranges of the same text."""
    memo = {} if memo is None else memo
    out: list[tuple[int, int]] = []
    for a, b in _lines(text, start, end):
        pieces = memo.get((a, b))
        if pieces is None:
            pieces = memo[(a, b)] = _line_pieces(text, a, b)
        out.extend(pieces)
    return out


def _line_pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The logical lines of the line text[a:b] (see :func:`_logical_lines`)."""
    out = []
    line = text[a:b]
    if "第" in line or _INLINE_BREAK_HINT.search(line):
        cuts = [a] + [a + m.start() for m in _INLINE_BREAK.finditer(line) if m.start() > 0] + [b]
    else:  # no break possible: see _INLINE_BREAK_HINT
        cuts = [a, b]
    for x, y in zip(cuts, cuts[1:]):
        m = _HEAD_THEN_ITEM.match(text[x:y])
        if m and x + m.end() < y:
            mid = x + m.end()
            out.append((x, mid))
            while mid < y and text[mid].isspace():
                mid += 1
            x = mid
        if y > x:
            out.append((x, y))
    return out

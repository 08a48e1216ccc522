"""Structure: split a normalized file into reports, and a report into title, addressee, numbered
sections, sentences, signing unit and date. Every span carries offsets into the original text."""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterator

from .dates import DATE_FIRST as _DATE_FIRST, DATE_RE, parse_date
from .io import Document
from .normalize import Normalized, normalize
from .region import locate_region

__all__ = ["Sentence", "Section", "Report", "split_reports", "structure_report", "iter_reports", "split_sentences"]

_CN = "一二三四五六七八九十百零〇"
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
_PIECE_MARK = re.compile(rf"^\s*第[{_CN}\d]+篇\s*[:：]?\s*")
_DOCNO_RE = re.compile(
    r"^\s*(?:\S{0,12}[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d+\s*号"
    r"|(?:发文字号|文号|字号)\s*[:：]\s*\S{2,40})\s*$"
)
_RED_HEADER_RE = re.compile(r"^\s*\S{2,40}(?:文件|简报|通讯|快报)\s*$")  # 通化市邮政分公司文件
_ADDRESSEE_RE = re.compile(
    r"^\s*(?:(?:受文者|受文单位|主送|致)\s*[:：]\s*([^：:，。]{2,40}?)\s*$"
    r"|((?:各[^：:，。]{1,20}|同志们|[^：:，。\s]{2,30}?(?:部|局|室|处|科|司|中心|所|站|委|办|会|组|网点|单位|部门|支局|营业所|同志们?)"
    r"(?:[、，,][^：:，。]{2,30})*))\s*[:：])"
)
_ORG_SUFFIX = r"(?:局|公司|分公司|支局|中心|部|处|室|科|所|站|网点|委员会|办公室|小组|组|分部|营业部|邮局|稽查室)"
_ORG_RE = re.compile(rf"^\s*([^\s，。；:：,（()）【】\[\]]{{2,40}}?{_ORG_SUFFIX})\s*$")
# a signature or byline: the unit, then a post and/or a person's name (会宁县邮政分公司  投递员  李建军)
# (the unit is the longest prefix ending like a unit; a post may follow it: 六安市邮政分公司副总经理 周宏)
_BYLINE_RE = re.compile(
    rf"^\s*(?:[^\s：:，。]{{1,4}}[:：]\s*)?([^\s，。；:：,（()）【】\[\]]{{2,40}}{_ORG_SUFFIX})[^\s，。；:：,]{{0,6}}"
    rf"(?:[ \t\u3000]+[^\s，。；:：,]{{2,8}}){{1,2}}\s*$"
)
_PAREN_DATE_RE = re.compile(r"^\s*[（(]\s*([^（()）]{4,20})\s*[)）]\s*$")  # （2021年1月22日） under a speech's byline
# a labelled unit: 作者单位：云南省曲靖市邮政管理局, （作者单位：山东省莒县邮政分公司）
_LABELED_ORG_RE = re.compile(
    rf"^\s*[（(]?\s*(?:作者单位|单位|供稿单位|报送单位|填报单位|建议人|作者|撰稿人?)\s*[:：]\s*"
    rf"([^\s，。；:：,（()）【】\[\]]{{2,40}}?{_ORG_SUFFIX})(?:[ \t\u3000]+[^\s，。；:：,()（）]{{2,8}}){{0,2}}\s*[)）]?\s*$"
)
# a news credit closing an article: （岳阳市邮政管理局 供稿  2021年4月13日）
_CREDIT_RE = re.compile(rf"^\s*[（(]\s*([^\s，。；:：,（()）【】\[\]]{{2,40}}?{_ORG_SUFFIX})\s*(?:供稿|稿|报送|撰稿|整理|通讯员\S{{0,4}})?\s*(.*?)\s*[)）]\s*$")
_CLOSING_TAIL = re.compile(r"^\s*[（(]?\s*(?:抄送|抄报|附件|主题词|印发|联系人|签发|此件|本件|共印|打印|校对|（此件)")
_CLOSING_PARA = re.compile(r"^(?:今后|通过(?:本次|此次|这次)|总之|综上|下一步|从以上|总的来看|此次检查|本次检查|经过(?:本次|此次))")
_OPEN_Q, _CLOSE_Q = "“‘「『《(（", "”’」』》)）"
_SENT_END = "。！？；!?;"
_BRACKET_PAIRS = [(o, c) for o, c in zip(_OPEN_Q, _CLOSE_Q) if o not in "“‘"]
# the characters split_sentences acts on (quotes, sentence ends, line breaks): it skips to the next one
_SENT_SPECIAL = re.compile("[" + re.escape(_OPEN_Q + _CLOSE_Q + _SENT_END) + "\n]")
_CN_WORD = re.compile(rf"[{_CN}]+[是般要]")  # 一般, 二是, 一要: words, not item numbers
# characters a numbering style can start with (besides decimal digits): see _number_at
_NUMBER_FIRST = frozenset("第（(" + _CN + "".join(chr(c) for c in range(ord("①"), ord("⑳") + 1)))
_HEADING_END = re.compile(r"[：:。；;！？!?]")
_TAGGED_TITLE = re.compile(r"^[【\[][^】\]]{1,8}[】\]]\s*(.+)$")  # 【督查通报】关于…的通报
# the head noun that ends a title (a title broken over two lines ends with one of these)
_TITLE_HEADS = ("通报", "报告", "总结", "通知", "意见", "办法", "规定", "细则", "方案", "决定", "纪要", "体会",
                "计划", "简报", "汇报", "请示", "批复", "函", "制度", "规范", "要点", "说明")


@dataclass(frozen=True)
class Sentence:
    """A sentence: simplified ``text``; ``start``/``end`` in the original text; ``nstart``/``nend`` normalized."""

    text: str
    start: int
    end: int
    nstart: int
    nend: int


@dataclass(frozen=True)
class Section:
    """A numbered section (number None for the preamble) and its own sentences (children excluded)."""

    number: str | None
    heading: str | None
    level: int
    parent: int | None
    start: int
    end: int
    nstart: int
    nend: int
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Report:
    """One report of a file, with its structure. Offsets (start/end) point into the original text."""

    report_id: str
    source: str
    index: int
    encoding: str
    script: str
    title: str | None
    addressee: str | None
    org: str | None
    region: dict
    date: str | None
    start: int
    end: int
    sections: tuple[Section, ...]
    norm: Normalized = field(repr=False, compare=False)
    nstart: int = 0
    nend: int = 0

    def __getstate__(self) -> dict:
        """Pickle without the normalized text and its offset map: workers ship results, not intermediates."""
        state = dict(self.__dict__)
        state["norm"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def to_dict(self) -> dict:
        """The ``parse`` output record (stable field names)."""
        return {
            "report_id": self.report_id,
            "source": self.source,
            "index": self.index,
            "encoding": self.encoding,
            "script": self.script,
            "title": self.title,
            "addressee": self.addressee,
            "org": self.org,
            "region": dict(self.region),
            "date": self.date,
            "start": self.start,
            "end": self.end,
            "sections": [
                {
                    "number": s.number,
                    "heading": s.heading,
                    "level": s.level,
                    "parent": s.parent,
                    "start": s.start,
                    "end": s.end,
                    "sentences": [{"text": t.text, "start": t.start, "end": t.end} for t in s.sentences],
                }
                for s in self.sections
            ],
        }


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Line spans (without the newline) of text[start:end]."""
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append((pos, stop))
        pos = stop + 1
    return out


def _is_date_line(line: str) -> bool:
    """A line that is a date (at most 3 other characters): the first date of the line starts within its
    first 3 characters (tried there only: a search would be answered at the same place)."""
    for p in range(min(3, len(line))):
        if line[p] not in _DATE_FIRST:
            continue
        m = DATE_RE.match(line, p)
        if m:
            return len(line.strip()) - (m.end() - m.start()) <= 3
    return False


def _title_like(line: str) -> bool:
    s = line.strip()
    return (
        2 <= len(s) <= 60
        and not any(p in s for p in "。；，")
        and not _CLOSING_TAIL.match(s)
        and _number_at(s) is None
        and not _is_date_line(s)
    )


def _repeated_title(line: str, nxt: str) -> bool:
    """``line`` is a title that the next line repeats at its start, glued to the body (scraped articles:
    如何提高邮政服务质量 / 如何提高邮政服务质量2023年了，…)."""
    s, n = line.strip(), nxt.strip()
    return (
        len(s) >= 6 and n.startswith(s) and len(n) >= len(s) + 10 and n[len(s)] not in "，,。；;：:、）)》”"
        and _title_like(s)
    )


def _substantial(text: str) -> bool:
    """Enough text to be a report of its own (not just a collection title)."""
    body = text.strip()
    return len(body) >= 100 or any(p in body for p in "。！？；")


def split_reports(text: str) -> list[tuple[int, int]]:
    """Split normalized text into report spans: at 第X篇 markers; otherwise after a closing date line that
    is followed by a new title and enough text, and at a title repeated at the start of the next line.
    A cut that would leave only a title before it is dropped."""
    lines = _lines(text, 0, len(text))
    marks = [a for a, b in lines if _PIECE_MARK.match(text[a:b])] if "篇" in text else []
    cuts: list[int] = []
    if marks:
        cuts = marks if text[: marks[0]].strip() and len(text[: marks[0]].strip()) > 80 else marks[1:]
    else:
        nonblank = [(a, b) for a, b in lines if text[a:b].strip()]
        text_end = len(text.rstrip())
        searched_from, date_found = len(text) + 1, None  # the last DATE_RE.search(text, searched_from)
        for i, (a, b) in enumerate(nonblank[:-1]):
            na, nb = nonblank[i + 1]
            if _repeated_title(text[a:b], text[na:nb]):
                cuts.append(a)
                continue
            if not _is_date_line(text[a:b]):
                continue
            j = i + 1
            while j < len(nonblank) and _CLOSING_TAIL.match(text[nonblank[j][0]: nonblank[j][1]]):
                j += 1
            if j >= len(nonblank):
                break
            na, nb = nonblank[j]
            line = text[na:nb]
            # the text from there on: 150 characters or more (stripped), with a date (na starts a line, so
            # searching the whole text from there is searching text[na:]; a search answers later ones too
            # until they start after its match): no copy of the rest of the text for every date line
            if _title_like(line) and text_end - (na + len(line) - len(line.lstrip())) >= 150:
                if na < searched_from or date_found is not None and date_found.start() < na:
                    searched_from, date_found = na, DATE_RE.search(text, na)
                if date_found is not None:
                    cuts.append(na)
        kept: list[int] = []
        for c in sorted(set(cuts)):
            if c > 0 and _substantial(text[(kept[-1] if kept else 0): c]):
                kept.append(c)
        cuts = kept
    bounds = [0] + sorted(set(cuts)) + [len(text)]
    spans = [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]
    return spans or [(0, len(text))]


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


def split_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans in text[start:end]: split at 。！？； and line ends, never inside quotes."""
    pos = start
    depth = 0
    i = start
    search = _SENT_SPECIAL.search
    while True:
        m = search(text, i, end)  # other characters change nothing: skip to the next one that can
        if m is None:
            break
        i = m.start()
        ch = text[i]
        if ch in _OPEN_Q:
            depth += 1
        elif ch in _CLOSE_Q:
            depth = max(0, depth - 1)
        if ch == "\n" or (depth == 0 and ch in _SENT_END):
            j = i + 1
            while j < end and text[j] in "。！？；!?;”’」』":
                j += 1
            if ch == "\n":
                depth = 0
                j = i + 1
                stop = i
            else:
                stop = j
            a, b = pos, stop
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                yield a, b
            pos = i = j
            continue
        i += 1
    a, b = pos, end
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        yield a, b


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


def _heading(text: str) -> str | None:
    """The heading of a numbered item: its text up to the first colon or sentence end, when that is short
    and has no comma (一、加强投递管理：… → 加强投递管理); None when the item opens with a sentence."""
    s = text.strip()
    m = _HEADING_END.search(s)
    head = s[: m.start()] if m else s
    head = head.strip(" \t，,、")
    if not head or len(head) > 30 or "，" in head or "," in head:
        return None
    for o, c in _BRACKET_PAIRS:  # brackets balanced
        if head.count(o) != head.count(c):
            return None
    return head


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.6


def _strip_docno(title: str) -> str:
    stripped = _TRAILING_DOCNO.sub("", title).strip()
    return stripped or title


_TRAILING_DOCNO = re.compile(r"\S{0,8}[〔\[【]\s*(?:19|20)\d{2}\s*[〕\]】]\s*\d+\s*号\s*$")


def _with_deleted_spaces(norm: Normalized, a: int, b: int) -> str:
    """Normalized text of [a, b) with a space where normalization deleted spaces inside the line."""
    out = []
    for p in range(a, b):
        if p > a:
            gap = norm.original[int(norm.ends[p - 1]): int(norm.starts[p])]
            if gap and gap.isspace() and "\n" not in gap:
                out.append(" ")
        out.append(norm.text[p])
    return "".join(out)


def _closing_like(line: str) -> bool:
    s = line.strip()
    return len(s) <= 40 and not any(p in s for p in "。；;！？!?")


def _org_of(line: str) -> str | None:
    """The unit of a signature line: the whole line, or the unit before a post and a name."""
    m = _ORG_RE.match(line) or _BYLINE_RE.match(line) or _LABELED_ORG_RE.match(line) or _CREDIT_RE.match(line)
    return m.group(1) if m else None


def structure_report(norm: Normalized, span: tuple[int, int], *, source: str, index: int, encoding: str) -> Report:
    """Build a Report from a span of normalized text."""
    text = norm.text
    rs, re_ = span
    memo: dict = {}  # pieces per line: the report, its closing and its body ask for the same lines
    lines = [(a, b) for a, b in _logical_lines(text, rs, re_, memo) if text[a:b].strip()]
    title = addressee = org = date = None
    byline_org = None
    body_start = rs
    li = 0

    stripped: dict[int, str] = {}

    def line_text(k: int) -> str:
        t = stripped.get(k)
        if t is None:
            t = stripped[k] = text[lines[k][0]: lines[k][1]].strip()
        return t

    def unit_of(a: int, b: int) -> str | None:
        """The unit of a signature or byline line (its single spaces, 五寨县邮政分公司 王建军, were removed
        by normalization: they are put back from the original for this test)."""
        return _org_of(text[a:b].strip()) or _org_of(_with_deleted_spaces(norm, a, b).strip())

    # title: after a 第X篇 marker (on its line or alone), red-header lines (XX文件), document numbers, and
    # the issuing unit's name when a title follows it
    piece_title_start = None
    while li < len(lines):
        t = line_text(li)
        m = _PIECE_MARK.match(text[lines[li][0]: lines[li][1]])
        if m is not None:
            rest_at = lines[li][0] + m.end()
            if text[rest_at: lines[li][1]].strip():
                piece_title_start = rest_at
                break
            li += 1
            continue
        if _DOCNO_RE.match(t) or _RED_HEADER_RE.match(t):
            li += 1
            continue
        if _ORG_RE.match(t) and li + 1 < len(lines):
            k = li + 1
            while k < len(lines) and _DOCNO_RE.match(line_text(k)):
                k += 1
            nt = line_text(k) if k < len(lines) else ""
            if nt and _title_like(nt) and not _ADDRESSEE_RE.match(nt) and not _ORG_RE.match(nt) and not _BYLINE_RE.match(nt):
                li += 1
                continue
        break
    # an article whose own title is repeated at the start of its first line (the title then the body)
    for k in range(li, min(li + 2, len(lines) - 1)):
        if _repeated_title(line_text(k), line_text(k + 1)):
            title = line_text(k)
            a, b = lines[k + 1]
            body_start = a + (len(text[a:b]) - len(text[a:b].lstrip())) + len(title)
            while text.startswith(title, body_start, b):  # repeated more than once
                body_start += len(title)
            li = k + 2
            break
    if title is None and li < len(lines):
        a, b = lines[li]
        a2 = piece_title_start if piece_title_start is not None else a
        cand = text[a2:b].strip()
        if cand and len(cand) <= 80 and not _ADDRESSEE_RE.match(cand) and _number_at(cand) is None and "。" not in cand[:-1]:
            title = cand.rstrip("。")
            li += 1
            body_start = b
            # a title broken over two lines: …检查情况 / 的通报
            if li < len(lines) and not title.endswith(_TITLE_HEADS):
                nt = line_text(li)
                if len(nt) <= 12 and _title_like(nt) and (title + nt).endswith(_TITLE_HEADS):
                    title += nt
                    body_start = lines[li][1]
                    li += 1
            title = _strip_docno(title)
            tagged = _TAGGED_TITLE.match(title)  # 【督查通报】关于…的通报
            if tagged and len(tagged.group(1)) >= 4:
                title = tagged.group(1)
            # repeated titles, subtitles close to the title, document numbers
            while li < len(lines):
                t = line_text(li)
                if t in (title, cand) or _DOCNO_RE.match(t) or (_title_like(t) and not _ADDRESSEE_RE.match(t) and _similar(t, title)):
                    body_start = lines[li][1]
                    li += 1
                    continue
                break
    # a byline under the title (essays, speeches): 会宁县邮政分公司  投递员  李建军, maybe a date after it
    byline_date = None
    if li < len(lines) and not _ORG_RE.match(line_text(li)) and _closing_like(line_text(li)):
        bm = _BYLINE_RE.match(line_text(li)) or _BYLINE_RE.match(_with_deleted_spaces(norm, *lines[li]).strip())
        if bm:
            byline_org = bm.group(1)
            body_start = lines[li][1]
            li += 1
            pm = _PAREN_DATE_RE.match(line_text(li)) if li < len(lines) else None
            if pm and _is_date_line(pm.group(1)):
                byline_date = parse_date(pm.group(1))
                body_start = lines[li][1]
                li += 1
    # addressee within the next two lines
    for k in range(li, min(li + 2, len(lines))):
        a, b = lines[k]
        m = _ADDRESSEE_RE.match(text[a:b])
        if m:
            name = (m.group(1) or m.group(2) or "").strip()
            if name and len(name) <= 40:
                addressee = name
                body_start = max(body_start, a + m.end())
                li = k
                break
    # closing, from the end: tails (抄送…), then the date line and the signing unit around it; only short
    # closing lines may follow the date (a date above body text is not the report's date)
    body_end = re_
    tail = [(a, b) for a, b in _logical_lines(text, body_start, re_, memo) if text[a:b].strip()]
    k = len(tail) - 1
    while k >= 0 and _CLOSING_TAIL.match(text[tail[k][0]: tail[k][1]]):
        k -= 1
    date_j = None
    for j in range(k, max(k - 4, -1), -1):
        line = text[tail[j][0]: tail[j][1]]
        if _is_date_line(line):
            date_j = j
            date = parse_date(line)
            break
        m = DATE_RE.search(line)
        if m and m.end() >= len(line.rstrip()) - 1 and m.start() > 1:
            head = line[: m.start()].strip()
            if _ORG_RE.match(head) or _BYLINE_RE.match(head):  # 保德县邮政局 二00八年十二月三号
                date_j, date, org = j, parse_date(line[m.start():]), _org_of(head)
                break
        cm = _CREDIT_RE.match(line)
        if cm and DATE_RE.search(cm.group(2) or ""):  # （岳阳市邮政管理局 供稿 2021年4月13日）
            date_j, date, org = j, parse_date(cm.group(2)), cm.group(1)
            break
        if not _closing_like(line):
            break
    if date_j is not None:
        body_end = tail[date_j][0]
        if org is None:
            # the unit just above the date, or else just below it
            for jj in (date_j - 1, date_j - 2):
                if jj < 0:
                    break
                cand = text[tail[jj][0]: tail[jj][1]].strip()
                if not _closing_like(cand):
                    break
                found = unit_of(*tail[jj])
                if found:
                    org, body_end = found, tail[jj][0]
                    break
            if org is None and date_j + 1 <= k:
                org = unit_of(*tail[date_j + 1])
    elif k > 0:
        cand = text[tail[k][0]: tail[k][1]].strip()
        found = unit_of(*tail[k]) if _closing_like(cand) else None
        if found:
            org, body_end = found, tail[k][0]
    if org is None:
        org = byline_org
    if date_j is None and byline_date is not None:
        date = byline_date
    region = locate_region(org) if org else dict(_NO_REGION)
    if not any(region.values()):
        region = locate_region(title, prefix=True)
    sections = _sections(norm, body_start, max(body_start, body_end), memo)
    o_start, o_end = norm.to_original(rs, re_)
    rid = hashlib.sha1(f"{source}\0{index}".encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return Report(
        report_id=rid, source=source, index=index, encoding=encoding, script=norm.script, title=title,
        addressee=addressee, org=org, region=region, date=date, start=o_start, end=o_end,
        sections=tuple(sections), norm=norm, nstart=rs, nend=re_,
    )


_NO_REGION = {"province": None, "city": None, "county": None}


def _sections(norm: Normalized, start: int, end: int, memo: dict | None = None) -> list[Section]:
    text = norm.text
    heads: list[tuple[int, str | None, str | None, str | None]] = []  # (pos, style, number, heading)
    has_body = False  # the current section has text after its heading line
    for a, b in _logical_lines(text, start, end, memo):
        line = text[a:b]
        found = _number_at(line)
        if found:
            style, m = found
            lead = len(line) - len(line.lstrip())
            number = m.group(0).strip()
            heads.append((a + lead, style, number, _heading(line[lead + m.end():])))
            has_body = False
        elif heads and has_body and _CLOSING_PARA.match(line.strip()):
            heads.append((a, None, None, None))  # a concluding paragraph after the last item
        elif line.strip():
            has_body = True
    if not heads or heads[0][0] > start:
        heads.insert(0, (start, None, None, None))
    stack: list[str] = []
    parents: list[int | None] = []
    levels: list[int] = []
    last_at_level: dict[int, int] = {}
    for idx, (pos, style, number, _h) in enumerate(heads):
        if style is None:
            level = 1 if idx else 0
            stack = []
        elif style in stack:
            stack = stack[: stack.index(style) + 1]
            level = len(stack)
        else:
            stack.append(style)
            level = len(stack)
        levels.append(level)
        parents.append(last_at_level.get(level - 1) if level > 1 else None)
        last_at_level[level] = idx
        for deeper in [lv for lv in last_at_level if lv > level]:
            del last_at_level[deeper]
    bounds = [h[0] for h in heads] + [end]
    spans = []  # (a, b, sentence spans) per head
    for idx, pos in enumerate(bounds[:-1]):
        a, b = pos, bounds[idx + 1]
        while b > a and text[b - 1].isspace():
            b -= 1
        spans.append((a, b, list(split_sentences(text, a, b))))
    # original offsets of all sentences at once (what norm.to_original gives for each, for x < y)
    xs = [x for _, _, ss in spans for x, _ in ss]
    ys = [y - 1 for _, _, ss in spans for _, y in ss]
    o_starts, o_ends = norm.starts[xs].tolist(), norm.ends[ys].tolist()
    # drop empty unnumbered sections (an empty preamble) and renumber the parents to match
    keep = [i for i, (_, _, ss) in enumerate(spans) if ss or heads[i][2]]
    new_index = {old: new for new, old in enumerate(keep)}
    out = []
    k = 0  # index of the section's first sentence in xs
    for idx, (a, b, ss) in enumerate(spans):
        if idx in new_index:
            sents = tuple(Sentence(text[x:y], o_starts[k + n], o_ends[k + n], x, y) for n, (x, y) in enumerate(ss))
            oa, ob = norm.to_original(a, b)
            parent = new_index.get(parents[idx]) if parents[idx] is not None else None
            _pos, _style, number, heading = heads[idx]
            out.append(Section(number, heading, levels[idx], parent, oa, ob, a, b, sents))
        k += len(ss)
    return out


def iter_reports(doc: Document, *, norm: Normalized | None = None, **normalize_options) -> Iterator[Report]:
    """Normalize a document (unless given) and yield its reports."""
    norm = norm if norm is not None else normalize(doc.text, **normalize_options)
    for i, span in enumerate(split_reports(norm.text)):
        yield structure_report(norm, span, source=doc.source, index=i, encoding=doc.encoding)

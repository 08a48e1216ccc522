"""Structure: split a normalized file into reports, and a report into title, addressee, numbered
sections, sentences, signing unit and date. Every span carries offsets into the original text."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterator

from .dates import DATE_RE, parse_date
from .io import Document
from .normalize import Normalized, normalize
from .region import locate_region

__all__ = ["Sentence", "Section", "Report", "split_reports", "structure_report", "iter_reports", "split_sentences"]

_CN = "一二三四五六七八九十百零〇"
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
_INLINE_BREAK = re.compile(
    rf"(?<=[。；！？;])\s*(?=第\s*[{_CN}\d]+\s*[条章节]|[{_CN}]{{1,3}}、|[（(][{_CN}]{{1,3}}[)）]|\d{{1,2}}(?:\.\d{{1,2}})?[、.．](?!\d)|[（(]\d{{1,2}}[)）])"
    rf"|(?<=[^《“\s、，])(?=第\s*[{_CN}\d]+\s*章)"
)
_PIECE_MARK = re.compile(rf"^\s*第[{_CN}\d]+篇\s*[:：]?\s*")
_DOCNO_RE = re.compile(r"^\s*\S{0,12}[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d+\s*号\s*$")
_ADDRESSEE_RE = re.compile(
    r"^\s*((?:各[^：:，。]{1,20}|[^：:，。\s]{2,30}?(?:部|局|室|处|科|司|中心|所|站|委|办|会|组|网点|单位|部门|支局|营业所|同志们?)"
    r"(?:[、，,][^：:，。]{2,30})*))\s*[:：]"
)
_ORG_RE = re.compile(
    r"^\s*([^\s，。；:：,]{2,40}?(?:局|公司|分公司|支局|中心|部|处|室|所|站|网点|委员会|办公室|小组|组|分部|营业部|邮局|稽查室))\s*$"
)
_CLOSING_TAIL = re.compile(r"^\s*[（(]?\s*(?:抄送|抄报|附件|主题词|印发|联系人|签发|此件|本件|共印|打印|校对|（此件)")
_CLOSING_PARA = re.compile(r"^(?:今后|通过(?:本次|此次|这次)|总之|综上|下一步|从以上|总的来看|此次检查|本次检查|经过(?:本次|此次))")
_SENT_SPLIT = re.compile(r"[。！？；!?;]+[”’」』]?|\n+")
_OPEN_Q, _CLOSE_Q = "“‘「『《", "”’」』》"


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
    m = DATE_RE.search(line)
    return bool(m) and m.start() <= 2 and len(line.strip()) - (m.end() - m.start()) <= 3


def _title_like(line: str) -> bool:
    s = line.strip()
    return (
        2 <= len(s) <= 60
        and not any(p in s for p in "。；，")
        and not _CLOSING_TAIL.match(s)
        and _number_at(s) is None
        and not _is_date_line(s)
    )


def split_reports(text: str) -> list[tuple[int, int]]:
    """Split normalized text into report spans: at 第X篇 markers, or after a closing date line that is
    followed by a new title and enough text."""
    lines = [(a, b) for a, b in _lines(text, 0, len(text))]
    marks = [a for a, b in lines if _PIECE_MARK.match(text[a:b])]
    cuts: list[int] = []
    if marks:
        cuts = marks if text[: marks[0]].strip() and len(text[: marks[0]].strip()) > 80 else marks[1:]
        cuts = sorted(set(cuts))
    else:
        nonblank = [(a, b) for a, b in lines if text[a:b].strip()]
        for i, (a, b) in enumerate(nonblank[:-1]):
            if not _is_date_line(text[a:b]):
                continue
            j = i + 1
            while j < len(nonblank) and _CLOSING_TAIL.match(text[nonblank[j][0]: nonblank[j][1]]):
                j += 1
            if j >= len(nonblank):
                break
            na, nb = nonblank[j]
            rest = text[na:]
            if _title_like(text[na:nb]) and len(rest.strip()) >= 150 and DATE_RE.search(rest):
                cuts.append(na)
    bounds = [0] + cuts + [len(text)]
    spans = [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]
    return spans or [(0, len(text))]


def _number_at(line: str) -> tuple[str, re.Match] | None:
    s = line.lstrip()
    for style, pat in _NUMBER_STYLES:
        m = pat.match(s)
        if m and (style not in ("cn",) or not re.match(rf"[{_CN}]+[是般要]", s)):
            rest = s[m.end():]
            if rest[:1] in "》」”』)）":
                continue
            if style in ("num", "num2") and rest[:1] in ("%", "万", "元", "年", "月", "日", "件", "个", "名"):
                continue
            return style, m
    return None


def split_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans in text[start:end]: split at 。！？； and line ends, never inside quotes."""
    pos = start
    depth = 0
    i = start
    while i < end:
        ch = text[i]
        if ch in _OPEN_Q:
            depth += 1
        elif ch in _CLOSE_Q:
            depth = max(0, depth - 1)
        if ch == "\n" or (depth == 0 and ch in "。！？；!?;"):
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


def _logical_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for a, b in _lines(text, start, end):
        cuts = [a] + [a + m.start() for m in _INLINE_BREAK.finditer(text[a:b]) if m.start() > 0] + [b]
        out.extend((x, y) for x, y in zip(cuts, cuts[1:]) if y > x)
    return out


def _heading(text: str) -> str | None:
    s = text.strip()
    m = re.search(r"[：:。；;！？]", s)
    head = s[: m.start()] if m else s
    head = head.strip(" \t，,、")
    return head if 0 < len(head) <= 40 else None


def structure_report(norm: Normalized, span: tuple[int, int], *, source: str, index: int, encoding: str) -> Report:
    """Build a Report from a span of normalized text."""
    text = norm.text
    rs, re_ = span
    lines = [(a, b) for a, b in _logical_lines(text, rs, re_) if text[a:b].strip()]
    title = addressee = org = date = None
    body_start = rs
    li = 0
    # title: skip document-number lines, strip 第X篇 markers, drop repeated title lines
    while li < len(lines) and _DOCNO_RE.match(text[lines[li][0]: lines[li][1]]):
        li += 1
    if li < len(lines):
        a, b = lines[li]
        m = _PIECE_MARK.match(text[a:b])
        a2 = a + (m.end() if m else 0)
        cand = text[a2:b].strip()
        if cand and len(cand) <= 80 and not _ADDRESSEE_RE.match(cand) and _number_at(cand) is None and "。" not in cand[:-1]:
            title = cand.rstrip("。")
            li += 1
            body_start = b
            while li < len(lines) and (
                text[lines[li][0]: lines[li][1]].strip() in (title, cand) or _DOCNO_RE.match(text[lines[li][0]: lines[li][1]])
            ):
                body_start = lines[li][1]
                li += 1
    # addressee within the next two lines
    for k in range(li, min(li + 2, len(lines))):
        a, b = lines[k]
        m = _ADDRESSEE_RE.match(text[a:b])
        if m and len(m.group(1)) <= 40:
            addressee = m.group(1).strip()
            body_start = a + m.end()
            li = k
            break
    # closing: date line, signing unit before it, tails (抄送...) after it
    body_end = re_
    tail = [ln for ln in lines if ln[0] >= body_start]
    k = len(tail) - 1
    while k >= 0 and _CLOSING_TAIL.match(text[tail[k][0]: tail[k][1]]):
        k -= 1
    date_span = org_span = None
    for j in range(k, max(k - 4, -1), -1):
        line = text[tail[j][0]: tail[j][1]]
        if _is_date_line(line):
            date_span = tail[j]
            break
        m = DATE_RE.search(line)
        if m and _ORG_RE.match(line[: m.start()].strip() or "x") and m.end() >= len(line.strip()) - 1:
            date_span = tail[j]  # "保德县邮政局 二00八年十二月三号" on one line
            break
    if date_span is not None:
        date = parse_date(text[date_span[0]: date_span[1]])
        body_end = date_span[0]
        j = tail.index(date_span)
        line = text[date_span[0]: date_span[1]]
        m = DATE_RE.search(line)
        if m and m.start() > 1 and _ORG_RE.match(line[: m.start()].strip()):
            org = line[: m.start()].strip()
        else:
            for jj in range(j - 1, max(j - 3, -1), -1):
                cand = text[tail[jj][0]: tail[jj][1]].strip()
                om = _ORG_RE.match(cand)
                if om:
                    org, org_span, body_end = om.group(1), tail[jj], tail[jj][0]
                    break
                if len(cand) > 40 or any(p in cand for p in "。，；"):
                    break
    elif k >= 0:
        cand = text[tail[k][0]: tail[k][1]].strip()
        om = _ORG_RE.match(cand)
        if om and k > 0:
            org, body_end = om.group(1), tail[k][0]
    region = locate_region(org) if org else locate_region(title, prefix=True)
    sections = _sections(norm, body_start, max(body_start, body_end))
    o_start, o_end = norm.to_original(rs, re_)
    rid = hashlib.sha1(f"{source}\0{index}".encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return Report(
        report_id=rid, source=source, index=index, encoding=encoding, script=norm.script, title=title,
        addressee=addressee, org=org, region=region, date=date, start=o_start, end=o_end,
        sections=tuple(sections), norm=norm, nstart=rs, nend=re_,
    )


def _sections(norm: Normalized, start: int, end: int) -> list[Section]:
    text = norm.text
    heads: list[tuple[int, str | None, str | None, str | None]] = []  # (pos, style, number, heading)
    for a, b in _logical_lines(text, start, end):
        line = text[a:b]
        found = _number_at(line)
        if found:
            style, m = found
            lead = len(line) - len(line.lstrip())
            number = m.group(0).strip()
            heads.append((a + lead, style, number, _heading(line[lead + m.end():])))
        elif heads and _CLOSING_PARA.match(line.strip()):
            heads.append((a, None, None, None))
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
    out = []
    bounds = [h[0] for h in heads] + [end]
    for idx, (pos, style, number, heading) in enumerate(heads):
        a, b = pos, bounds[idx + 1]
        while b > a and text[b - 1].isspace():
            b -= 1
        sents = tuple(
            Sentence(text[x:y], *norm.to_original(x, y), x, y) for x, y in split_sentences(text, a, b)
        )
        oa, ob = norm.to_original(a, b)
        out.append(Section(number, heading, levels[idx], parents[idx], oa, ob, a, b, sents))
    return [s for s in out if s.sentences or s.number]


def iter_reports(doc: Document, *, norm: Normalized | None = None, **normalize_options) -> Iterator[Report]:
    """Normalize a document (unless given) and yield its reports."""
    norm = norm if norm is not None else normalize(doc.text, **normalize_options)
    for i, span in enumerate(split_reports(norm.text)):
        yield structure_report(norm, span, source=doc.source, index=i, encoding=doc.encoding)

"""Structure: split a normalized file into reports, and a report into title, addressee, numbered
sections, sentences, signing unit and date. Every span carries offsets into the original text."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Iterator

from .dates import DATE_RE, parse_date
from .io import Document
from .line_kinds import (_ADDRESSEE_RE, _BYLINE_RE, _CLOSING_TAIL, _CREDIT_RE, _DOCNO_RE, _ORG_RE, _PAREN_DATE_RE,
                         _RED_HEADER_RE, _SECRECY_RE, _TAGGED_TITLE, _TITLE_HEADS, _closing_like, _ends_like_title, _is_date_line, _issuer_like, _org_of,
                         _repeated_title, _similar, _strip_docno, _title_like, _with_deleted_spaces)
from .normalize import Normalized, normalize
from .numbering import PIECE_MARK, _lines, _logical_lines, _number_at
from .region import locate_region
from .sections import Section, Sentence, _sections, split_sentences

__all__ = ["Sentence", "Section", "Report", "split_reports", "structure_report", "iter_reports", "split_sentences"]

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


def _substantial(text: str) -> bool:
    """Enough text to be a report of its own (not just a collection title)."""
    body = text.strip()
    return len(body) >= 100 or any(p in body for p in "。！？；")


# a cover notice that issues or forwards a document: 关于印发《…工作方案》的通知
_COVER = re.compile(r"(?:印发|转发|下发|发布)[^《\n]{0,10}《([^》\n]{2,60})》")


def _attached(text: str, at: int, title: str) -> bool:
    """The title at ``at`` names the document that a cover notice just before it issues (印发《X》的通知,
    then X): the notice and its attachment are one report."""
    name = title.strip().rstrip("。")
    return any(m.group(1).strip() == name for m in _COVER.finditer(text, max(0, at - 3000), at))


def split_reports(text: str) -> list[tuple[int, int]]:
    """Split normalized text into report spans: at 第X篇 markers; otherwise after a closing date line that
    is followed by a new title and enough text, and at a title repeated at the start of the next line.
    A cut that would leave only a title before it is dropped."""
    lines = _lines(text, 0, len(text))
    marks = [a for a, b in lines if PIECE_MARK.match(text[a:b])] if "篇" in text or "范文" in text else []
    cuts: list[int] = []
    if marks:  # the text before the first marker is a report of its own only where it is signed and dated
        prefix = [text[a:b] for a, b in lines if b <= marks[0]]
        cuts = marks if len(text[: marks[0]].strip()) > 80 and any(map(_is_date_line, prefix)) else marks[1:]
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
            if _title_like(line) and text_end - (na + len(line) - len(line.lstrip())) >= 150 and not _attached(text, na, line):
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


def structure_report(norm: Normalized, span: tuple[int, int], *, source: str, index: int, encoding: str) -> Report:
    """Build a Report from a span of normalized text."""
    text = norm.text
    rs, re_ = span
    memo: dict = {}  # pieces per line: the report, its closing and its body ask for the same lines
    lines = [(a, b) for a, b in _logical_lines(text, rs, re_, memo) if text[a:b].strip()]
    title = addressee = org = date = None
    byline_org = None
    body_start = rs

    stripped: dict[int, str] = {}

    def line_text(k: int) -> str:
        t = stripped.get(k)
        if t is None:
            t = stripped[k] = text[lines[k][0]: lines[k][1]].strip()
        return t

    def next_non_docno(k: int) -> int:
        """The first line from ``k`` on that is not a document or report number."""
        while k < len(lines) and _DOCNO_RE.match(line_text(k)):
            k += 1
        return k

    def unit_of(a: int, b: int) -> str | None:
        """The unit of a signature or byline line (its single spaces, 五寨县邮政分公司 王建军, were removed
        by normalization: they are put back from the original for this test)."""
        return _org_of(text[a:b].strip()) or _org_of(_with_deleted_spaces(norm, a, b).strip())

    # title: after a 第X篇 marker (on its line or alone), red-header lines (XX文件), document numbers, and
    # the issuing unit's name when a title follows it
    piece_title_start = None
    # a collection page's title and introduction above the first document's marker are not its title
    li = next((k for k in range(min(8, len(lines))) if PIECE_MARK.match(text[lines[k][0]: lines[k][1]])), 0)
    while li < len(lines):
        t = line_text(li)
        m = PIECE_MARK.match(text[lines[li][0]: lines[li][1]])
        if m is not None:
            rest_at = lines[li][0] + m.end()
            if text[rest_at: lines[li][1]].strip():
                piece_title_start = rest_at
                break
            li += 1
            continue
        if _DOCNO_RE.match(t) or _RED_HEADER_RE.match(t) or _SECRECY_RE.match(t):
            li += 1
            continue
        if li + 1 < len(lines) and (_ORG_RE.match(t) or _issuer_like(t)):
            k = next_non_docno(li + 1)
            nt = line_text(k) if k < len(lines) else ""
            if nt and _title_like(nt) and not _ADDRESSEE_RE.match(nt) and not _ORG_RE.match(nt) and not _BYLINE_RE.match(nt) \
                    and (_ORG_RE.match(t) or nt.startswith("关于") or _ends_like_title(nt)):
                li += 1
                continue
            # two issuer lines above the title (香港郵政 / 郵務部新界東區 / …檢討報告): this one goes too
            k2 = next_non_docno(k + 1)
            after = line_text(k2) if k2 < len(lines) else ""
            if nt and _issuer_like(nt) and _title_like(after) and _ends_like_title(after):
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
            # repeated titles, subtitles close to the title, document numbers; a page's own heading above
            # the document's title (a model-essay site: 邮政支局服务质量自查报告范文, then 某某支局关于…的报告
            # and its addressee): the longer title just above the addressee, or one that ends with the page's
            # heading (营业所服务质量自查情况汇报, then 某某邮政营业所服务质量自查情况汇报), is the document's
            while li < len(lines):
                t = line_text(li)
                if len(t) > len(title) and piece_title_start is None and _title_like(t) and _ends_like_title(t) and (
                        t.endswith(title) or (li + 1 < len(lines) and _ADDRESSEE_RE.match(line_text(li + 1)))):
                    title = _strip_docno(t)
                    body_start = lines[li][1]
                    li += 1
                    break
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
    date_j, date, org = _closing_date(text, tail, k)
    attachment = None
    if date_j is None:
        # attachments printed after the signature and date (附件：… then their content, as GB/T 9704 lays
        # out official documents): the closing is just above the first attachment heading with a date above it
        for h in range(1, k + 1):
            if _ATTACHMENT_RE.match(text[tail[h][0]: tail[h][1]].strip()):
                date_j, date, org = _closing_date(text, tail, h - 1)
                if date_j is not None:
                    attachment = h
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
    if attachment is not None:  # the attachments are body text too, after the closing
        n = len(sections)
        sections += [replace(s, parent=None if s.parent is None else s.parent + n)
                     for s in _sections(norm, tail[attachment][0], re_, memo)]
    o_start, o_end = norm.to_original(rs, re_)
    rid = hashlib.sha1(f"{source}\0{index}".encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return Report(
        report_id=rid, source=source, index=index, encoding=encoding, script=norm.script, title=title,
        addressee=addressee, org=org, region=region, date=date, start=o_start, end=o_end,
        sections=tuple(sections), norm=norm, nstart=rs, nend=re_,
    )


_NO_REGION = {"province": None, "city": None, "county": None}
_ATTACHMENT_RE = re.compile(r"^(?:附件|附表)\s*(?:\d{1,2}\s*)?(?:[:：]\s*[^。；]{0,40})?$")  # 附件 / 附件1：…检查表


def _closing_date(text: str, tail: list[tuple[int, int]], k: int) -> tuple[int | None, str | None, str | None]:
    """(line index, date, unit) of the closing date among the short lines ending at ``tail[k]`` (at most 4 of
    them: a date above body text is not the report's date); the unit where it shares the date's line."""
    for j in range(k, max(k - 4, -1), -1):
        line = text[tail[j][0]: tail[j][1]].strip()  # a signature block is often indented or centred
        if _is_date_line(line):
            return j, parse_date(line), None
        m = DATE_RE.search(line)
        if m and m.end() >= len(line.rstrip()) - 1 and m.start() > 1:
            head = line[: m.start()].strip()
            if _ORG_RE.match(head) or _BYLINE_RE.match(head):  # 保德县邮政局 二00八年十二月三号
                return j, parse_date(line[m.start():]), _org_of(head)
        cm = _CREDIT_RE.match(line)
        if cm and DATE_RE.search(cm.group(2) or ""):  # （岳阳市邮政管理局 供稿 2021年4月13日）
            return j, parse_date(cm.group(2)), cm.group(1)
        if not _closing_like(line):
            break
    return None, None, None


def iter_reports(doc: Document, *, norm: Normalized | None = None, **normalize_options) -> Iterator[Report]:
    """Normalize a document (unless given) and yield its reports."""
    norm = norm if norm is not None else normalize(doc.text, **normalize_options)
    for i, span in enumerate(split_reports(norm.text)):
        yield structure_report(norm, span, source=doc.source, index=i, encoding=doc.encoding)

"""The cleaning steps of :mod:`reportmine.normalize`, each an edit function and a ``str -> str`` step:
pinyin annotations, spaces between CJK characters, full-width letters, boilerplate, broken lines."""
from __future__ import annotations

import functools
import itertools
import re
from typing import Iterable, NamedTuple

from ._data import data_yaml
from .dates import ROC_PREFIX
from .edits import Edit, _as_str_step
from .errors import ReportmineError
from .numbering import PIECE_MARK
from .script import CJK

__all__ = ["remove_pinyin", "remove_cjk_spaces", "rejoin_lines", "strip_boilerplate", "fullwidth_to_halfwidth"]

_SENT_END = "。！？；!?;…"
_LINE_END_OK = _SENT_END + "：:”」』\"'"

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYL_TONED = rf"[a-zü]{{0,5}}[{_TONED}][a-zü]{{0,4}}"
_SYL_PLAIN = r"(?:de|le|ne|ma|me|men|zi|ba|la|ya|wa|[a-zü]{1,6}[1-5])"
# One annotation or a run of them: toneless syllables only right after a CJK character (公司(de) is
# rare but 收据(ba) must not catch English), toned syllables after any visible character (mojibake
# like 確??蛻粜畔ⅰI(yè) leaves them after Latin letters or '?'); and a toned syllable whose opening
# bracket was eaten by a mis-decoded byte ('?zhàn)').
_PINYIN_RE = re.compile(
    rf"(?<=[{CJK}])[(（](?:{_SYL_TONED}|{_SYL_PLAIN})[)）](?:[(（](?:{_SYL_TONED}|{_SYL_PLAIN})[)）])*"
    rf"|(?<=\S)[(（]{_SYL_TONED}[)）](?:[(（](?:{_SYL_TONED}|{_SYL_PLAIN})[)）])*"
    rf"|(?<=[?？\ufffd]){_SYL_TONED}[)）]"
)


# a match of _PINYIN_RE starts at an opening bracket, or right after one of ?？\ufffd
_PINYIN_LEAD = re.compile("[(（?？\ufffd]")


def _edits_remove_pinyin(text: str) -> list[Edit]:
    """Remove pinyin annotations right after characters (服務(wù) → 服務); keep (一), (討論稿), (2008).

    The matches of ``_PINYIN_RE.finditer(text)``, tried only where one can start (a look-behind sees the
    text before the position tried, as in a search)."""
    edits: list[Edit] = []
    pos = 0  # end of the last match: the search goes on from there
    match = _PINYIN_RE.match
    for lead in _PINYIN_LEAD.finditer(text):
        p = lead.start()
        if text[p] in "?？\ufffd":
            p += 1
        if p < pos:
            continue
        m = match(text, p)
        if m:
            edits.append((m.start(), m.end(), ""))
            pos = m.end()
    return edits


# one space or tab between CJK characters is an artefact of PDF/OCR extraction; runs of spaces and the
# ideographic space (U+3000) are deliberate separators (会宁县邮政分公司  投递员  李建军) and stay
# (the space first, its left context checked behind it: a pattern that opens with a character class lets
# ``re`` skip ahead to the spaces; same matches as the look-behinds put before it)
_CJK_SPACE_RE = re.compile(
    f"[ \t\u00a0](?<=[{CJK}，。、；：！？“”（）《》,;:?!][ \t\u00a0])(?<![ \t\u00a0\u3000][ \t\u00a0][ \t\u00a0])"
    f"(?![ \t\u00a0\u3000])(?=[{CJK}，。、；：！？“”《》])"
)


def _edits_remove_cjk_spaces(text: str) -> list[Edit]:
    """Remove a space inserted between CJK characters (我们 的 → 我们的); Latin words keep their spaces,
    and so do deliberate separators (two spaces or more, U+3000) and indentation."""
    edits = []
    checked = 0  # text before this position is known: whether its line has text before it
    has_text = False  # the current line has non-space text before ``checked``
    for m in _CJK_SPACE_RE.finditer(text):
        s = m.start()
        nl = text.rfind("\n", checked, s)
        if nl >= 0:  # a new line since the last match
            checked, has_text = nl + 1, False
        if not has_text:
            has_text = bool(text[checked:s].strip())
        checked = s
        if has_text:  # not indentation at the start of a line
            edits.append((s, m.end(), ""))
    return edits


_FW_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def fullwidth_to_halfwidth(text: str) -> str:
    """Full-width ASCII letters and digits to half-width (ＡＢ１２ → AB12); CJK punctuation untouched."""
    return _FW_RE.sub(lambda m: "".join(chr(ord(c) - 0xFEE0) for c in m.group()), text)


class _Boilerplate(NamedTuple):
    """The compiled patterns of ``data/boilerplate.yaml`` (see :func:`_edits_strip_boilerplate`)."""

    line: re.Pattern
    block: re.Pattern
    item: re.Pattern
    inline: re.Pattern
    tail: re.Pattern
    tail_stop: re.Pattern
    block_stop: re.Pattern


@functools.lru_cache(maxsize=None)
def _boilerplate_res(extra: tuple[str, ...] = ()) -> _Boilerplate:
    spec = data_yaml("boilerplate.yaml")

    def alternation(pats: Iterable[str], what: str) -> re.Pattern:
        pats = [p for p in pats if p]
        if not pats:
            return re.compile(r"(?!)")
        try:
            return re.compile("|".join(f"(?:{p})" for p in pats))
        except re.error as exc:
            raise ReportmineError(what, f"bad boilerplate regex: {exc}") from None

    return _Boilerplate(
        line=alternation(list(spec["lines"]) + list(extra), "boilerplate patterns"),
        block=alternation(spec["block_starts"], "boilerplate.yaml"),
        item=alternation(spec.get("block_items", ()), "boilerplate.yaml"),
        inline=alternation(spec["inline"], "boilerplate.yaml"),
        tail=alternation(spec.get("tail_starts", ()), "boilerplate.yaml"),
        tail_stop=alternation(spec.get("tail_stops", ()), "boilerplate.yaml"),
        block_stop=alternation(spec.get("block_stops", ()), "boilerplate.yaml"),
    )


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line with its line break) of every line (``str.splitlines``)."""
    lines = text.splitlines(keepends=True)
    ends = list(itertools.accumulate(map(len, lines)))
    return list(zip([0] + ends[:-1], ends, lines)) if lines else []


def _edits_strip_boilerplate(text: str, extra: tuple[str, ...] = (), memo: dict[str, bool] | None = None) -> list[Edit]:
    """Delete web and download-site boilerplate: page headers, footers, related-document lists, page numbers.

    Patterns live in ``data/boilerplate.yaml``: whole ``lines``; ``block_starts`` (a list heading: it and
    the lines after it are deleted while they are blank, short labels without sentence punctuation, or
    list items matching ``block_items``, up to a line matching ``block_stops``); ``tail_starts`` (a comment
    section: it and every line after it are deleted until a line matching ``tail_stops``, a next
    document's title); ``inline`` spans. ``extra`` adds line patterns. ``memo`` keeps, per stripped line,
    whether it is a boilerplate line (for a caller that runs this again on much the same text, with the
    same ``extra``).
    """
    res = _boilerplate_res(tuple(extra))
    # a block start or an inline span holds certain words: where the text has none, no line is tried
    blocks, inlines, tails = _may_match(res.block, text), _may_match(res.inline, text), _may_match(res.tail, text)
    edits: list[Edit] = []
    inside: str | None = None  # what is being deleted: a list ("block"), a comment section ("tail"), or nothing
    for a, b, line in _lines(text):
        body = line.strip()
        if inside == "tail" and (not body or not res.tail_stop.match(body)):
            edits.append((a, b, ""))
            continue
        if body and tails and res.tail.match(body):
            inside = "tail"
            edits.append((a, b, ""))
            continue
        if inside == "block" and (not body or (len(body) <= 40 and not any(p in body for p in "。；，"))
                                  or res.item.match(body)) and not res.block_stop.match(body):
            edits.append((a, b, ""))
            continue
        inside = "block" if body and blocks and res.block.match(body) else None
        if inside:
            edits.append((a, b, ""))
        elif body and _line_match(res.line, body, memo):
            edits.append((a, b, ""))
        elif inlines:
            for m in res.inline.finditer(line):
                if m.end() > m.start():
                    edits.append((a + m.start(), a + m.end(), ""))
    return edits


def _line_match(line_re: re.Pattern, body: str, memo: dict[str, bool] | None) -> bool:
    if memo is None:
        return bool(line_re.match(body))
    hit = memo.get(body)
    if hit is None:
        hit = memo[body] = bool(line_re.match(body))
    return hit


def _may_match(pattern: re.Pattern, text: str) -> bool:
    """False when ``pattern`` cannot match anywhere in ``text``: a word every match holds is missing."""
    return all(any(w in text for w in group) for group in _required(pattern.pattern))


@functools.lru_cache(maxsize=64)
def _required(pattern: str) -> tuple[tuple[str, ...], ...]:
    from .taxonomy import required_literals

    return required_literals(pattern, flavour="re")


_CN_NUM = "一二三四五六七八九十百零〇"
#: a line starting like this is a new item: never glued to the line before it
_NUMBERED_RE = re.compile(
    rf"^\s*(?:第[{_CN_NUM}\d]+[篇章节条部分]|[{_CN_NUM}]+[、.．]|[（(][{_CN_NUM}\d]+[)）]"
    r"|\d+(?:\.\d+)*[、.．](?!\d)|[①-⑳]|[-—]\s*\d+\s*[-—]$|[-•·●○◆◇■□▪※★☆]\s)(?![》」”』])"
)
_MARKER_RE = re.compile(
    rf"^\s*(?:第[{_CN_NUM}\d]+[篇章节条]|[{_CN_NUM}]+[、.．]|[（(][{_CN_NUM}\d]+[)）][、.．]?"
    r"|\d+(?:\.\d+)*[、.．](?!\d)|[（(]\d+[)）]|[①-⑳])\s*"
)
_DATE_LINE_RE = re.compile(rf"^\s*(?:{ROC_PREFIX})?\s*[\d〇零一二三四五六七八九十OoＯxX×]{{2,4}}\s*年[\d〇零一二三四五六七八九十xX×\s]*月?")
_ORG_LINE_RE = re.compile(r"^\s*\S{2,30}(?:局|公司|分公司|支局|中心|部|处|室|科|所|站|网点|委员会|办公室)\s*$")
_DOCNO_LINE_RE = re.compile(r"^\s*\S{0,12}[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d+\s*号\s*$")
_LABEL_RE = re.compile(r"\s*([^\s，。；：:,;]{1,10})[：:]")


def _short_field(line: str) -> bool:
    """A short form field without sentence punctuation (检查人：陈○○、林○○)."""
    return len(line) <= 30 and not any(p in line for p in "，,。；;")


def _joins(acc: str, nxt: str) -> bool:
    """Whether the logical line ``acc`` (stripped, not the first line) continues on the line ``nxt``."""
    if not acc or not nxt or acc[-1] in _LINE_END_OK:
        return False
    if (
        _NUMBERED_RE.match(nxt) or _DATE_LINE_RE.match(nxt) or _ORG_LINE_RE.match(nxt)
        or _DOCNO_LINE_RE.match(nxt) or PIECE_MARK.match(nxt)
        or (len(nxt) <= 30 and nxt[-1] in "：:" and not any(p in nxt for p in "，,。；"))  # an addressee
    ):
        return False
    if PIECE_MARK.match(acc) or _DATE_LINE_RE.match(acc) or _ORG_LINE_RE.match(acc) or _DOCNO_LINE_RE.match(acc):
        return False
    label = _LABEL_RE.match(nxt)
    if label and _LABEL_RE.match(acc) and (acc.startswith(label.group(1)) or _short_field(acc)):
        return False  # rows of a list (检查项目：… per line), fields of a form (检查人：… / 受检单位主管：…)
    m = _MARKER_RE.match(acc)
    rest = acc[m.end():] if m else acc
    if m and not rest:
        return True  # a bare number (第三条, 一、) belongs to the line after it
    # a short line without commas or a sentence inside is a title or a label, not a broken sentence
    return any(p in rest for p in "，、,。；;") or len(acc) >= 25


def _edits_rejoin_lines(text: str) -> list[Edit]:
    """Rejoin lines broken mid-sentence (copied from PDF or Word): a line without closing punctuation
    is joined to the next unless the next is blank, a heading, a numbered item, a signature or a date.
    The first line (the title) is never joined; a line already joined is judged as a whole."""
    edits: list[Edit] = []
    lines = list(_lines(text))
    acc = ""
    joined = False
    seen_text = False
    for i, (a, b, line) in enumerate(lines[:-1]):
        stripped = line.strip()
        if joined:
            acc += stripped
        else:
            acc = stripped
            first = not seen_text
        seen_text = seen_text or bool(stripped)
        if first or not acc or acc[-1] in _LINE_END_OK:  # what _joins answers first, without the call
            joined = False
            continue
        nb = lines[i + 1]
        joined = _joins(acc, nb[2].strip())
        if not joined:
            continue
        # delete trailing spaces, the line break and the next line's indentation
        body = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        cut_start = a + len(body.rstrip())
        cut_end = nb[0] + (len(nb[2]) - len(nb[2].lstrip()))
        left, right = text[cut_start - 1], text[cut_end] if cut_end < len(text) else ""
        glue = " " if left.isascii() and left.isalnum() and right.isascii() and right.isalnum() else ""
        edits.append((cut_start, cut_end, glue))
    return edits


remove_pinyin = _as_str_step(_edits_remove_pinyin)
remove_cjk_spaces = _as_str_step(_edits_remove_cjk_spaces)
rejoin_lines = _as_str_step(_edits_rejoin_lines)
strip_boilerplate = _as_str_step(_edits_strip_boilerplate)

"""Cleaning and script normalization that keeps an exact offset map back to the original text.

Each step is a pure ``str -> str`` function (``remove_pinyin``, ``remove_cjk_spaces`` ...) built on an
*edit* function that says which spans it deletes or replaces. :func:`normalize` composes the edits of
the enabled steps and keeps, for every character of the normalized text, the span of original text it
came from, so any normalized span maps back to the exact original span.

Script conversion uses OpenCC ``tw2s`` by default: ``t2s`` leaves 著 in 隨著/穿著 (OpenCC issue #555),
``tw2s`` does not; the phrase configs (``tw2sp``) rewrite vocabulary (文件→文档) and would corrupt quotes
and counts, so they are never the default. Conversion is decided line by line (a line with more
traditional-only than simplified-only characters is converted), so a simplified file quoting a
traditional passage gets the passage converted while its own 显著 is not turned into 显着.

The steps repeat until a round changes nothing (a line joined by ``rejoin`` can bring an annotation
next to a character): normalizing normalized text changes nothing.
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, Sequence

import numpy as np

from ._data import data_yaml
from .errors import ReportmineError

__all__ = [
    "Normalized",
    "normalize",
    "detect_script",
    "to_simplified",
    "remove_pinyin",
    "remove_cjk_spaces",
    "rejoin_lines",
    "strip_boilerplate",
    "fullwidth_to_halfwidth",
    "STEPS",
    "Script",
    "Conversion",
]

Script = Literal["simplified", "traditional", "mixed", "unknown"]
Conversion = Literal["tw2s", "hk2s", "t2s", "none"]
Edit = tuple[int, int, str]  # replace text[start:end] by the string

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
_SENT_END = "。！？；!?;…"
_LINE_END_OK = _SENT_END + "：:”」』\"'"


# --------------------------------------------------------------------------- edit machinery


@dataclass(frozen=True)
class Normalized:
    """Normalized text plus, per character, the ``[start, end)`` span of original text it came from."""

    text: str
    original: str
    script: str
    starts: np.ndarray = field(repr=False)
    ends: np.ndarray = field(repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of normalized text to the exact span of original text it came from."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside normalized text of length {len(self.text)}")
        if start == end:
            pos = self.starts.item(start) if start < len(self.text) else len(self.original)
            return pos, pos
        return self.starts.item(start), self.ends.item(end - 1)  # (.item(): a Python int, quicker than int())

    def original_text(self, start: int, end: int) -> str:
        """The original text behind a normalized span (the exact quote)."""
        a, b = self.to_original(start, end)
        return self.original[a:b]


def _apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """Apply sorted edits (an edit overlapping an earlier one is dropped); return the new text and, per
    new character, the ``[start, end)`` span of ``text`` it came from (None, None: no edit).

    A replacement character comes from the whole replaced span (at least one character wide)."""
    if not edits:
        return text, None, None
    kept_edits: list[Edit] = []
    pos = 0
    for a, b, rep in edits:
        if a < pos:
            continue  # overlapping edit: keep the first
        kept_edits.append((a, b, rep))
        pos = b
    parts: list[str] = []
    pos = 0
    for a, b, rep in kept_edits:
        parts.append(text[pos:a])
        parts.append(rep)
        pos = b
    parts.append(text[pos:])
    n = len(text)
    # +1 where an edit starts, -1 where it ends: characters at a running sum of 0 are kept
    cuts = (np.bincount([e[0] for e in kept_edits], minlength=n + 1)
            - np.bincount([e[1] for e in kept_edits], minlength=n + 1))
    kept = np.flatnonzero(np.cumsum(cuts)[:n] == 0)
    reps = [(a, b, rep) for a, b, rep in kept_edits if rep]
    if not reps:
        return "".join(parts), kept, kept + 1
    rep_start = np.array([a for a, b, rep in reps for _ in rep], dtype=np.int64)
    rep_end = np.array([max(b, a + 1) for a, b, rep in reps for _ in rep], dtype=np.int64)
    # replacement characters sit before the first kept character at or after their edit's start
    key = np.concatenate([kept * 2 + 1, rep_start * 2])
    order = np.argsort(key, kind="stable")
    starts = np.concatenate([kept, rep_start])[order]
    ends = np.concatenate([kept + 1, rep_end])[order]
    return "".join(parts), starts, ends


def _as_str_step(edit_fn: Callable[[str], list[Edit]]) -> Callable[[str], str]:
    def step(text: str) -> str:
        return _apply_edits(text, edit_fn(text))[0]

    step.__name__ = edit_fn.__name__.removeprefix("_edits_")
    step.__doc__ = edit_fn.__doc__
    return step


# --------------------------------------------------------------------------- steps

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


@functools.lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    try:
        return opencc.OpenCC(config)
    except Exception:  # the reimplementation wants the bare name, the official one accepts both
        return opencc.OpenCC(config + ".json")


_SURROGATE_RE = re.compile("[\ud800-\udfff\x00]")


def _convert_raw(conv, text: str) -> str:
    """OpenCC on text it can take: lone surrogates (not UTF-8) and NUL (ends a C string) are kept as is."""
    if not _SURROGATE_RE.search(text):
        return conv.convert(text)
    out, pos = [], 0
    for m in _SURROGATE_RE.finditer(text):
        out.append(conv.convert(text[pos:m.start()]) if m.start() > pos else "")
        out.append(m.group())
        pos = m.end()
    out.append(conv.convert(text[pos:]) if pos < len(text) else "")
    return "".join(out)


def to_simplified(text: str, *, config: Conversion = "tw2s") -> str:
    """Convert to simplified script with OpenCC, character for character (length preserved)."""
    if config == "none" or not text:
        return text
    conv = _converter(config)
    out = _convert_raw(conv, text)
    if len(out) == len(text):
        return out
    # Rare phrase entries change length: convert line by line, then char by char where needed.
    fixed = []
    for line in text.split("\n"):
        c = _convert_raw(conv, line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := _convert_raw(conv, ch)) == 1 else ch for ch in line)
        fixed.append(c)
    return "\n".join(fixed)


@functools.lru_cache(maxsize=1)
def _script_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(traditional-only, simplified-only) characters.

    Traditional-only: changed by tw2s and not in GB 2312 (著 乾 後 於 么 ... are valid simplified
    characters too: counting them would call 显著 traditional, and converting it gives 显着).
    """
    chars = [chr(i) for i in range(0x4E00, 0xA000)]
    joined = "\n".join(chars)  # one character per line: no phrase spans two characters
    t2s = to_simplified(joined, config="tw2s").split("\n")
    s2t = _converter("s2t").convert(joined).split("\n")

    def in_gb2312(ch: str) -> bool:
        try:
            ch.encode("gb2312")
            return True
        except UnicodeEncodeError:
            return False

    trad = frozenset(a for a, b in zip(chars, t2s) if a != b and not in_gb2312(a))
    simp = frozenset(a for a, b in zip(chars, s2t) if a != b) - trad
    return trad, simp


@functools.lru_cache(maxsize=1)
def _script_table() -> np.ndarray:
    """Per code point: 1 traditional-only, 2 simplified-only, 0 other (see :func:`_script_sets`)."""
    trad, simp = _script_sets()
    table = np.zeros(0x110000, dtype=np.int8)
    table[[ord(c) for c in trad]] = 1
    table[[ord(c) for c in simp]] = 2
    return table


def _code_points(text: str) -> np.ndarray:
    """The code point of each character of ``text`` (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _script_counts(text: str) -> tuple[int, int]:
    """(traditional-only, simplified-only) characters in ``text``."""
    classes = _script_table()[_code_points(text)]
    return int(np.count_nonzero(classes == 1)), int(np.count_nonzero(classes == 2))


def detect_script(text: str) -> Script:
    """Say whether text is simplified, traditional or mixed, from characters only one script uses."""
    sample = text[:500_000]
    t, s = _script_counts(sample)
    if t + s == 0:
        return "simplified" if _CJK_RE.search(sample) else "unknown"
    share = t / (t + s)
    if share >= 0.85:
        return "traditional"
    if share <= 0.15:
        return "simplified"
    return "mixed"


def _convert_lines(text: str, config: Conversion) -> str:
    """Convert the lines written mostly in traditional script (more traditional-only than simplified-only
    characters); simplified lines stay as they are, so a simplified file quoting a traditional passage
    gets the passage converted and keeps its own 显著. Length is preserved."""
    if config == "none":
        return text
    codes = _code_points(text)
    classes = _script_table()[codes]
    is_trad = classes == 1
    if not is_trad.any():
        return text
    lines = text.split("\n")
    # per line, traditional-only minus simplified-only characters, from running sums cut at the line ends
    trad_sum = np.concatenate(([0], np.cumsum(is_trad, dtype=np.int64)))
    balance = trad_sum - np.concatenate(([0], np.cumsum(classes == 2, dtype=np.int64)))
    line_ends = np.append(np.flatnonzero(codes == 10), len(text))
    line_starts = np.concatenate(([0], line_ends[:-1] + 1))
    line_balance = balance[line_ends] - balance[line_starts]
    todo = np.flatnonzero(line_balance > 0).tolist()
    # lines mostly simplified that still hold traditional-only characters: decide clause by clause
    has_trad = trad_sum[line_ends] - trad_sum[line_starts]
    for k in np.flatnonzero((line_balance <= 0) & (has_trad > 0)).tolist():
        lines[k] = _convert_clauses(lines[k], int(line_starts[k]), balance, is_trad, config)
    if not todo:
        return "\n".join(lines)
    # convert runs of consecutive lines in one call
    i = 0
    while i < len(todo):
        j = i
        while j + 1 < len(todo) and todo[j + 1] == todo[j] + 1:
            j += 1
        a, b = todo[i], todo[j] + 1
        block = to_simplified("\n".join(lines[a:b]), config=config).split("\n")
        if len(block) == b - a:
            lines[a:b] = block
        else:  # a line break inside a converted phrase (never seen): convert line by line
            lines[a:b] = [to_simplified(line, config=config) for line in lines[a:b]]
        i = j + 1
    return "\n".join(lines)


_CLAUSE = re.compile(r"[^。！？；，、：:;,!?]+[。！？；，、：:;,!?]*")


def _convert_clauses(line: str, offset: int, balance: np.ndarray, is_trad: np.ndarray, config: Conversion) -> str:
    """Convert the clauses of a mostly simplified line that are written mostly in traditional script
    (a traditional passage quoted inside a simplified sentence); in the other clauses, only the
    traditional-only characters, one by one (they never occur in simplified text). Length is preserved."""
    out = list(line)
    for m in _CLAUSE.finditer(line):
        a, b = m.span()
        if balance[offset + b] - balance[offset + a] > 0:
            out[a:b] = to_simplified(line[a:b], config=config)
        else:
            for i in np.flatnonzero(is_trad[offset + a:offset + b]).tolist():
                out[a + i] = to_simplified(line[a + i], config=config)
    return "".join(out)


@functools.lru_cache(maxsize=None)
def _boilerplate_res(extra: tuple[str, ...] = ()) -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    spec = data_yaml("boilerplate.yaml")

    def alternation(pats: Iterable[str], what: str) -> re.Pattern:
        pats = [p for p in pats if p]
        if not pats:
            return re.compile(r"(?!)")
        try:
            return re.compile("|".join(f"(?:{p})" for p in pats))
        except re.error as exc:
            raise ReportmineError(what, f"bad boilerplate regex: {exc}") from None

    line_re = alternation(list(spec["lines"]) + list(extra), "boilerplate patterns")
    block_re = alternation(spec["block_starts"], "boilerplate.yaml")
    item_re = alternation(spec.get("block_items", ()), "boilerplate.yaml")
    inline_re = alternation(spec["inline"], "boilerplate.yaml")
    return line_re, block_re, item_re, inline_re


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line with its line break) of every line (``str.splitlines``)."""
    lines = text.splitlines(keepends=True)
    ends = list(itertools.accumulate(map(len, lines)))
    return list(zip([0] + ends[:-1], ends, lines)) if lines else []


def _edits_strip_boilerplate(text: str, extra: tuple[str, ...] = (), memo: dict[str, bool] | None = None) -> list[Edit]:
    """Delete web and download-site boilerplate: page headers, footers, related-document lists, page numbers.

    Patterns live in ``data/boilerplate.yaml``: whole ``lines``; ``block_starts`` (a list heading: it and
    the lines after it are deleted while they are blank, short labels without sentence punctuation, or
    list items matching ``block_items``); ``inline`` spans. ``extra`` adds line patterns. ``memo`` keeps,
    per stripped line, whether it is a boilerplate line (for a caller that runs this again on much the
    same text, with the same ``extra``).
    """
    line_re, block_re, item_re, inline_re = _boilerplate_res(tuple(extra))
    # a block start or an inline span holds certain words: where the text has none, no line is tried
    blocks, inlines = _may_match(block_re, text), _may_match(inline_re, text)
    edits: list[Edit] = []
    in_block = False
    for a, b, line in _lines(text):
        body = line.strip()
        if in_block:
            if not body or (len(body) <= 40 and not any(p in body for p in "。；，")) or item_re.match(body):
                edits.append((a, b, ""))
                continue
            in_block = False
        if body and blocks and block_re.match(body):
            in_block = True
            edits.append((a, b, ""))
        elif body and _line_match(line_re, body, memo):
            edits.append((a, b, ""))
        elif inlines:
            for m in inline_re.finditer(line):
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
_DATE_LINE_RE = re.compile(r"^\s*[\d〇零一二三四五六七八九十OoＯxX×]{2,4}\s*年[\d〇零一二三四五六七八九十xX×\s]*月?")
_ORG_LINE_RE = re.compile(r"^\s*\S{2,30}(?:局|公司|分公司|支局|中心|部|处|室|科|所|站|网点|委员会|办公室)\s*$")
_DOCNO_LINE_RE = re.compile(r"^\s*\S{0,12}[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d+\s*号\s*$")
_PIECE_RE = re.compile(rf"^\s*第[{_CN_NUM}\d]+篇")


def _joins(acc: str, nxt: str) -> bool:
    """Whether the logical line ``acc`` (stripped, not the first line) continues on the line ``nxt``."""
    if not acc or not nxt or acc[-1] in _LINE_END_OK:
        return False
    if (
        _NUMBERED_RE.match(nxt) or _DATE_LINE_RE.match(nxt) or _ORG_LINE_RE.match(nxt)
        or _DOCNO_LINE_RE.match(nxt) or _PIECE_RE.match(nxt)
        or (len(nxt) <= 30 and nxt[-1] in "：:" and not any(p in nxt for p in "，,。；"))  # an addressee
    ):
        return False
    if _PIECE_RE.match(acc) or _DATE_LINE_RE.match(acc) or _ORG_LINE_RE.match(acc) or _DOCNO_LINE_RE.match(acc):
        return False
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

#: Deletion steps in the order :func:`normalize` runs them (after full-width folding and conversion).
STEPS: dict[str, Callable[[str], list[Edit]]] = {
    "pinyin": _edits_remove_pinyin,
    "boilerplate": _edits_strip_boilerplate,
    "cjk_spaces": _edits_remove_cjk_spaces,
    "rejoin": _edits_rejoin_lines,
}
#: One round rarely leaves work for a second (a line joined by ``rejoin`` can bring pinyin next to a
#: character); rounds repeat until nothing changes, so that normalizing twice changes nothing.
MAX_ROUNDS = 4


def normalize(
    text: str,
    *,
    convert: Conversion = "tw2s",
    fullwidth: bool = True,
    pinyin: bool = True,
    boilerplate: bool = True,
    cjk_spaces: bool = True,
    rejoin: bool = True,
    extra_boilerplate: Sequence[str] = (),
) -> Normalized:
    """Clean and convert ``text`` to simplified script, keeping the offset map to the original.

    ``script`` is that of the whole original text; conversion is decided line by line (see
    :func:`_convert_lines`). Each step can be switched off.
    """
    script = detect_script(text)
    extra = tuple(extra_boilerplate)
    if extra:
        _boilerplate_res(extra)  # a bad user pattern fails here, before any work
    cur = text
    starts = np.arange(len(cur), dtype=np.int64)
    ends = starts + 1
    enabled = {"pinyin": pinyin, "boilerplate": boilerplate, "cjk_spaces": cjk_spaces, "rejoin": rejoin}
    line_memo: dict[str, bool] = {}  # boilerplate lines: each round sees mostly the same lines
    for _round in range(MAX_ROUNDS):
        changed = False
        if fullwidth:
            new = fullwidth_to_halfwidth(cur)
            changed, cur = changed or new != cur, new
        if convert != "none":
            new = _convert_lines(cur, convert)
            changed, cur = changed or new != cur, new
        for name, edit_fn in STEPS.items():
            if not enabled[name]:
                continue
            edits = edit_fn(cur, extra, line_memo) if name == "boilerplate" else edit_fn(cur)
            if not edits:
                continue
            new, s_idx, e_idx = _apply_edits(cur, edits)
            if new == cur:
                continue
            changed = True
            starts, ends = starts[s_idx], ends[np.maximum(e_idx - 1, 0)]
            cur = new
        if not changed:
            break
    return Normalized(cur, text, script, starts, ends)

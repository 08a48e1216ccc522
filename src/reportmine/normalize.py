"""Cleaning and script normalization that keeps an exact offset map back to the original text.

Each step is a pure ``str -> str`` function (``remove_pinyin``, ``remove_cjk_spaces`` ...) built on an
*edit* function that says which spans it deletes or replaces. :func:`normalize` composes the edits of
the enabled steps and keeps, for every character of the normalized text, the span of original text it
came from, so any normalized span maps back to the exact original span.

Script conversion uses OpenCC ``tw2s`` by default: ``t2s`` leaves 著 in 隨著/穿著 (OpenCC issue #555),
``tw2s`` does not; the phrase configs (``tw2sp``) rewrite vocabulary (文件→文档) and would corrupt quotes
and counts, so they are never the default.
"""
from __future__ import annotations

import functools
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
            pos = int(self.starts[start]) if start < len(self.text) else len(self.original)
            return pos, pos
        return int(self.starts[start]), int(self.ends[end - 1])

    def original_text(self, start: int, end: int) -> str:
        """The original text behind a normalized span (the exact quote)."""
        a, b = self.to_original(start, end)
        return self.original[a:b]


def _apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """Apply sorted, non-overlapping edits; return new text and per-char source spans (None: identity)."""
    if not edits:
        return text, None, None
    parts: list[str] = []
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    pos = 0
    for a, b, rep in edits:
        if a < pos:
            continue  # overlapping edit: keep the first
        if a > pos:
            parts.append(text[pos:a])
            rng = np.arange(pos, a, dtype=np.int64)
            starts.append(rng)
            ends.append(rng + 1)
        if rep:
            parts.append(rep)
            starts.append(np.full(len(rep), a, dtype=np.int64))
            ends.append(np.full(len(rep), max(b, a + 1), dtype=np.int64))
        pos = b
    if pos < len(text):
        parts.append(text[pos:])
        rng = np.arange(pos, len(text), dtype=np.int64)
        starts.append(rng)
        ends.append(rng + 1)
    empty = np.zeros(0, dtype=np.int64)
    return "".join(parts), np.concatenate(starts or [empty]), np.concatenate(ends or [empty])


def _as_str_step(edit_fn: Callable[[str], list[Edit]]) -> Callable[[str], str]:
    def step(text: str) -> str:
        return _apply_edits(text, edit_fn(text))[0]

    step.__name__ = edit_fn.__name__.removeprefix("_edits_")
    step.__doc__ = edit_fn.__doc__
    return step


# --------------------------------------------------------------------------- steps

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_RE = re.compile(
    rf"(?<=[{CJK}])[(（](?:[a-zü]*[{_TONED}][a-zü]*|de|le|ne|ma|me|men|zi|ba|la|ya|wa|[a-zü]{{1,6}}[1-5])[)）]"
)


def _edits_remove_pinyin(text: str) -> list[Edit]:
    """Remove pinyin annotations right after CJK characters (服務(wù) → 服務); keep (一), (討論稿), (2008)."""
    return [(m.start(), m.end(), "") for m in _PINYIN_RE.finditer(text)]


_CJK_SPACE_RE = re.compile(f"(?<=[{CJK}，。、；：！？“”（）《》,;:?!])[ \t\u3000\u00a0]+(?=[{CJK}，。、；：！？“”《》])")


def _edits_remove_cjk_spaces(text: str) -> list[Edit]:
    """Remove spaces inserted between CJK characters (我们 的 → 我们的); Latin words keep their spaces."""
    edits = []
    for m in _CJK_SPACE_RE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].strip():  # not indentation at the start of a line
            edits.append((m.start(), m.end(), ""))
    return edits


_FW_TABLE = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FW_TABLE.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FW_TABLE.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})


def fullwidth_to_halfwidth(text: str) -> str:
    """Full-width ASCII letters and digits to half-width (ＡＢ１２ → AB12); CJK punctuation untouched."""
    return text.translate(_FW_TABLE)


@functools.lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    try:
        return opencc.OpenCC(config)
    except Exception:  # the reimplementation wants the bare name, the official one accepts both
        return opencc.OpenCC(config + ".json")


def to_simplified(text: str, *, config: Conversion = "tw2s") -> str:
    """Convert to simplified script with OpenCC, character for character (length preserved)."""
    if config == "none" or not text:
        return text
    conv = _converter(config)
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # Rare phrase entries change length: convert line by line, then char by char where needed.
    lines = text.split("\n")
    fixed = []
    for line in lines:
        c = conv.convert(line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := conv.convert(ch)) == 1 else ch for ch in line)
        fixed.append(c)
    return "\n".join(fixed)


@functools.lru_cache(maxsize=1)
def _script_sets() -> tuple[frozenset[str], frozenset[str]]:
    chars = "".join(chr(i) for i in range(0x4E00, 0xA000))
    t2s = to_simplified(chars, config="tw2s")
    s2t = _converter("s2t").convert(chars)
    trad = frozenset(a for a, b in zip(chars, t2s) if a != b)
    simp = frozenset(a for a, b in zip(chars, s2t) if a != b) - trad
    return trad, simp


def detect_script(text: str) -> Script:
    """Say whether text is simplified, traditional or mixed, from characters only one script uses."""
    trad_set, simp_set = _script_sets()
    sample = text[:500_000]
    t = sum(1 for ch in sample if ch in trad_set)
    s = sum(1 for ch in sample if ch in simp_set)
    if t + s == 0:
        return "simplified" if _CJK_RE.search(sample) else "unknown"
    share = t / (t + s)
    if share >= 0.85:
        return "traditional"
    if share <= 0.15:
        return "simplified"
    return "mixed"


@functools.lru_cache(maxsize=None)
def _boilerplate_res(extra: tuple[str, ...] = ()) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    spec = data_yaml("boilerplate.yaml")
    line_pats = list(spec["lines"]) + list(extra)
    try:
        line_re = re.compile("|".join(f"(?:{p})" for p in line_pats))
    except re.error as exc:
        raise ReportmineError("boilerplate patterns", f"bad regex: {exc}") from None
    block_re = re.compile("|".join(f"(?:{p})" for p in spec["block_starts"]))
    inline_re = re.compile("|".join(f"(?:{p})" for p in spec["inline"]))
    return line_re, block_re, inline_re


def _lines(text: str) -> Iterable[tuple[int, int, str]]:
    pos = 0
    for line in text.splitlines(keepends=True):
        yield pos, pos + len(line), line
        pos += len(line)


def _edits_strip_boilerplate(text: str, extra: tuple[str, ...] = ()) -> list[Edit]:
    """Delete web and download-site boilerplate: page headers, footers, related-document lists, page numbers."""
    line_re, block_re, inline_re = _boilerplate_res(extra)
    edits: list[Edit] = []
    in_block = False
    for a, b, line in _lines(text):
        body = line.strip()
        if in_block:
            if not body or (len(body) <= 40 and not any(p in body for p in "。；，")):
                edits.append((a, b, ""))
                continue
            in_block = False
        if body and block_re.match(body):
            in_block = True
            edits.append((a, b, ""))
        elif body and line_re.match(body):
            edits.append((a, b, ""))
        else:
            for m in inline_re.finditer(line):
                edits.append((a + m.start(), a + m.end(), ""))
    return edits


_NUMBERED_RE = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[篇章节条部分]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d+(?:\.\d+)*[、.．](?!\d)|[①-⑳]|[-—]\s*\d+\s*[-—]$)(?![》」”』])"
)
_DATE_LINE_RE = re.compile(r"^\s*[\d〇零一二三四五六七八九十OoＯxX×]{2,4}\s*年[\d〇零一二三四五六七八九十xX×\s]*月?")
_ORG_LINE_RE = re.compile(r"^\s*\S{2,30}(?:局|公司|分公司|支局|中心|部|处|室|所|站|网点|委员会|办公室)\s*$")
_PIECE_RE = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+篇")
_NUMBER_ONLY_RE = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+[条章节]\s*$")


def _edits_rejoin_lines(text: str) -> list[Edit]:
    """Rejoin lines broken mid-sentence (copied from PDF or Word): a line without closing punctuation
    is joined to the next unless the next is blank, a heading, a numbered item, a signature or a date."""
    edits: list[Edit] = []
    lines = list(_lines(text))
    for i, (a, b, line) in enumerate(lines[:-1]):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        nxt = lines[i + 1][2].strip()
        if not stripped or not nxt or stripped[-1] in _LINE_END_OK:
            continue
        if _NUMBERED_RE.match(nxt) or _DATE_LINE_RE.match(nxt) or _ORG_LINE_RE.match(nxt):
            continue
        if _PIECE_RE.match(stripped) or _PIECE_RE.match(nxt) or i == 0:
            continue  # never glue a title line to what follows
        if not (_NUMBER_ONLY_RE.match(stripped) or any(p in stripped for p in "，、,") or len(stripped) >= 25):
            continue  # a short line without commas is a title or a label, not a broken sentence
        if _DATE_LINE_RE.match(stripped) or _ORG_LINE_RE.match(stripped):
            continue
        # delete trailing spaces, the line break and the next line's indentation
        cut_start = a + len(body.rstrip())
        nb = lines[i + 1]
        cut_end = nb[0] + (len(nb[2]) - len(nb[2].lstrip(" \t\u3000")))
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
    """Clean and convert ``text`` to simplified script, keeping the offset map to the original."""
    script = detect_script(text)
    cur = text
    if fullwidth:
        cur = fullwidth_to_halfwidth(cur)
    if convert != "none" and script != "simplified":
        cur = to_simplified(cur, config=convert)
    n = len(cur)
    starts = np.arange(n, dtype=np.int64)
    ends = starts + 1
    enabled = {"pinyin": pinyin, "boilerplate": boilerplate, "cjk_spaces": cjk_spaces, "rejoin": rejoin}
    for name, edit_fn in STEPS.items():
        if not enabled[name]:
            continue
        edits = edit_fn(cur, tuple(extra_boilerplate)) if name == "boilerplate" else edit_fn(cur)
        new, s_idx, e_idx = _apply_edits(cur, edits)
        if s_idx is not None:
            starts, ends = starts[s_idx], ends[np.maximum(e_idx - 1, 0)] if len(e_idx) else ends[:0]
        cur = new
    return Normalized(cur, text, script, starts, ends)

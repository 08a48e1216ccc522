"""Simplified or traditional script: telling which a text is written in, and converting to simplified
with OpenCC, length preserved (line by line, clause by clause: see :mod:`reportmine.normalize`)."""
from __future__ import annotations

import functools
import re
from typing import Literal

import numpy as np

__all__ = ["Script", "Conversion", "CJK", "detect_script", "to_simplified"]

Script = Literal["simplified", "traditional", "mixed", "unknown"]
Conversion = Literal["tw2s", "hk2s", "t2s", "none"]

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")


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

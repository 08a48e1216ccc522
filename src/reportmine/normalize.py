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

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .cleaning import (_boilerplate_res, _edits_rejoin_lines, _edits_remove_cjk_spaces, _edits_remove_pinyin,
                       _edits_strip_boilerplate, fullwidth_to_halfwidth, rejoin_lines, remove_cjk_spaces, remove_pinyin,
                       strip_boilerplate)
from .edits import Edit, _apply_edits
from .script import Conversion, Script, _convert_lines, detect_script, to_simplified

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

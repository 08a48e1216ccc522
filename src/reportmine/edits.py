"""Edits (replace ``text[start:end]`` by a string) applied together, with the span of old text every new
character came from: the machinery of the offset map of :mod:`reportmine.normalize`."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

__all__ = ["Edit"]

Edit = tuple[int, int, str]  # replace text[start:end] by the string


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

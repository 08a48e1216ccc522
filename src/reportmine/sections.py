"""A report's body as numbered sections (levels in outline order, parents) and sentences, with offsets
into the original text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from .normalize import Normalized
from .numbering import _logical_lines, _number_at

__all__ = ["Sentence", "Section", "split_sentences"]


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


_CLOSING_PARA = re.compile(r"^(?:今后|通过(?:本次|此次|这次)|总之|综上|下一步|从以上|总的来看|此次检查|本次检查|经过(?:本次|此次))")
_OPEN_Q, _CLOSE_Q = "“‘「『《(（", "”’」』》)）"
_SENT_END = "。！？；!?;"
_BRACKET_PAIRS = [(o, c) for o, c in zip(_OPEN_Q, _CLOSE_Q) if o not in "“‘"]
# the characters split_sentences acts on (quotes, sentence ends, line breaks): it skips to the next one
_SENT_SPECIAL = re.compile("[" + re.escape(_OPEN_Q + _CLOSE_Q + _SENT_END) + "\n]")
_HEADING_END = re.compile(r"[：:。；;！？!?]")


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
            a, b = _strip_span(text, pos, stop)
            if b > a:
                yield a, b
            pos = i = j
            continue
        i += 1
    a, b = _strip_span(text, pos, end)
    if b > a:
        yield a, b


def _strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    """text[a:b] without its leading and trailing white space, as a span."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


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

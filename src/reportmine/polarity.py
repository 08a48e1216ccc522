"""Polarity of a mention from its clause: negation (with scope), requirement, or observation.

The cue lists live in ``data/cues.yaml``; this module only turns them into decisions. A negation governs
its own clause (or a few characters after a near negator such as 无/没有), never the next clause.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ._data import data_yaml

__all__ = ["ClauseContext", "clause_context", "firm_requirement", "decide_polarity", "is_future", "cue_lists", "clauses", "contrasts"]

_CLAUSE_SPLIT = re.compile(r"[，,：:；;]")
_NEAR_GAP = 2
_CHECK_REACH = 6  # a check word at most this many characters after the cue, in its clause
_FRAME_REACH = 20  # a frame noun at most this many characters after the cue


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans of text[start:end] (split at ，：；), outer whitespace trimmed."""
    out, pos = [], start
    for m in _CLAUSE_SPLIT.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(a, b) for a, b in out if b > a] or [(start, end)]


def _alternation(words: list[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


@functools.lru_cache(maxsize=1)
def cue_lists() -> dict:
    """Compiled cue lists, built once."""
    d = data_yaml("cues.yaml")
    return {
        "neg_scope": _alternation(d["negation_scope"]),
        "neg_near": _alternation(d["negation_near"]),
        "violation": _alternation(d["violation_after_negator"]),
        "neg_post": re.compile(d["negation_post"]),
        "neg_frame": re.compile(d["negation_frame"]),
        "frame_nouns": _alternation(d["frame_nouns"]),
        "continuation": _alternation(d["continuation_markers"]),
        "post_check": re.compile(rf"^[^，,；;。]{{0,{_CHECK_REACH}}}?(?:{_alternation(d['check_words']).pattern})"),
        "future_start": re.compile(rf"^\s*(?:{_alternation(d['future_start']).pattern})"),
        "contrast": _alternation(d["contrast_markers"]),
        "req": _alternation(d["requirement_strong"]),
        "req_firm": frozenset(d["requirement_firm"]),
        "req_firm_any": _alternation(d["requirement_firm"]),
        "req_exclude": _alternation(d["requirement_exclude"]),
        "found": _alternation(d["found_markers"]),
        "cue_found": _alternation(d["cue_found_markers"]),
        "problem": _alternation(d["problem_words"]),
        "future": _alternation(d["future_markers"]),
        "future_exclude": _alternation(d["future_exclude"]),
        "future_headings": _alternation(d["future_headings"]),
        "doc_type_title": d["doc_type_title"],
        "doc_type_title_signed": d.get("doc_type_title_signed", {}),
        "inspection_words": _alternation(d["inspection_words"]),
        "essay_words": _alternation(d["essay_words"]),
    }


def _hits(pat: re.Pattern, text: str, exclude: re.Pattern | None = None) -> list[re.Match]:
    hits = list(pat.finditer(text))
    if exclude is None or not hits:
        return hits
    bad = [(m.start(), m.end()) for m in exclude.finditer(text)]
    return [h for h in hits if not any(a <= h.start() and h.end() <= b or a < h.end() and h.start() < b for a, b in bad)]


@dataclass(frozen=True)
class ClauseContext:
    """What a clause says about the mentions in it (outside of the cue itself)."""

    firm_req: bool
    weak_req: bool
    found: bool


def firm_requirement(text: str) -> bool:
    """``clause_context(text).firm_req``, quicker: no firm word in the text, no firm requirement."""
    c = cue_lists()
    if not c["req_firm_any"].search(text):
        return False
    return any(h.group(0) in c["req_firm"] for h in _hits(c["req"], text, c["req_exclude"]))


def clause_context(text: str) -> ClauseContext:
    """Requirement and observation markers anywhere in a clause."""
    c = cue_lists()
    reqs = _hits(c["req"], text, c["req_exclude"])
    firm = any(h.group(0) in c["req_firm"] for h in reqs)
    return ClauseContext(firm, bool(reqs) and not firm, bool(c["found"].search(text)))


def _negated(pre: str, post: str) -> bool:
    c = cue_lists()
    if c["neg_scope"].search(pre):
        return True
    tail = pre[-(_NEAR_GAP + 2):]
    for m in c["neg_near"].finditer(tail):
        after = len(pre) - len(tail) + m.end()  # where the negator ends, in pre + post
        if len(tail) - m.end() <= _NEAR_GAP and not c["violation"].match(pre + post, after):
            return True
    if c["neg_post"].search(post):
        return True
    # 无……情况/现象 frame: 无挪用代收资金的情况
    if c["neg_frame"].search(pre) and c["frame_nouns"].search(post[:_FRAME_REACH]):
        return True
    return False


def decide_polarity(
    pre: str,
    post: str,
    *,
    topic: bool,
    inherited: str | None,
    heading_ctx: str | None,
    inherit_negation: bool = False,
    cue: str = "",
) -> tuple[str | None, bool]:
    """Polarity of a cue given the clause text before (``pre``) and after (``post``) it, and the cue's own
    words (``cue``: 设备时常出现故障 holds its observation).

    ``inherited`` is the polarity an earlier clause of the sentence distributes (requirement or found),
    ``heading_ctx`` what the section heading implies. Returns ``(polarity, certain)``: polarity None for
    a topic word with no context; certain when an explicit negation, requirement or observation cue decides.
    """
    c = cue_lists()
    pre_reqs = _hits(c["req"], pre, c["req_exclude"])
    firm_pre = any(h.group(0) in c["req_firm"] for h in pre_reqs)
    post_firm = bool(c["post_check"].match(post))
    if firm_pre or post_firm:
        return "requirement", True
    if _negated(pre, post) or inherit_negation:
        return "not_found", True
    clause = pre + post
    found_marker = bool(c["found"].search(clause)) or (not topic and observed_in_cue(cue))
    problem = bool(c["problem"].search(clause))
    if pre_reqs and not found_marker:
        return "requirement", False
    if found_marker or problem:
        return "found", found_marker
    if inherited:
        return inherited, False
    if heading_ctx:
        return heading_ctx, False
    return (None if topic else "found"), False


def observed_in_cue(cue: str) -> bool:
    """True when a cue's own words report an observation (设备时常出现故障, 偶有搭售): such a cue is found
    whatever the learned model says (on the train split 7 of the 8 such cues read as found are gold found)."""
    return bool(cue_lists()["cue_found"].search(cue))


def is_future(text_before: str, *, sentence: str = "", heading: str | None = None) -> bool:
    """True when an action is only promised (今后将…, 下一步, 拟…) rather than taken."""
    c = cue_lists()
    if _hits(c["future"], text_before, c["future_exclude"]):
        return True
    if sentence and c["future_start"].match(sentence):
        return True
    return bool(heading and c["future_headings"].search(heading))


def contrasts(clause_text: str) -> bool:
    """A clause opening with a contrast (但…, 惟…): after a negated clause, it reports a problem."""
    return bool(cue_lists()["contrast"].match(clause_text.strip()))


def continues(clause_text: str) -> bool:
    """A clause that continues the previous one's list (以及…, 和…) shares its negation."""
    return bool(cue_lists()["continuation"].match(clause_text.strip()))

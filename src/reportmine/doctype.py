"""Document type of a report: inspection_summary / regulation / essay / other.

Rules where they are certain (the head noun of the title: 总结, 办法, 心得体会 ...); otherwise a
scikit-learn model over title, opening text and structure features, trained on the gold corpus.
"""
from __future__ import annotations

import functools
import re

import ahocorasick

from .polarity import cue_lists
from .structure import Report

__all__ = ["doc_type_by_title", "doc_type_features", "rule_doc_type"]

_PAREN = re.compile(r"[（(【\[][^）)】\]]{0,12}[）)】\]]")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百\d]+条")
_FOUND_HINT = re.compile(r"检查发现|存在[^，。]{0,12}问题|自查")


@functools.lru_cache(maxsize=1)
def _title_words() -> tuple[ahocorasick.Automaton, tuple[tuple[str, str, re.Pattern, bool], ...]]:
    """(doc_type, keyword, its compiled literal pattern, signed only) of the title keywords, in cue-list
    order (the signed-only ones last), and an automaton that finds which of them (their indices in that
    order) a title holds."""
    cues = cue_lists()
    words = tuple((dtype, w, re.compile(re.escape(w)), signed)
                  for key, signed in (("doc_type_title", False), ("doc_type_title_signed", True))
                  for dtype, ws in cues[key].items() for w in ws)
    auto = ahocorasick.Automaton()
    for i, (_, w, _, _) in enumerate(words):
        if w not in auto:
            auto.add_word(w, [])
        auto.get(w).append(i)
    auto.make_automaton()
    return auto, words


def doc_type_by_title(title: str | None, *, signed: bool = False) -> str | None:
    """The type named by the title's head noun (the keyword that ends last), or None; ``signed``: the
    report names its unit or date, so that the signed-only keywords (a rectification plan) count too."""
    if not title:
        return None
    t = _PAREN.sub("", title).strip()
    best: tuple[int, int, str] | None = None
    auto, words = _title_words()
    present = sorted({i for _, idx in auto.iter(t) for i in idx})  # in cue-list order, as ties are settled
    for i in present:
        dtype, w, pat, signed_only = words[i]
        if signed_only and not signed:
            continue
        for m in pat.finditer(t):
            key = (m.end(), len(w), dtype)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


def _signed(report: Report) -> bool:
    """Whether the report names the unit that wrote it or its date."""
    return bool(report.org or report.date)


def doc_type_features(report: Report) -> str:
    """A text summary of a report for the document-type model: title, structure tokens, opening."""
    text = report.norm.text[report.nstart: report.nend]
    n_article = len(re.findall(r"第[一二三四五六七八九十百\d]+条", text))
    n_found = len(re.findall(r"检查发现|存在[^，。]{0,10}问题|发现", text))
    n_req = len(re.findall(r"严禁|不得|必须|应当|禁止", text))
    tokens = [
        f"__title_{doc_type_by_title(report.title, signed=_signed(report)) or 'none'}",
        f"__org_{'yes' if report.org else 'no'}",
        f"__date_{'yes' if report.date else 'no'}",
        f"__addr_{'yes' if report.addressee else 'no'}",
        f"__articles_{min(n_article, 5)}",
        f"__found_{min(n_found, 5)}",
        f"__req_{min(n_req, 5)}",
    ]
    return " ".join(tokens) + " " + (report.title or "") + " " + text[:400]


def rule_doc_type(report: Report) -> tuple[str, bool]:
    """(doc_type, certain): certain when the title names the type."""
    by_title = doc_type_by_title(report.title, signed=_signed(report))
    text = report.norm.text[report.nstart: report.nend]
    cues = cue_lists()
    if not (report.org or report.date or report.addressee) and not cues["inspection_words"].search(text):
        # nobody signed it, nothing was inspected: an essay or something else, never a summary
        return ("essay" if cues["essay_words"].search(text) else by_title or "other"), True
    if by_title:
        return by_title, True
    if len(_ARTICLE.findall(text)) >= 3:
        return "regulation", False
    if _FOUND_HINT.search(text) and (report.org or report.addressee):
        return "inspection_summary", False
    return "other", False

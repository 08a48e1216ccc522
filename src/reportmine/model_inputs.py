"""What the learned model sees (:mod:`reportmine.model`): per sentence its text and the rule candidates as
tokens, the clause spans the clause models score, and the polarity model's inputs for a (sentence,
category). One module, so that training (:mod:`reportmine.training`) and inference build them alike."""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .polarity import clauses

if TYPE_CHECKING:
    from .structure import Report

__all__ = ["clause_units"]


def _words(text: str) -> list[str]:
    """Word unigrams and bigrams from the private jieba tokenizer with the postal dictionary."""
    from .segment import cut

    toks = [t for t in cut(text) if t.strip()]
    return toks + [a + "_" + b for a, b in zip(toks, toks[1:])]


def _sentence_units(extractor, report: "Report", doc_type: str):
    """Per sentence: (sentence, rule tokens, {category: [candidates]}, {action: [candidates]})."""
    cands = list(extractor.candidates(report, doc_type))
    by_sent: dict[int, list] = defaultdict(list)
    for c in cands:
        by_sent[c.sentence.nstart].append(c)
    for si, section in enumerate(report.sections):
        heading = f"H_{extractor._heading_context(section, report) or 'none'}"
        for sent in section.sentences:
            cs = by_sent.get(sent.nstart, [])
            n = len(sent.text)
            toks = [f"D_{doc_type}", heading,
                    f"LEN_{'s' if n < 16 else 'm' if n < 40 else 'l'}",
                    f"HEAD_{bool(section.number) and sent is section.sentences[0]}"]
            cats: dict[str, list] = defaultdict(list)
            acts: dict[str, list] = defaultdict(list)
            for c in cs:
                if c.kind == "category":
                    toks += [f"{'C' if c.role == 'cue' else 'T'}_{c.id}", f"R_{c.id}_{c.rule}", f"P_{c.rule}"]
                    cats[c.id].append(c)
                else:
                    toks += [f"A_{c.id}", f"AP_{c.rule}"]
                    acts[c.id].append(c)
            yield sent, " ".join(toks), cats, acts


def clause_units(text: str, start: int, end: int, *, pairs: bool = True) -> list[tuple[int, int, bool]]:
    """The spans the clause models score in a sentence, as (start, end, single): its clauses (single) and,
    with ``pairs``, each two adjacent clauses (not single)."""
    cl = clauses(text, start, end)
    units = [(a, b, True) for a, b in cl]
    if pairs:
        units += [(a[0], b[1], False) for a, b in zip(cl, cl[1:])]
    return units


def _pol_tokens(category: str, cands: list, doc_type: str) -> str:
    """Rule tokens of a (sentence, category) row of the polarity model."""
    return f"CAT_{category} " + " ".join(f"R_{c.rule}" for c in cands) + f" D_{doc_type}"


def _pol_features(sent, category: str, cands: list, doc_type: str) -> tuple[str, str, str]:
    """The polarity model's inputs for a (sentence, category): the sentence, a window around the first cue,
    and the rule tokens; one function, so that training and inference build them alike."""
    return sent.text, _window(sent.text, cands, sent.nstart), _pol_tokens(category, cands, doc_type)


def _window(sent_text: str, cands: list, offset: int) -> str:
    if not cands:
        return sent_text
    c = cands[0]
    a = c.clause[0] - offset
    return (c.pre[-14:] + "|" + c.cue + "|" + c.post[:10]) if a >= 0 else sent_text

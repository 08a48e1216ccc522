"""Extraction: findings (category + polarity) and remedial actions of a structured report.

Cues are found with one Aho-Corasick automaton per taxonomy (built once) plus regex patterns for
discontinuous expressions; polarity comes from the clause (see :mod:`reportmine.polarity`); an optional
learned model (see :mod:`reportmine.model`) re-scores rule decisions.
"""
from __future__ import annotations

import bisect
import functools
import logging
import re
from dataclasses import dataclass
from typing import Iterator

import ahocorasick

from .action_fields import parse_money, party_of
from .doctype import rule_doc_type
from .polarity import clauses, continues, contrasts, decide_polarity, firm_requirement, is_future
from .structure import Report, Section, Sentence
from .taxonomy import PATTERN_TIMEOUT, Taxonomy, default_taxonomy

__all__ = ["Finding", "Action", "Extraction", "Candidate", "Extractor", "extract", "parse_money"]

log = logging.getLogger(__name__)
_QUOTED = re.compile(r"《[^》]{0,80}》")
_RESULT_REACH = 16  # a clause after a colon this short is the result of the label before it
_DISTRIBUTES_FOUND = re.compile(r"检查发现|检查中发现|发现|存在(?:以下|如下|的)?(?:主要)?问题")
_HEADING_FOUND = re.compile(r"存在的(?:主要)?问题|发现的问题|主要问题|问题及|检查发现|存在问题")
_HEADING_REQUIREMENT = re.compile(r"要求|下一步|今后|工作打算|措施|建议|目标|禁止|职责")


@dataclass(frozen=True)
class Finding:
    """A mention of a category with its polarity; ``start``/``end`` index the original text."""

    category: str
    polarity: str
    text: str
    original: str
    start: int
    end: int
    section: int | None
    cue: str
    score: float = 1.0


@dataclass(frozen=True)
class Action:
    """A remedial action; ``finding`` indexes the report's findings (the problem it answers)."""

    type: str
    text: str
    original: str
    start: int
    end: int
    amount_yuan: float | None
    party: str | None
    finding: int | None
    planned: bool
    section: int | None
    cue: str


@dataclass(frozen=True)
class Candidate:
    """A cue occurrence with its context, before a decision (also the learned model's input)."""

    kind: str  # category | action
    id: str
    role: str  # cue | topic
    cue: str
    sentence: Sentence
    section_index: int
    clause: tuple[int, int]  # normalized span
    pre: str
    post: str
    rule: str | None  # rule polarity (findings) or "planned"/"taken" (actions); None = rule says no
    certain: bool = False  # an explicit negation / requirement / observation cue decided the polarity


@dataclass(frozen=True)
class Extraction:
    """A report with its document type, findings and actions."""

    report: Report
    doc_type: str
    findings: tuple[Finding, ...]
    actions: tuple[Action, ...]

    def to_dict(self) -> dict:
        """The ``extract`` output record: the ``parse`` fields plus doc_type, findings, actions."""
        d = self.report.to_dict()
        d["doc_type"] = self.doc_type
        d["findings"] = [
            {k: getattr(f, k) for k in ("category", "polarity", "text", "original", "start", "end", "section")}
            for f in self.findings
        ]
        d["actions"] = [
            {k: getattr(a, k) for k in ("type", "text", "original", "start", "end", "amount_yuan", "party", "finding", "planned")}
            for a in self.actions
        ]
        return d


def _automaton(tax: Taxonomy) -> tuple[ahocorasick.Automaton, dict[str, list]]:
    """The taxonomy's Aho-Corasick automaton and its regex patterns, built once per taxonomy.

    The automaton finds cues, topics and exclusions, and the words that tell which regex patterns may
    match a text at all: every match of a pattern holds a word of each of its groups
    (:func:`reportmine.taxonomy.required_literals`). Groups of words of two characters or more get a bit
    each. A word maps to ``(word, ((kind, id, role), ...), bits of the groups that hold it)``.

    Patterns, per kind (categories, actions): ``(id, compiled pattern, bits needed, other groups)``, the
    other groups (with single characters, too common to look for in the automaton) being checked with
    ``in``."""
    cached = tax._compiled.get("automaton")
    if cached is not None:
        return cached
    table: dict[str, list[tuple[str, str, str]]] = {}
    for kind, entries in (("category", tax.categories), ("action", tax.actions)):
        for e in entries.values():
            for role, words in (("cue", e.cues), ("topic", e.topics), ("exclude", e.exclude)):
                for w in words:
                    table.setdefault(w, []).append((kind, e.id, role))
    gated: dict[str, list] = {}
    bits: dict[str, int] = {}  # word -> bits of the pattern groups that hold it
    n_groups = 0
    for attr in ("categories", "actions"):
        gated[attr] = []
        for cid, pat, required in tax.prefiltered_patterns(attr):
            need = 0
            other = []
            for group in required:
                if all(len(w) >= 2 for w in group):
                    for w in group:
                        bits[w] = bits.get(w, 0) | 1 << n_groups
                    need |= 1 << n_groups
                    n_groups += 1
                else:
                    other.append(group)
            gated[attr].append((cid, pat, need, tuple(other)))
    auto = ahocorasick.Automaton()
    for word in list(table) + sorted(set(bits) - set(table)):
        auto.add_word(word, (word, tuple(table.get(word, ())), bits.get(word, 0)))
    auto.make_automaton()
    tax._compiled["automaton"] = auto, gated
    return auto, gated


class Extractor:
    """Extracts findings and actions; holds the taxonomy's automaton and the optional learned model."""

    def __init__(self, taxonomy: Taxonomy | None = None, *, model: object | None = "default") -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        self._model = model

    @property
    def model(self):
        """The learned re-scorer (trained lazily from shipped data), or None for rules only."""
        if self._model == "default":
            from .model_cache import default_model

            self._model = default_model()
        return self._model

    # ---------------------------------------------------------------- candidates
    def _matches(self, text: str, a: int, b: int) -> list[tuple[int, int, str, str, str, str]]:
        """(start, end, kind, id, role, cue) in normalized text[a:b], exclusions applied."""
        seg = text[a:b]
        raw: list[tuple[int, int, str, str, str, str]] = []
        # matches are told apart by id (a loaded taxonomy never uses one id for a category and an action)
        by_id = not set(self.taxonomy.categories) & set(self.taxonomy.actions)
        excl: dict = {}  # id -> spans of its exclusions
        present = 0  # bits of the pattern word groups that occur in seg
        auto, gated = _automaton(self.taxonomy)
        for end_idx, (word, values, mask) in auto.iter(seg):
            present |= mask
            if not values:
                continue
            s, e = a + end_idx - len(word) + 1, a + end_idx + 1
            for kind, cid, role in values:
                if role == "exclude":
                    excl.setdefault(cid if by_id else (kind, cid), []).append((s, e))
                else:
                    raw.append((s, e, kind, cid, role, word))
        for kind, attr in (("category", "categories"), ("action", "actions")):
            for cid, pat, need, other in gated[attr]:
                if need & ~present or other and not all(any(w in seg for w in group) for group in other):
                    continue  # a word group that every match holds does not occur: no match
                try:
                    for m in pat.finditer(seg, timeout=PATTERN_TIMEOUT):
                        raw.append((a + m.start(), a + m.end(), kind, cid, "cue", m.group(0)))
                except TimeoutError:
                    log.warning("pattern %r of %s abandoned on a sentence (time limit)", pat.pattern, cid)
        quoted = [(a + m.start(), a + m.end()) for m in _QUOTED.finditer(seg)]  # non-overlapping, sorted
        q_starts = [q[0] for q in quoted]
        kept = []
        for m in raw:
            s, e, kind, cid, _role, _w = m
            spans = excl.get(cid if by_id else (kind, cid))
            if spans and any(xs <= s and e <= xe for xs, xe in spans):
                continue
            if quoted:
                qi = bisect.bisect_left(q_starts, s) - 1
                if qi >= 0 and quoted[qi][0] < s and e < quoted[qi][1]:
                    continue  # inside a document name 《…》
            kept.append(m)
        # drop a match contained in a longer one of the same id (cue preferred over topic): one sweep in
        # start order, remembering per id the furthest end of a kept cue and of any kept match
        kept.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        out = []
        reach_cue: dict = {}
        reach_any: dict = {}
        for m in kept:
            cid, e = m[3] if by_id else (m[2], m[3]), m[1]
            if e <= reach_cue.get(cid, -1) or (m[4] == "topic" and e <= reach_any.get(cid, -1)):
                continue
            out.append(m)
            if e > reach_any.get(cid, -1):
                reach_any[cid] = e
            if m[4] == "cue" and e > reach_cue.get(cid, -1):
                reach_cue[cid] = e
        return out

    def candidates(self, report: Report, doc_type: str) -> Iterator[Candidate]:
        """Every cue occurrence in the report with its clause context and rule decision."""
        for row in self._candidate_rows(report):
            yield Candidate(*row)

    def _candidate_rows(self, report: Report) -> Iterator[tuple]:
        """The fields of :meth:`candidates`, as tuples (what the rules alone need, without the objects)."""
        text = report.norm.text
        # one pass of the automaton and the patterns over the report, then bucketed by sentence
        all_matches = self._matches(text, report.nstart, report.nend)
        starts = [m[0] for m in all_matches]
        for si, section in enumerate(report.sections):
            heading_ctx: str | None | bool = False  # False: not computed yet
            for sent in section.sentences:
                lo, hi = bisect.bisect_left(starts, sent.nstart), bisect.bisect_left(starts, sent.nend)
                matches = [m for m in all_matches[lo:hi] if m[1] <= sent.nend]
                if not matches:
                    continue
                cls = clauses(text, sent.nstart, sent.nend)
                clause_starts = [ca for ca, _ in cls]
                by_clause: dict[int, list] = {}
                # the state carried from clause to clause (negation, distributed polarity) only matters up to
                # the last clause with a category mention
                last_cat = -1
                for m in matches:  # the clause the match starts in (clauses are sorted and disjoint), else the last
                    i = bisect.bisect_right(clause_starts, m[0]) - 1
                    ci = i if i >= 0 and m[0] < cls[i][1] else len(cls) - 1
                    by_clause.setdefault(ci, []).append(m)
                    if m[2] == "category" and ci > last_cat:
                        last_cat = ci
                inherited: str | None = None
                prev_neg = seen_neg = False
                for ci in range(max(by_clause) + 1):
                    ca, cb = cls[ci]
                    if ci <= last_cat:
                        ctext = text[ca:cb]
                        share_neg = prev_neg and continues(ctext)
                        turn = seen_neg and contrasts(ctext)  # 未发现…，但…: the contrast reports a problem
                    clause_neg = False
                    # a label and its result (搭售及强行办理业务：各网点均未发现): the short result after the colon
                    # is read with the label's clause
                    post_end = cls[ci + 1][1] if ci + 1 < len(cls) and text[cb:cb + 1] in "：:" \
                        and cls[ci + 1][1] - cls[ci + 1][0] <= _RESULT_REACH else cb
                    for s, e, kind, cid, role, word in by_clause.get(ci, ()):
                        pre, post = text[ca:s], text[e:post_end]
                        if kind == "category":
                            if heading_ctx is False:
                                heading_ctx = self._heading_context(section, report)
                            pol, certain = decide_polarity(pre, post, topic=role == "topic", inherited=inherited,
                                                           heading_ctx=heading_ctx, inherit_negation=share_neg, cue=word)
                            if turn and not certain and pol in (None, "found"):
                                pol, certain = "found", True
                            clause_neg = clause_neg or pol == "not_found"
                            rule = pol
                        else:
                            sentence_before = text[max(sent.nstart, s - 40):s]
                            rule = "planned" if is_future(sentence_before, sentence=sent.text, heading=section.heading) else "taken"
                            certain = False
                        yield kind, cid, role, word, sent, si, (ca, cb), pre, post, rule, certain
                    if ci < last_cat:
                        prev_neg = clause_neg or share_neg
                        seen_neg = seen_neg or prev_neg
                        inherited = self._distributes(ctext) or inherited

    @staticmethod
    def _distributes(clause_text: str) -> str | None:
        if firm_requirement(clause_text):
            return "requirement"
        if _DISTRIBUTES_FOUND.search(clause_text):
            return "found"
        return None

    @staticmethod
    def _heading_context(section: Section, report: Report) -> str | None:
        h = section.heading or ""
        if _HEADING_FOUND.search(h):
            return "found"
        if _HEADING_REQUIREMENT.search(h):
            return "requirement"
        return None

    # ---------------------------------------------------------------- decisions
    def doc_type(self, report: Report) -> str:
        """The document type: by rules, and by the model only where rules have no evidence at all."""
        doc_type, certain = rule_doc_type(report)
        if self.model is not None and not certain and doc_type == "other":
            doc_type = self.model.doc_type(report, doc_type)
        return doc_type

    def extract(self, report: Report) -> Extraction:
        """Findings, actions and document type of one report."""
        doc_type = self.doc_type(report)
        model = self.model
        no_found = doc_type in ("regulation", "essay")
        fdec: list[tuple] = []  # (sentence, section, category, polarity, (a, b), cue, score)
        adec: list[tuple] = []  # (sentence, section, type, planned, anchor (a, b), cue, evidence (a, b))
        if model is None:
            for kind, cid, _role, cue, sent, si, clause, _pre, _post, rule, _certain in self._candidate_rows(report):
                if rule is None:
                    continue
                if kind == "category":
                    fdec.append((sent, si, cid, rule, clause, cue, 1.0))
                else:
                    adec.append((sent, si, cid, rule == "planned", clause, cue, clause))
        else:
            sec_of = {s.nstart: i for i, sec in enumerate(report.sections) for s in sec.sentences}
            for sent, cats, acts in model.decide_sentences(self, report, doc_type):
                si = sec_of.get(sent.nstart, 0)
                mixed = {cat for cat, pol, cs, prob in cats if sum(1 for x in cats if x[0] == cat) > 1}
                for cat, pol, cs, prob in cats:
                    # evidence is the sentence, or the clauses of each polarity where a sentence is mixed
                    spans = [c.clause for c in cs] if cat in mixed and cs else [(sent.nstart, sent.nend)]
                    for span in spans:
                        fdec.append((sent, si, cat, pol, span, cs[0].cue if cs else "", prob))
                for act, planned, cs, prob in acts:
                    # the model decides per sentence: the sentence is the evidence, the cue's clause (if any)
                    # the anchor that amount, party and the answered finding are read from
                    whole = (sent.nstart, sent.nend)
                    c = cs[0] if cs else None
                    if planned is None:
                        planned = is_future(sent.text, sentence=sent.text, heading=report.sections[si].heading)
                    adec.append((sent, si, act, planned, c.clause if c else whole, c.cue if c else "", whole))
        if no_found:
            fdec = [(s, si, cat, "requirement" if pol == "found" else pol, sp, cue, sc) for s, si, cat, pol, sp, cue, sc in fdec]
            adec = []
        return self._assemble(report, doc_type, fdec, adec)

    def _assemble(self, report: Report, doc_type: str, fdec: list[tuple], adec: list[tuple]) -> Extraction:
        norm = report.norm
        text = norm.text
        merged: dict[tuple, list] = {}
        for sent, si, cat, pol, span, cue, score in fdec:
            merged.setdefault((sent.nstart, cat, pol), []).append((si, span, cue, score))
        findings = []
        for (_s, cat, pol), items in merged.items():
            a = min(sp[0] for _, sp, _, _ in items)
            b = max(sp[1] for _, sp, _, _ in items)
            oa, ob = norm.to_original(a, b)
            findings.append(Finding(cat, pol, text[a:b], norm.original[oa:ob], oa, ob, items[0][0], items[0][2],
                                    max(sc for *_, sc in items)))
        findings.sort(key=lambda f: (f.start, f.category, f.polarity))
        actions = []
        seen = set()
        link_of = self._linker(findings)
        sent_party: dict[int, str | None] = {}
        for sent, si, aid, planned, (a, b), cue, (ea, eb) in adec:
            if (sent.nstart, aid) in seen:
                continue
            seen.add((sent.nstart, aid))
            oa = norm.to_original(a, b)[0]
            clause_text = text[a:b]
            amount = None
            if aid in ("fine", "administrative_penalty"):
                amount = parse_money(clause_text) or parse_money(sent.text)
            party = party_of(clause_text)
            if not party:  # the sentence's (the same for each of its actions)
                if sent.nstart not in sent_party:
                    sent_party[sent.nstart] = party_of(sent.text)
                party = sent_party[sent.nstart]
            link = link_of(si, (sent.start, sent.end), oa)  # a sentence's start/end: to_original(nstart, nend)
            sa, sb = norm.to_original(ea, eb)
            actions.append(Action(aid, text[ea:eb], norm.original[sa:sb], sa, sb, amount, party, link, bool(planned), si, cue))
        actions.sort(key=lambda x: (x.start, x.type))
        return Extraction(report, doc_type, tuple(findings), tuple(actions))

    @staticmethod
    def _linker(findings: list[Finding]):
        """``link(section_index, sentence_span, action_start)``: the finding an action answers, the last
        'found' finding of its sentence that starts before it, else the last of its section; None if none.
        Findings are sorted by start, so "last" is found by bisection."""
        f_starts: list[int] = []  # 'found' findings: starts and indices, in order
        f_index: list[int] = []
        by_section: dict[int | None, tuple[list[int], list[int]]] = {}
        for i, f in enumerate(findings):
            if f.polarity == "found":
                f_starts.append(f.start)
                f_index.append(i)
                starts, index = by_section.setdefault(f.section, ([], []))
                starts.append(f.start)
                index.append(i)

        def link(section_index: int, sent_span: tuple[int, int], action_start: int) -> int | None:
            sa, sb = sent_span
            k = bisect.bisect_right(f_starts, min(sb - 1, action_start))  # start < sb and start <= action_start
            if k and f_starts[k - 1] >= sa:
                return f_index[k - 1]
            starts, index = by_section.get(section_index, ((), ()))
            k = bisect.bisect_right(starts, action_start)
            return index[k - 1] if k else None

        return link


@functools.lru_cache(maxsize=4)
def _default_extractor(use_model: bool) -> Extractor:
    return Extractor(model="default" if use_model else None)


def extract(report: Report, *, taxonomy: Taxonomy | None = None, use_model: bool = True) -> Extraction:
    """Extract findings and actions of one report (default taxonomy and model cached per process)."""
    if taxonomy is None:
        return _default_extractor(use_model).extract(report)
    return Extractor(taxonomy, model="default" if use_model else None).extract(report)

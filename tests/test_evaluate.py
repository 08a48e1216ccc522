"""The evaluator: matching, counts and gold-file errors."""
from __future__ import annotations

import json

import pytest

from reportmine.errors import GoldError
from reportmine.evaluate import EvalResult, GoldReport, load_gold, score
from reportmine.extract import Action, Extraction, Finding


class _R:  # the parts of a Report the scorer reads
    def __init__(self, date=None, org=None):
        self.date, self.org = date, org


def _ex(findings=(), actions=(), doc_type="inspection_summary"):
    return Extraction(_R(), doc_type,
                      tuple(Finding(c, p, "", "", s, e, 0, "") for c, p, s, e in findings),
                      tuple(Action(t, "", "", s, e, None, None, None, False, 0, "") for t, s, e in actions))


def test_overlap_matching_counts():
    gold = [GoldReport("f.txt", 0, "inspection_summary", None, None, None,
                       (("backlog", "found", 10, 14), ("backlog", "not_found", 30, 34), ("misrouting", "found", 50, 52)),
                       (("fine", 60, 66, False, 200),))]
    pred = {"f.txt": [_ex(findings=[("backlog", "found", 5, 20),      # tp
                                    ("backlog", "found", 28, 40),     # fp: wrong polarity
                                    ("misrouting", "found", 53, 60)], # fp: no overlap -> gold misrouting fn
                          actions=[("fine", 58, 70)])]}
    res = score(gold, pred)
    assert res.findings[("backlog", "found")] == {"tp": 1, "fp": 1}
    assert res.findings[("backlog", "not_found")] == {"fn": 1}
    assert res.findings[("misrouting", "found")] == {"fp": 1, "fn": 1}
    assert res.actions["fine"] == {"tp": 1}
    assert res.doc_type == {"total": 1, "correct": 1}
    p, r, f = EvalResult.prf(res.findings[("backlog", "found")])
    assert (p, r) == (0.5, 1.0)


def test_each_gold_mention_matches_once():
    gold = [GoldReport("f.txt", 0, "other", None, None, None, (("backlog", "found", 0, 10),), ())]
    pred = {"f.txt": [_ex(findings=[("backlog", "found", 0, 5), ("backlog", "found", 5, 10)], doc_type="essay")]}
    res = score(gold, pred)
    assert res.findings[("backlog", "found")] == {"tp": 1, "fp": 1}
    assert res.doc_type == {"total": 1, "correct": 0}


def test_bad_gold_names_file_and_line(tmp_path):
    g = tmp_path / "gold"
    g.mkdir()
    (g / "x.jsonl").write_text(json.dumps({"file": "a.txt", "report": 0, "doc_type": "other"}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(GoldError) as err:
        load_gold(g)
    assert err.value.line == 2 and "x.jsonl" in err.value.path


def test_split_needs_split_file(tmp_path):
    g = tmp_path / "gold"
    g.mkdir()
    (g / "x.jsonl").write_text(json.dumps({"file": "a.txt", "report": 0, "doc_type": "other"}) + "\n", encoding="utf-8")
    assert len(load_gold(g)[0]) == 1
    with pytest.raises(GoldError):
        load_gold(g, split="test")

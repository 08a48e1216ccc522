"""Extraction on the five real seed documents (regression inputs; skipped where ../shared is absent)."""
from __future__ import annotations

import pytest

from reportmine.io import read_document
from reportmine.pipeline import process_document


@pytest.fixture(scope="module")
def extracted(seed):
    """Extractions per seed prefix, computed once."""
    cache: dict[str, list] = {}

    def get(prefix: str):
        if prefix not in cache:
            res = process_document(read_document(seed(prefix)))
            assert res.skipped is None, res.skipped
            cache[prefix] = list(res.extractions)
        return cache[prefix]

    return get


def _has(ex, category, polarity):
    return any(f.category == category and f.polarity == polarity for f in ex.findings)


@pytest.mark.parametrize("category", ["missing_date_stamp", "info_upload_delay", "forced_selling", "backlog"])
def test_000_report1_finds(extracted, category):
    assert _has(extracted("000")[0], category, "found")


def test_000_report1_fine_200_and_suspension(extracted):
    acts = extracted("000")[0].actions
    assert any(a.type == "fine" and a.amount_yuan == 200 for a in acts)
    assert any(a.type == "suspension" for a in acts)


@pytest.mark.parametrize("category,polarity", [
    ("forced_selling", "not_found"), ("forced_selling", "found"), ("equipment_failure", "found"),
])
def test_000_report2(extracted, category, polarity):
    assert _has(extracted("000")[1], category, polarity)


@pytest.mark.parametrize("polarity", ["not_found", "found"])
def test_000_report3_internal_control(extracted, polarity):
    assert _has(extracted("000")[2], "internal_control", polarity)


@pytest.mark.parametrize("prefix,index,expected", [
    ("000", 3, "regulation"), ("000", 4, "essay"), ("001", None, "essay"), ("002", None, "regulation"),
    ("003", None, "essay"), ("004", None, "regulation"),
])
def test_regulations_and_essays_have_no_found(extracted, prefix, index, expected):
    exs = extracted(prefix)
    chosen = [exs[index]] if index is not None else exs
    for ex in chosen:
        assert not [f for f in ex.findings if f.polarity == "found"], (ex.report.title, ex.findings)
        assert not ex.actions or ex.doc_type not in ("regulation", "essay")
    assert any(ex.doc_type == expected for ex in chosen)


def test_every_quote_is_the_original_text(extracted, seed):
    text = read_document(seed("000")).text
    for ex in extracted("000"):
        for item in ex.findings + ex.actions:
            assert text[item.start:item.end] == item.original

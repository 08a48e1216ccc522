"""``Corpus.unmatched`` comes from ``FileResult.unmatched``: results of worker processes or the cache need no
second reading of their file; results without it (older code) still get their sentences by reading again."""
from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reportmine.corpus import from_results
from reportmine.cache import ResultCache
from reportmine.pipeline import run

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "reports"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("unmatched") / "reports"
    d.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:40]:
        shutil.copy(p, d / p.name)
    return d


@pytest.fixture(scope="module")
def inline(folder):
    return from_results(run([folder], use_model=False))


def test_worker_and_cached_results_give_the_same_unmatched_without_the_files(folder, inline, tmp_path, caplog, monkeypatch):
    assert len(inline.unmatched) > 0
    pooled = list(run([folder], use_model=False, jobs=2))
    db = tmp_path / "c.sqlite"
    list(run([folder], use_model=False, cache=db))
    with ResultCache(db) as cache:
        cached = list(run([folder], use_model=False, cache=cache))
        assert cache.stats.misses == 0
    assert all(r.unmatched is not None for r in pooled + cached)
    assert all(e.report.norm is None for r in pooled for e in r.extractions)  # nothing to map offsets with
    import reportmine.io

    def no_reading(*args, **kwargs):
        raise AssertionError("a file was read again")

    monkeypatch.setattr(reportmine.io, "read_document", no_reading)
    with caplog.at_level(logging.DEBUG, logger="reportmine"):
        for results in (pooled, cached):
            got = from_results(results)
            pd.testing.assert_frame_equal(got.unmatched, inline.unmatched)
    assert "cannot read again" not in caplog.text


def test_results_without_unmatched_fall_back_to_reading_the_file(folder, inline):
    pooled = list(run([folder], use_model=False, jobs=2))
    old_style = [dataclasses.replace(r, unmatched=None) for r in pooled]
    pd.testing.assert_frame_equal(from_results(old_style).unmatched, inline.unmatched)

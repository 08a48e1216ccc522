"""The result cache: re-runs take unchanged files from it, and results are the same with and without it."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from reportmine.cache import ResultCache, code_version, relabel
from reportmine.errors import ReportmineError
from reportmine.pipeline import run
from reportmine.taxonomy import load_taxonomy

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "reports"
FILES = ["a_01_hequ_selfcheck.txt", "b_02_baoji_window_survey.txt", "c_12_songling_counter.docx",
         "e_01_hk_kwuntong_delivery.txt", "f_01_sf_express_multi.txt"]


def _records(results):
    return [
        (r.source, r.encoding, (r.skipped.stage, r.skipped.reason) if r.skipped else None,
         [e.to_dict() for e in r.extractions], [x.to_dict() for x in r.reports], r.unmatched)
        for r in results
    ]


@pytest.fixture()
def folder(tmp_path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    names = [n for n in FILES if (CORPUS / n).exists()]
    names += [p.name for p in sorted(CORPUS.glob("d_0*.txt"))[:2]]  # whatever the corpus has
    for n in names:
        shutil.copy(CORPUS / n, d / n)
    (d / "z_empty.txt").write_bytes(b"")  # skipped: never stored
    return d


def test_second_run_is_all_hits_and_identical(folder, tmp_path):
    fresh = _records(run([folder], use_model=False))
    n_files = sum(1 for r in fresh if r[2] is None)
    assert n_files >= 5
    with ResultCache(tmp_path / "c.sqlite") as cache:
        first = _records(run([folder], use_model=False, cache=cache))
        assert (cache.stats.hits, cache.stats.misses, cache.stats.stored) == (0, n_files, n_files)
    assert first == fresh
    with ResultCache(tmp_path / "c.sqlite") as cache:
        second = _records(run([folder], use_model=False, cache=cache))
        assert (cache.stats.hits, cache.stats.misses, cache.stats.stored) == (n_files, 0, 0)
        assert len(cache) == n_files
    assert second == fresh


def test_grown_folder_processes_only_the_new_file(folder, tmp_path):
    db = tmp_path / "c.sqlite"
    list(run([folder], use_model=False, cache=db))  # a path: run opens and closes the cache itself
    shutil.copy(CORPUS / "a_02_yulin_newspaper_summary.txt", folder / "a_02_new.txt")
    with ResultCache(db) as cache:
        grown = _records(run([folder], use_model=False, cache=cache))
        hits, misses = cache.stats.hits, cache.stats.misses
    assert misses == 1 and hits == sum(1 for r in grown if r[2] is None) - 1
    assert grown == _records(run([folder], use_model=False))


def test_changed_content_or_taxonomy_misses(folder, tmp_path):
    db = tmp_path / "c.sqlite"
    list(run([folder], use_model=False, cache=db))
    target = folder / "a_01_hequ_selfcheck.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\n另发现个别网点存在积压邮件现象。\n", encoding="utf-8")
    with ResultCache(db) as cache:
        changed = _records(run([folder], use_model=False, cache=cache))
        assert cache.stats.misses == 1
    assert changed == _records(run([folder], use_model=False))

    extra = tmp_path / "extra.yaml"
    extra.write_text("categories:\n  backlog:\n    cues: [压件不报]\n", encoding="utf-8")
    tax = load_taxonomy(extra)
    with ResultCache(db) as cache:
        list(run([folder], use_model=False, taxonomy=tax, cache=cache))
        assert cache.stats.hits == 0 and cache.stats.misses >= 5
    with ResultCache(db) as cache:  # the stage and the model mode are part of the key too
        list(run([folder], use_model=False, stage="parse", cache=cache))
        assert cache.stats.hits == 0
    assert code_version(True) != code_version(False)


def test_hit_under_another_path_names_the_new_path(folder, tmp_path):
    db = tmp_path / "c.sqlite"
    list(run([folder], use_model=False, cache=db))
    moved = tmp_path / "elsewhere"
    shutil.copytree(folder, moved)
    with ResultCache(db) as cache:
        cached = _records(run([moved], use_model=False, cache=cache))
        assert cache.stats.misses == 0 and cache.stats.hits >= 5
    assert cached == _records(run([moved], use_model=False))  # sources and report ids follow the path
    assert all(str(moved) in r[0] for r in cached)


def test_parallel_run_with_cache(folder, tmp_path):
    db = tmp_path / "c.sqlite"
    fresh = _records(run([folder], use_model=False))
    with ResultCache(db) as cache:
        assert _records(run([folder], use_model=False, jobs=2, cache=cache)) == fresh
        assert cache.stats.hits == 0 and cache.stats.stored == cache.stats.misses
    with ResultCache(db) as cache:
        assert _records(run([folder], use_model=False, jobs=2, cache=cache)) == fresh
        assert cache.stats.misses == 0 and cache.stats.hits > 0
    with ResultCache(db) as cache:  # entries made by a pool serve an inline run
        assert _records(run([folder], use_model=False, cache=cache)) == fresh
        assert cache.stats.misses == 0


def test_with_model(folder, tmp_path):
    files = [folder / FILES[0], folder / FILES[1]]
    fresh = _records(run(files))
    with ResultCache(tmp_path / "c.sqlite") as cache:
        assert _records(run(files, cache=cache)) == fresh
        assert _records(run(files, cache=cache)) == fresh
        assert cache.stats.hits == 2 and cache.stats.misses == 2


def test_damaged_entry_is_a_miss(folder, tmp_path):
    db = tmp_path / "c.sqlite"
    fresh = _records(run([folder], use_model=False, cache=db))
    con = sqlite3.connect(db)
    con.execute("UPDATE results SET value = x'00ff'")
    con.commit()
    con.close()
    with ResultCache(db) as cache:
        assert _records(run([folder], use_model=False, cache=cache)) == fresh
        assert cache.stats.hits == 0 and cache.stats.errors > 0 and cache.stats.stored > 0


def test_unusable_cache_path_is_an_error(tmp_path):
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(ReportmineError, match="cannot open the cache"):
        ResultCache(tmp_path / "dir.sqlite")


def test_relabel_matches_fresh_processing(folder, tmp_path):
    src = folder / FILES[0]
    other = tmp_path / "其他.txt"
    shutil.copy(src, other)
    a = next(run([src], use_model=False))
    b = next(run([other], use_model=False))
    moved = relabel(a, b.source)
    assert [e.to_dict() for e in moved.extractions] == [e.to_dict() for e in b.extractions]
    assert moved.reports[0] is moved.extractions[0].report  # shared, as in a fresh result
    assert relabel(a, a.source) is a


def test_foreign_sqlite_file_is_refused(tmp_path):
    db = tmp_path / "other.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE results (a, b)")
    con.commit()
    con.close()
    with pytest.raises(ReportmineError, match="not a reportmine cache"):
        ResultCache(db)
    (tmp_path / "text.sqlite").write_text("not a database\n" * 20, encoding="utf-8")
    with pytest.raises(ReportmineError, match="cannot open the cache"):
        ResultCache(tmp_path / "text.sqlite")

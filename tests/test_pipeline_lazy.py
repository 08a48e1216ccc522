"""With a cache, the learned model is loaded (and worker processes started) only when a file needs
processing: a run of cache hits does neither, and a model loaded at the first miss does not count
against that file's timeout. Results and their order are those of a run without a cache."""
from __future__ import annotations

import functools
import multiprocessing
import shutil
import time
from pathlib import Path

import pytest

import reportmine.model_cache
from reportmine.cache import ResultCache
from reportmine.pipeline import run

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "reports"
FILES = ["a_01_hequ_selfcheck.txt", "b_02_baoji_window_survey.txt", "e_01_hk_kwuntong_delivery.txt"]

needs_fork = pytest.mark.skipif(multiprocessing.get_start_method(allow_none=False) != "fork",
                                reason="patching the model in workers needs fork-started worker processes")

# (jobs, timeout): in this process with SIGALRM, and in worker processes
MODES = [pytest.param(1, 60.0, id="inline"), pytest.param(2, 60.0, id="pool", marks=needs_fork)]


def _records(results):
    return [(r.source, r.skipped and (r.skipped.stage, r.skipped.reason), [e.to_dict() for e in r.extractions])
            for r in results]


@pytest.fixture()
def folder(tmp_path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    for name in FILES:
        shutil.copy(CORPUS / name, d / name)
    (d / "c_notes.xyz").write_text("unsupported", encoding="utf-8")  # skipped unread: keeps its place among the hits
    return d


def _no_model():
    raise AssertionError("the model was loaded for a run of cache hits")


class _NoPool:
    def __init__(self, *args, **kwargs) -> None:
        raise AssertionError("a worker pool was started for a run of cache hits")


@pytest.mark.parametrize("jobs, timeout", MODES)
def test_cache_hits_load_no_model_and_start_no_worker(folder, tmp_path, monkeypatch, jobs, timeout):
    import pebble

    db = tmp_path / "c.sqlite"
    fresh = _records(run([folder], jobs=jobs, timeout=timeout, cache=db))
    assert sum(1 for r in fresh if r[1] is None) == len(FILES)
    monkeypatch.setattr(reportmine.model_cache, "default_model", _no_model)
    monkeypatch.setattr(pebble, "ProcessPool", _NoPool)
    with ResultCache(db) as cache:
        again = _records(run([folder], jobs=jobs, timeout=timeout, cache=cache))
        assert (cache.stats.hits, cache.stats.misses) == (len(FILES), 0)
    assert again == fresh


@pytest.mark.parametrize("jobs", [pytest.param(1, id="inline"), pytest.param(2, id="pool", marks=needs_fork)])
def test_model_loaded_at_first_miss_outside_its_timeout(folder, tmp_path, monkeypatch, jobs):
    """Hits before and after a miss keep their places; the model, slow to load, is loaded at the miss
    before its clock starts (in the parent for worker processes, which inherit it)."""
    db = tmp_path / "c.sqlite"
    fresh = _records(run([folder], jobs=1))
    moved = folder / FILES[1]
    kept = tmp_path / FILES[1]
    shutil.move(moved, kept)
    list(run([folder], jobs=1, cache=db))  # the cache holds every file but the middle one
    shutil.move(kept, moved)

    real = reportmine.model_cache.default_model
    calls = []

    @functools.lru_cache(maxsize=1)
    def slow_model():
        calls.append(1)
        time.sleep(4)
        return real()

    monkeypatch.setattr(reportmine.model_cache, "default_model", slow_model)
    with ResultCache(db) as cache:
        got = _records(run([folder], jobs=jobs, timeout=3, cache=cache))
        assert (cache.stats.hits, cache.stats.misses) == (len(FILES) - 1, 1)
    assert calls == [1]
    assert got == fresh  # the middle file processed, not "timed out after 3 s"


@pytest.mark.parametrize("jobs", [pytest.param(1, id="inline"), pytest.param(2, id="pool", marks=needs_fork)])
def test_one_time_setup_is_outside_the_first_files_timeout(folder, monkeypatch, jobs):
    """What is built at first use (here the cue automaton, made 4 s slow once per process) is built before
    the first file's clock starts, in this process and in each worker: no file times out for it."""
    import os

    import reportmine.extract

    real = reportmine.extract._automaton
    slow_in = set()

    def slow_automaton(tax):
        if os.getpid() not in slow_in:
            slow_in.add(os.getpid())
            time.sleep(4)
        return real(tax)

    monkeypatch.setattr(reportmine.extract, "_automaton", slow_automaton)
    got = _records(run([folder], jobs=jobs, timeout=3, use_model=False))
    processed = {Path(source).name: skipped for source, skipped, extractions in got if extractions}
    assert processed == dict.fromkeys(FILES)  # each listed file processed, none "timed out after 3 s"


def test_a_deadline_swallowed_once_is_raised_again():
    """A library that swallows the first alarm (a bare ``except:``) does not make a file run forever: the
    alarm repeats until the block ends, and leaves no timer or handler behind."""
    import signal

    from reportmine.pipeline import _Deadline, _time_limit

    before = signal.getsignal(signal.SIGALRM)
    swallowed = []
    start = time.monotonic()
    with pytest.raises(_Deadline):
        with _time_limit(0.2):
            try:
                time.sleep(5)
            except BaseException as exc:  # noqa: BLE001 - what a careless library does
                swallowed.append(type(exc))
            while time.monotonic() - start < 10:
                pass
    assert swallowed == [_Deadline] and time.monotonic() - start < 5
    assert signal.getsignal(signal.SIGALRM) == before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)

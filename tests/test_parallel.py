"""run(jobs=N) gives the same results, in the same order, as run(jobs=1); timeouts and dead workers cost
one file each and keep their place."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from pathlib import Path

import pytest

from reportmine import pipeline
from reportmine.pipeline import run

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "reports"


def _summary(results):
    """Everything a caller sees of a run, as plain data: per input its source, skip and records."""
    out = []
    for res in results:
        out.append({
            "source": res.source,
            "encoding": res.encoding,
            "skipped": (res.skipped.source, res.skipped.stage, res.skipped.reason) if res.skipped else None,
            "reports": [r.to_dict() for r in res.reports],
            "extractions": [e.to_dict() for e in res.extractions],
            "cues": [[(f.cue, f.score) for f in e.findings] for e in res.extractions],
            "unmatched": res.unmatched,
        })
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A snapshot of the bundled corpus (both runs must read the same files)."""
    d = tmp_path_factory.mktemp("corpus") / "reports"
    shutil.copytree(CORPUS, d)
    return d


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory, corpus) -> list[str]:
    """The bundled corpus plus inputs that are skipped at different stages, interleaved."""
    d = tmp_path_factory.mktemp("mixed")
    shutil.copy(CORPUS / "a_01_hequ_selfcheck.txt", d / "a.txt")
    (d / "b_empty.txt").write_bytes(b"")
    (d / "c_binary.txt").write_bytes(bytes(range(256)) * 16)
    (d / "d_notes.xyz").write_text("unsupported", encoding="utf-8")
    shutil.copy(CORPUS / "c_12_songling_counter.docx", d / "e.docx")
    (d / "f_broken.docx").write_bytes(b"PK not really a zip")
    return [str(d), str(d / "missing.txt"), str(corpus)]


@pytest.fixture(scope="module")
def inline_results(mixed_inputs):
    return list(run(mixed_inputs, jobs=1))


@pytest.fixture(scope="module")
def pooled_results(mixed_inputs):
    return list(run(mixed_inputs, jobs=2, timeout=120))


@pytest.fixture(scope="module")
def sequential(inline_results):
    return _summary(inline_results)


def test_parallel_output_identical_to_sequential(pooled_results, sequential):
    parallel = _summary(pooled_results)
    assert [r["source"] for r in parallel] == [r["source"] for r in sequential]
    assert parallel == sequential


def test_sequential_run_covers_every_input_in_order(corpus, sequential):
    n_corpus = sum(1 for p in corpus.iterdir() if p.is_file())
    assert len(sequential) == 6 + 1 + n_corpus
    names = [Path(r["source"]).name for r in sequential]
    assert names[:7] == ["a.txt", "b_empty.txt", "c_binary.txt", "d_notes.xyz", "e.docx", "f_broken.docx", "missing.txt"]
    assert names[7:] == sorted(p.name for p in corpus.iterdir() if p.is_file())
    skipped = {Path(r["source"]).name: r["skipped"][1] for r in sequential if r["skipped"]}
    assert skipped == {"b_empty.txt": "read", "c_binary.txt": "read", "d_notes.xyz": "walk",
                       "f_broken.docx": "read", "missing.txt": "read"}
    processed = [r for r in sequential if not r["skipped"]]
    assert all(r["extractions"] and r["unmatched"] is not None for r in processed)
    assert len(processed[0]["unmatched"]) == len(processed[0]["extractions"])
    assert sum(len(r["extractions"]) for r in processed) >= 161 + 2  # the corpus has 161 reports


def test_parallel_results_keep_what_aggregation_needs(inline_results, pooled_results):
    """Workers ship reports without their normalized text; the unmatched problem sentences travel in
    the result instead and equal those computed in process."""
    from reportmine.discovery import problem_sentences

    inline = [r for r in inline_results if r.skipped is None]
    pooled = [r for r in pooled_results if r.skipped is None]
    assert all(e.report.norm is not None for r in inline for e in r.extractions)
    assert all(e.report.norm is None for r in pooled for e in r.extractions)
    expected = [tuple(tuple(problem_sentences(e)) for e in r.extractions) for r in inline]
    assert [r.unmatched for r in pooled] == expected
    assert any(u for r in pooled for u in r.unmatched)  # the corpus has some


def test_parse_stage_parallel(mixed_inputs, corpus):
    inputs = mixed_inputs[:2] + sorted(str(p) for p in corpus.iterdir())[::4]
    seq = _summary(run(inputs, stage="parse"))
    par = _summary(run(inputs, stage="parse", jobs=2))
    assert par == seq
    assert all(not r["extractions"] for r in seq)


# ------------------------------------------------------------------ timeouts and dead workers

needs_fork = pytest.mark.skipif(multiprocessing.get_start_method(allow_none=False) != "fork",
                                reason="patching the worker needs fork-started worker processes")


@needs_fork
def test_timeout_and_dead_worker_cost_one_file_each(tmp_path, monkeypatch):
    for name in ("a_first.txt", "b_slow.txt", "c_dies.txt", "d_last.txt"):
        shutil.copy(CORPUS / "a_02_yulin_newspaper_summary.txt", tmp_path / name)
    real = pipeline.process_document

    def patched(doc, **kwargs):  # runs in the (forked) worker
        if doc.source.endswith("b_slow.txt"):
            time.sleep(120)
        if doc.source.endswith("c_dies.txt"):
            os._exit(7)
        return real(doc, **kwargs)

    monkeypatch.setattr(pipeline, "process_document", patched)
    results = list(run([str(tmp_path)], jobs=2, timeout=2, use_model=False))
    assert [Path(r.source).name for r in results] == ["a_first.txt", "b_slow.txt", "c_dies.txt", "d_last.txt"]
    assert results[0].skipped is None and results[3].skipped is None
    assert results[1].skipped is not None and results[1].skipped.reason == "timed out after 2 s"
    assert results[2].skipped is not None and results[2].skipped.reason == "worker died (exit code 7)"
    assert results[0].extractions[0].to_dict()["findings"] == results[3].extractions[0].to_dict()["findings"] != []


def test_model_context_changes_nothing_and_does_not_leak():
    """process_document scores with scikit-learn's input checks off: same extractions as calling the
    extractor directly, and the caller's settings are as before."""
    import sklearn

    from reportmine.extract import Extractor
    from reportmine.io import read_document
    from reportmine.normalize import normalize
    from reportmine.structure import iter_reports

    ex = Extractor()
    before = sklearn.get_config()
    for name in ("a_01_hequ_selfcheck.txt", "e_01_hk_kwuntong_delivery.txt"):
        doc = read_document(CORPUS / name)
        direct = [ex.extract(r).to_dict() for r in iter_reports(doc, norm=normalize(doc.text))]
        via = [e.to_dict() for e in pipeline.process_document(doc, extractor=ex).extractions]
        assert via == direct and direct
    assert sklearn.get_config() == before


def test_output_does_not_depend_on_hash_seed(tmp_path):
    """Two processes with different string-hash seeds (as Spark executors, separate runs or a
    ``forkserver`` pool have) give the same records: no decision may follow the iteration order of a
    set of strings."""
    import subprocess
    import sys

    names = ["a_05_mianyang_parcel_summary.txt", "b_11_guangxi_peak_season.txt", "j_16_jinjiang_penalty_rectify.txt",
             "h_21_lingshi_q1_table.txt", "a_20_suining_selfcheck.docx"]
    files = [str(CORPUS / n) for n in names if (CORPUS / n).exists()] + sorted(str(p) for p in CORPUS.glob("c_0*"))
    script = (
        "import json, sys\n"
        "from reportmine.pipeline import run\n"
        "for r in run(sys.argv[1:]):\n"
        "    for e in r.extractions:\n"
        "        print(json.dumps(e.to_dict(), ensure_ascii=False))\n"
    )
    outs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", script, *files], capture_output=True, text=True, env=env, check=True)
        outs.append(proc.stdout)
    assert outs[0] and outs[0] == outs[1] == outs[2]

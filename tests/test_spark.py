"""The Spark engine (PySpark local mode) gives the local engine's findings, actions and tables.

Needs the ``spark`` extra (``pip install -e '.[spark]'``) and a Java runtime; skipped otherwise. Slow (a
JVM starts): deselect with ``-m 'not spark'``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "reports"


def _java_ok() -> str | None:
    java = shutil.which("java") or (os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else None)
    if not java or not os.path.exists(java):
        return "no Java runtime (install default-jre-headless or set JAVA_HOME)"
    try:
        subprocess.run([java, "-version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"java does not run: {exc}"
    return None


try:
    import pyarrow  # noqa: F401
    import pyspark  # noqa: F401
    _MISSING = _java_ok()
except ImportError as exc:
    _MISSING = f"the spark extra is not installed ({exc.name}): pip install -e '.[spark]'"

if _MISSING:
    pytest.skip(_MISSING, allow_module_level=True)

import pandas as pd  # noqa: E402

import reportmine as rm  # noqa: E402
from reportmine.pipeline import run  # noqa: E402
from reportmine.spark import compare_with_local, document_from_bytes, extract_spark, spark_session  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (spark_session("local[2]", app_name="reportmine-tests").builder
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("spark") / "reports"
    shutil.copytree(CORPUS, d)
    return d


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=True)


def test_bundled_corpus_same_as_local_engine(spark, corpus_copy):
    """The whole bundled corpus with the learned model: every table, row for row and in order."""
    sc = extract_spark([str(corpus_copy)], spark=spark, with_json=True)
    sc.records.cache()
    theirs = sc.to_corpus()
    local_results = list(run([str(corpus_copy)]))
    local = rm.from_results(local_results)
    assert len(local.findings) > 1000 and len(local.actions) > 500
    assert compare_with_local(theirs, local) == {}
    for kind in ("reports", "findings", "actions", "skipped", "unmatched"):
        _same_frame(getattr(theirs, kind), getattr(local, kind))
    for table in (rm.frequency, rm.recurrence, rm.cooccurrence, rm.issue_actions, rm.fines):
        _same_frame(table(theirs), table(local))
    _same_frame(rm.frequency(theirs, by="province,year"), rm.frequency(local, by="province,year"))
    # `reportmine extract` JSONL: the same lines in the same order
    lines = [json.dumps(e.to_dict(), ensure_ascii=False) for r in local_results for e in r.extractions]
    assert list(sc.iter_json()) == lines
    # the Spark tables are Spark DataFrames with the local columns
    assert sc.findings.columns == list(local.findings.columns)
    assert sc.findings.count() == len(local.findings)


def test_odd_inputs_are_skipped_like_local(spark, tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    shutil.copy(CORPUS / "a_01_hequ_selfcheck.txt", d / "检查 报告.txt")
    shutil.copy(CORPUS / "c_12_songling_counter.docx", d / "c.docx")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (d / "notes.xyz").write_text("不支持的文件", encoding="utf-8")
    (d / "broken.docx").write_bytes(b"PK not a zip")
    single = tmp_path / "single.md"  # named explicitly: read as text whatever its suffix
    shutil.copy(CORPUS / "a_02_yulin_newspaper_summary.txt", single)
    inputs = [str(d), str(single)]
    theirs = extract_spark(inputs, spark=spark, use_model=False).to_corpus()
    local = rm.load(inputs, use_model=False)
    assert compare_with_local(theirs, local) == {}
    assert sorted(theirs.skipped["reason"].str[:12]) == sorted(local.skipped["reason"].str[:12])
    assert len(local.skipped) == 4 and set(local.reports["source"]) == {str(d / "检查 报告.txt"), str(d / "c.docx"), str(single)}


def test_dataset_with_text_column(spark, tmp_path):
    files = sorted(CORPUS.glob("b_*.txt"))[:6]
    pdf = pd.DataFrame({"url": [f"doc/{p.name}" for p in files], "body": [p.read_text(encoding="utf-8", errors="replace") for p in files]})
    pdf.loc[len(pdf)] = ["doc/empty", "   "]
    path = tmp_path / "docs.parquet"
    pdf.to_parquet(path)
    theirs = extract_spark(str(path), spark=spark, format="parquet", text_column="body", source_column="url",
                           use_model=False).to_corpus()
    local = rm.load(pdf, text_column="body", source_column="url", use_model=False)
    assert len(local.findings) > 0 and len(local.skipped) == 1
    assert compare_with_local(theirs, local) == {}
    # a Spark DataFrame works the same way
    again = extract_spark(spark.createDataFrame(pdf), spark=spark, text_column="body", source_column="url", use_model=False)
    assert compare_with_local(again, local) == {}


def test_user_taxonomy_reaches_the_executors(spark, tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text("categories:\n  misleading_sales:\n    label: 误导销售\n    cues: [混淆宣传, 误导客户]\n", encoding="utf-8")
    doc = tmp_path / "r.txt"
    doc.write_text("某县邮政分公司自查报告\n一、检查发现个别营业员存在混淆宣传、误导客户的现象。\n某县邮政分公司\n2021年5月6日\n", encoding="utf-8")
    theirs = extract_spark([str(doc)], spark=spark, taxonomy_files=[str(extra)], use_model=False).to_corpus()
    local = rm.load([str(doc)], taxonomy=[str(extra)], use_model=False)
    assert "misleading_sales" in set(local.findings["category"])
    assert compare_with_local(theirs, local) == {}


def test_document_from_bytes_matches_read_document(tmp_path):
    from reportmine.io import read_document

    for p in [CORPUS / "c_12_songling_counter.docx", *sorted(CORPUS.glob("e_0*.txt"))[:3]]:
        got = document_from_bytes(p.read_bytes(), str(p))
        assert got == read_document(p)


# --------------------------------------------------------------------------- the command line: --engine spark


@pytest.fixture(scope="module")
def cli_inputs(tmp_path_factory) -> list[str]:
    """A small folder (with files the engines skip), a missing path, and a single file that sorts before the
    folder but is given after it: the engines must agree on the order of the inputs as given."""
    d = tmp_path_factory.mktemp("cli") / "reports"
    d.mkdir()
    for name in ["a_01_hequ_selfcheck.txt", "c_12_songling_counter.docx", "e_01_hk_kwuntong_delivery.txt",
                 *[p.name for p in sorted(CORPUS.glob("f_0*.txt"))[:2]], *[p.name for p in sorted(CORPUS.glob("*.html"))[:1]]]:
        if (CORPUS / name).exists():
            shutil.copy(CORPUS / name, d / name)
    sub = d / "sub"
    sub.mkdir()
    shutil.copy(CORPUS / "a_02_yulin_newspaper_summary.txt", sub / "a.txt")
    (d / "broken.docx").write_bytes(b"PK not a zip")
    (d / "notes.xyz").write_text("不支持的文件", encoding="utf-8")
    single = tmp_path_factory.mktemp("aaa") / "single.txt"
    shutil.copy(CORPUS / "b_02_baoji_window_survey.txt", single)
    return [str(d), str(d.parent / "missing.txt"), str(single)]


def _cli(*args: str):
    from click.testing import CliRunner

    from reportmine.cli import cli

    return CliRunner().invoke(cli, list(args))


def _messages(stderr: str) -> list[str]:
    """The skip lines and the summary (Spark's own start-up lines left out)."""
    return [line for line in stderr.splitlines() if line.startswith("skipped ") or " processed, " in line]


def _same_run(local, theirs, tmp_path) -> None:
    assert local.exit_code == theirs.exit_code == 2, (local.stderr, theirs.stderr, theirs.exception)
    assert theirs.stdout == local.stdout
    assert _messages(theirs.stderr) == _messages(local.stderr)
    assert (tmp_path / "spark.jsonl").read_text(encoding="utf-8") == (tmp_path / "local.jsonl").read_text(encoding="utf-8")


def test_cli_extract_engine_spark_same_as_local(spark, cli_inputs, tmp_path):
    runs = {}
    for fmt, model in (("jsonl", []), ("csv", ["--no-model"])):
        for engine in ("local", "spark"):
            runs[fmt, engine] = _cli("extract", "--engine", engine, "--format", fmt, *model,
                                     "--errors", str(tmp_path / f"{engine}.jsonl"), *cli_inputs)
        _same_run(runs[fmt, "local"], runs[fmt, "spark"], tmp_path)
    lines = runs["jsonl", "local"].stdout.splitlines()
    assert len(lines) >= 7 and json.loads(lines[-1])["source"] == cli_inputs[-1]
    summary = _messages(runs["jsonl", "spark"].stderr)[-1]
    assert summary.startswith(f"{len({json.loads(x)['source'] for x in lines})} processed, 3 skipped")
    assert [m.split(":")[0] for m in _messages(runs["csv", "spark"].stderr)[:3]] == [
        f"skipped {cli_inputs[0]}/broken.docx", f"skipped {cli_inputs[0]}/notes.xyz", f"skipped {cli_inputs[1]}"]


def test_cli_table_engine_spark_same_as_local(spark, cli_inputs, tmp_path):
    for args in (["--format", "csv", "--by", "province"], ["--table", "actions", "--format", "json"]):
        local = _cli("table", *args, "--errors", str(tmp_path / "local.jsonl"), *cli_inputs)
        theirs = _cli("table", *args, "--engine", "spark", "--errors", str(tmp_path / "spark.jsonl"), *cli_inputs)
        _same_run(local, theirs, tmp_path)
        assert len(local.stdout.splitlines()) > 3


def test_cli_spark_run_leaves_no_temporary_files(cli_inputs, tmp_path):
    """A command-line run on Spark (its own session, executors on this Python, a user taxonomy, an empty
    file read on the driver) leaves nothing of reportmine's in the temporary folder: not the executors'
    per-file copies, nor the taxonomy files they load, nor the log settings of the session."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    extra = tmp_path / "mine.yaml"
    extra.write_text("categories:\n  misleading_sales:\n    label: 误导销售\n    cues: [混淆宣传, 误导客户]\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    env = {**os.environ, "TMPDIR": str(tmp), "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    proc = subprocess.run([sys.executable, "-c", "from reportmine.cli import main; main()", "extract", "--engine", "spark",
                           "--spark-master", "local[2]", "--no-model", "--taxonomy", str(extra), *cli_inputs, str(empty)],
                          capture_output=True, env=env, timeout=900)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, stderr  # the odd inputs are skipped
    assert len(proc.stdout.decode("utf-8").splitlines()) >= 7 and f"skipped {empty}: " in stderr
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith("reportmine-")) == []

"""``--cache PATH`` on the command line: re-runs process only new or changed files, output is identical, and
a path that cannot hold a cache is a one-line error naming it."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportmine.cli import cli, main

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "reports"
FILES = ["a_01_hequ_selfcheck.txt", "b_02_baoji_window_survey.txt", "c_12_songling_counter.docx",
         "e_01_hk_kwuntong_delivery.txt", "f_01_sf_express_multi.txt"]
SUMMARY = re.compile(r"^(\d+) processed \((\d+) from cache\), (\d+) skipped", re.M)


@pytest.fixture()
def folder(tmp_path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    for name in FILES:
        if (CORPUS / name).exists():
            shutil.copy(CORPUS / name, d / name)
    (d / "z_empty.txt").write_bytes(b"")  # skipped every time (never stored)
    return d


def _run(*args: str):
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code in (0, 2), (res.exit_code, res.stderr, res.exception)
    return res


def _counts(stderr: str) -> tuple[int, int, int]:
    m = SUMMARY.search(stderr)
    assert m, stderr
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def test_extract_with_cache_rerun_and_grown_folder(folder, tmp_path):
    db = str(tmp_path / "cache.sqlite")
    n = len(list(folder.glob("*.*"))) - 1  # files that are processed
    fresh = _run("extract", "--no-model", "-j", "1", str(folder))
    first = _run("extract", "--no-model", "-j", "1", "--cache", db, str(folder))
    assert first.stdout == fresh.stdout
    assert _counts(first.stderr) == (n, 0, 1)
    second = _run("extract", "--no-model", "-j", "1", "--cache", db, str(folder))
    assert second.stdout == fresh.stdout
    assert _counts(second.stderr) == (n, n, 1)
    assert "skipped" in second.stderr and "z_empty.txt" in second.stderr  # skips reported as without a cache

    # a new file (new content) and a changed one: only those two are processed
    text = (CORPUS / "a_02_yulin_newspaper_summary.txt").read_text(encoding="utf-8")
    (folder / "a_02_new.txt").write_text(text, encoding="utf-8")
    changed = folder / FILES[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n另发现个别网点存在积压邮件现象。\n", encoding="utf-8")
    grown = _run("extract", "--no-model", "-j", "2", "--cache", db, str(folder))
    assert _counts(grown.stderr) == (n + 1, n - 1, 1)
    assert grown.stdout == _run("extract", "--no-model", "-j", "1", str(folder)).stdout
    sources = [json.loads(line)["source"] for line in grown.stdout.splitlines()]
    assert str(folder / "a_02_new.txt") in sources


def test_no_cache_summary_has_no_cache_count(folder):
    res = _run("extract", "--no-model", "-j", "1", str(folder))
    assert "from cache" not in res.stderr
    assert f"{len(list(folder.glob('*.*'))) - 1} processed, 1 skipped" in res.stderr


def test_tables_and_discover_from_cache_are_identical(folder, tmp_path):
    db = str(tmp_path / "cache.sqlite")
    for args in (["table", "--format", "csv"], ["table", "--table", "actions", "--format", "json"],
                 ["discover", "--format", "json", "-k", "2"], ["parse"]):
        fresh = _run(*args, "--no-model", str(folder)) if args[0] != "parse" else _run(*args, str(folder))
        extra = ["--no-model"] if args[0] != "parse" else []
        _run(*args, *extra, "--cache", db, str(folder))
        cached = _run(*args, *extra, "--cache", db, "-j", "2", str(folder))
        assert cached.stdout == fresh.stdout, args
        processed, hits, _ = _counts(cached.stderr)
        assert processed == hits == len(list(folder.glob("*.*"))) - 1


def _main_error(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_cache_file_that_is_not_sqlite_is_one_line_error(folder, tmp_path, capsys):
    bad = tmp_path / "notes.sqlite"
    bad.write_text("这不是数据库\n" * 50, encoding="utf-8")
    line = _main_error(capsys, "extract", "--no-model", "--cache", str(bad), str(folder))
    assert str(bad) in line and "cache" in line
    assert bad.read_text(encoding="utf-8").startswith("这不是数据库")  # left as it was


def test_foreign_sqlite_file_is_refused(folder, tmp_path, capsys):
    import sqlite3

    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE results (a, b)")
    con.commit()
    con.close()
    line = _main_error(capsys, "table", "--no-model", "--cache", str(other), str(folder))
    assert str(other) in line and "not a reportmine cache" in line


def test_unwritable_cache_path_is_one_line_error(folder, tmp_path, capsys):
    blocker = tmp_path / "plain_file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "cache.sqlite"  # below a regular file: cannot be created, even by root
    line = _main_error(capsys, "extract", "--no-model", "--cache", str(target), str(folder))
    assert str(target) in line and "cannot open the cache" in line


def test_cache_path_that_is_a_directory_is_a_usage_error(folder, tmp_path):
    res = CliRunner().invoke(cli, ["extract", "--cache", str(tmp_path), str(folder)])
    assert res.exit_code == 2 and "--cache" in res.stderr and "directory" in res.stderr


@pytest.mark.parametrize("command", ["extract", "table", "recurring", "report", "discover", "parse"])
def test_every_batch_command_takes_cache(command):
    res = CliRunner().invoke(cli, [command, "--help"])
    assert "--cache PATH" in res.stdout

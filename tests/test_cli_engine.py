"""``--engine``: the local engine by default, and the Spark engine's usage errors (no Spark is started
here; tests/test_spark.py runs the Spark engine end to end)."""
from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from reportmine.cli import cli


@pytest.mark.parametrize("command", ["extract", "table"])
def test_engine_options_in_help(command):
    res = CliRunner().invoke(cli, [command, "--help"])
    assert res.exit_code == 0
    assert "--engine [local|spark]" in res.stdout and "--spark-master" in res.stdout


@pytest.mark.parametrize("args, named", [
    (["--include", "*.txt"], "--include"),
    (["--exclude", "x*"], "--exclude"),
    (["--timeout", "10"], "--timeout"),
    (["--jobs", "2"], "--jobs"),
    (["--cache", "c.sqlite"], "--cache"),
])
@pytest.mark.parametrize("command", ["extract", "table"])
def test_options_spark_does_not_have_are_usage_errors(tmp_path, command, args, named):
    res = CliRunner().invoke(cli, [command, "--engine", "spark", *args, str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert named in res.stderr and "--engine spark" in res.stderr
    assert not (tmp_path / "c.sqlite").exists()


def test_spark_master_needs_the_spark_engine(tmp_path):
    res = CliRunner().invoke(cli, ["extract", "--spark-master", "local[2]", str(tmp_path)])
    assert res.exit_code == 2 and "--spark-master" in res.stderr


def test_spark_engine_without_pyspark_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    for command in ("extract", "table"):
        res = CliRunner().invoke(cli, [command, "--engine", "spark", str(tmp_path)])
        assert res.exit_code == 2, res.output
        assert 'pip install "reportmine[spark]"' in res.stderr
        assert "Traceback" not in res.stderr


def test_local_engine_is_the_default(tmp_path):
    (tmp_path / "r.txt").write_text("某县邮政局自查报告\n一、检查发现个别网点存在积压邮件现象。\n某县邮政局\n2021年5月6日\n", encoding="utf-8")
    a = CliRunner().invoke(cli, ["extract", "--no-model", "-j", "1", str(tmp_path)])
    b = CliRunner().invoke(cli, ["extract", "--no-model", "-j", "1", "--engine", "local", str(tmp_path)])
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout and '"backlog"' in a.stdout

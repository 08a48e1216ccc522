"""The command line: help everywhere, skipped inputs as one line and exit 2, the parse output contract."""
from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from reportmine.cli import cli

REPORT = """郵政服務質量專項檢查工作總結
市局檢查服務部:
為加快郵政企業的發展,我局開展了一次郵政服務質量的專項檢查,具體檢查落實整改情況匯報如下:
一、加強郵件的傳遞時限和管理:檢查發現進口的郵件無投遞日戳。要求加蓋投遞日戳。
二、特快郵件上網不及時。特快信息上網由專人負責登記上網。
保德縣郵政局
二00八年十二月三號
"""


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


def test_group_help_lists_every_command():
    res = CliRunner().invoke(cli, ["--help"])
    assert res.exit_code == 0, res.output
    assert "Usage" in res.stdout
    for name in cli.commands:
        assert name in res.stdout


@pytest.mark.parametrize("path", list(_commands(cli)), ids=lambda p: " ".join(p))
def test_every_command_has_help(path):
    res = CliRunner().invoke(cli, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage" in res.stdout and path[-1] in res.stdout
    assert cli.get_command(click.Context(cli), path[0]).help  # a description, not an empty help page


def test_parse_missing_file_exits_2_with_one_line_and_no_traceback(tmp_path):
    missing = tmp_path / "no_such_report.txt"
    res = CliRunner().invoke(cli, ["parse", str(missing)])
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = [line for line in res.stderr.splitlines() if line.startswith("skipped")]
    assert len(lines) == 1
    assert str(missing) in lines[0] and "no such file" in lines[0]
    assert "Traceback" not in res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_main_entry_point_missing_file_subprocess(tmp_path):
    missing = tmp_path / "no_such_report.txt"
    proc = subprocess.run(
        [sys.executable, "-c", "from reportmine.cli import main; main()", "parse", str(missing)],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    skipped = [line for line in proc.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1 and "no such file" in skipped[0]
    assert "Traceback" not in proc.stderr


def test_main_entry_point_bad_option_is_one_line_usage_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", "from reportmine.cli import main; main()", "parse", "--format", "nope", str(tmp_path)],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "nope" in proc.stderr


CONTRACT = {"report_id", "source", "index", "encoding", "script", "title", "addressee", "org", "region", "date", "sections"}


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_parse_output_contract_and_chinese_as_is(tmp_path, fmt):
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.encode("big5"))
    res = CliRunner().invoke(cli, ["parse", "--format", fmt, "-q", str(path)])
    assert res.exit_code == 0, res.stderr
    assert "\\u" not in res.stdout
    assert "保德县邮政局" in res.stdout
    records = json.loads(res.stdout) if fmt == "json" else [json.loads(line) for line in res.stdout.splitlines()]
    (rec,) = records
    assert CONTRACT <= set(rec)
    assert rec["source"] == str(path) and rec["index"] == 0
    assert rec["encoding"] in ("big5", "cp950")
    assert rec["script"] == "traditional"
    assert rec["title"] == "邮政服务质量专项检查工作总结"
    assert rec["addressee"] == "市局检查服务部"
    assert rec["org"] == "保德县邮政局"
    assert rec["region"] == {"province": "山西省", "city": "忻州市", "county": "保德县"}
    assert rec["date"] == "2008-12-03"
    assert [s["number"] for s in rec["sections"]] == [None, "一、", "二、"]
    text = path.read_bytes().decode("big5")
    for sec in rec["sections"]:
        assert {"number", "heading", "start", "end", "sentences"} <= set(sec)
        assert 0 <= sec["start"] < sec["end"] <= len(text)
        for sent in sec["sentences"]:
            assert {"text", "start", "end"} <= set(sent)
            assert sec["start"] <= sent["start"] < sent["end"] <= sec["end"]
    first = rec["sections"][1]["sentences"][0]
    assert text[first["start"]:first["end"]] == "一、加強郵件的傳遞時限和管理:檢查發現進口的郵件無投遞日戳。"
    assert first["text"] == "一、加强邮件的传递时限和管理:检查发现进口的邮件无投递日戳。"


def test_parse_batch_counts_processed_and_skipped(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = inputs / "a.txt"
    good.write_text(REPORT, encoding="utf-8")
    empty = inputs / "b.txt"
    empty.write_bytes(b"")
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["parse", "--errors", str(errors), str(inputs)])
    assert res.exit_code == 2
    assert len(res.stdout.splitlines()) == 1  # the good report
    (err,) = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert err["path"] == str(empty) and "empty" in err["reason"]
    assert "1 processed, 1 skipped" in res.stderr


def test_normalize_command_prints_clean_text(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("郵政服務(wù)質量\n來源：XX網\n我們 的檢查。\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["normalize", str(path)])
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "邮政服务质量\n我们的检查。\n"
    res = CliRunner().invoke(cli, ["normalize", "--no-pinyin", "--no-boilerplate", str(path)])
    assert "(wù)" in res.stdout and "来源" in res.stdout


def test_main_entry_point_strict_exits_1(tmp_path, capsys):
    """--strict through the real entry point (click's non-standalone mode returns the code of an Exit)."""
    from reportmine.cli import main

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    with pytest.raises(SystemExit) as exc:
        main(["parse", "--strict", "-j", "1", str(tmp_path)])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "skipped" in err and "b.txt" in err
    main(["parse", "--help"])  # exit 0: returns


# locale settings under which Python's own stdout would be ASCII or follow a C locale
_C_LOCALES = {
    "LANG=C": {"LANG": "C"},
    "LC_ALL=C, no UTF-8 mode": {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    "PYTHONIOENCODING=ascii": {"LANG": "C", "PYTHONIOENCODING": "ascii"},
}


@pytest.mark.parametrize("settings", list(_C_LOCALES.values()), ids=list(_C_LOCALES))
def test_stdout_is_utf8_in_a_c_locale(tmp_path, settings):
    """Data on stdout is UTF-8 whatever the locale says (an ASCII stdout is not used as is); csv starts
    with a UTF-8 BOM."""
    import os

    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "PYTHONUTF8"))}
    env.update(settings)
    outputs = {}
    for name, args in (("normalize", ["normalize", str(report)]),
                       ("csv", ["extract", "--no-model", "-j", "1", "--format", "csv", str(report)])):
        proc = subprocess.run([sys.executable, "-c", "from reportmine.cli import main; main()", *args],
                              capture_output=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
        outputs[name] = proc.stdout.decode("utf-8")  # raises if not UTF-8
    assert "邮政服务质量专项检查工作总结" in outputs["normalize"]
    assert outputs["csv"].startswith("\ufeffsource,") and "保德县邮政局" in outputs["csv"]


def test_output_uses_no_deprecated_click_api(tmp_path):
    import warnings

    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for args in (["normalize", str(report)], ["parse", str(report)], ["extract", "--no-model", "-j", "1", str(report)]):
            res = CliRunner().invoke(cli, args)
            assert res.exit_code == 0, res.output
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning) and "click" in str(w.message).lower()
                or "get_text_stream" in str(w.message)]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_csv_to_a_chinese_stdout_encoding_has_no_bom(tmp_path, encoding):
    """Where stdout is set to a Chinese legacy encoding, csv is written in it, without the UTF-8 BOM it
    cannot encode (it used to fail with UnicodeEncodeError)."""
    import os

    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIOENCODING",))}
    env["PYTHONIOENCODING"] = encoding
    for args in (["extract", "--no-model", "-j", "1", "--format", "csv", str(report)],
                 ["table", "--no-model", "-j", "1", "--format", "csv", str(report)]):
        proc = subprocess.run([sys.executable, "-c", "from reportmine.cli import main; main()", *args],
                              capture_output=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
        text = proc.stdout.decode(encoding)
        assert not text.startswith("\ufeff") and text.split(",", 1)[0] in ("source", "category")


def test_stdout_encoding_without_the_characters_is_one_clear_error(tmp_path):
    """Simplified output on a Big5 stdout cannot be written: one line naming the encoding and the way
    out (-o FILE), exit 1, no traceback."""
    import os

    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIOENCODING",))}
    env["PYTHONIOENCODING"] = "big5"
    proc = subprocess.run([sys.executable, "-c", "from reportmine.cli import main; main()",
                           "extract", "--no-model", "-j", "1", "--format", "csv", str(report)],
                          capture_output=True, env=env, timeout=300)
    err = proc.stderr.decode("big5", "replace")
    assert proc.returncode == 1 and "Traceback" not in err
    assert "big5" in err and "-o FILE" in err

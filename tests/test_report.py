"""Rendering: the table/recurring/report CLI commands, and the HTML report in Chromium (the table formats:
test_formatting)."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

import reportmine as rm
from reportmine import aggregate as ag
from reportmine.cli import cli
from reportmine.report import EVIDENCE_SHEET_COLUMNS, script_json

from test_aggregate import REPORTS, write_corpus

XSS_REPORT = """关于<img src=x onerror="window.__pwned=2">的检查通报

一、存在的问题
检查发现，城区投递部邮件积压<script>window.__pwned=1</script>严重。

偏关县邮政分公司
2021年3月5日
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("reports"), {**REPORTS, "x_xss.txt": XSS_REPORT})


@pytest.fixture(scope="module")
def corpus(folder) -> ag.Corpus:
    return rm.load(folder)


def invoke(*args: str, jobs: str = "1"):
    """Run a command in-process (one worker: the tiny corpora need no pool)."""
    return CliRunner().invoke(cli, [*args, "--jobs", jobs], catch_exceptions=False)


# --------------------------------------------------------------------------- script JSON


@pytest.mark.parametrize("value", ["</script><script>alert(1)</script>", "a & b > c", "\u2028line"])
def test_script_json_cannot_close_the_script(value):
    out = script_json({"t": value})
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == {"t": value}


# --------------------------------------------------------------------------- CLI


def test_cli_table_text(folder):
    res = invoke("table", str(folder), "--by", "org", "--quiet", jobs="2")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.rstrip("\n").split("\n")
    assert len({wcswidth(line) for line in lines}) == 1
    assert lines[0].split() == ["org", "category", "count", "reports", "mentions", "n_reports", "share"]
    body = [line.split() for line in lines[2:]]
    assert ["保德县邮政分公司", "邮件积压", "(backlog)", "2", "2", "3", "2", "100.0%"] in body
    assert res.stderr == ""  # --quiet: nothing on stderr, progress never on stdout


def test_cli_table_csv_has_bom_and_opens_in_excel(folder, tmp_path):
    out = tmp_path / "t.csv"
    res = invoke("table", str(folder), "--by", "year", "--unit", "mentions", "--format", "csv", "-o", str(out), "-q")
    assert res.exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    got = {(r["year"], r["category"]): (r["count"], r["reports"]) for r in rows}
    assert got[("2019", "backlog")] == ("2", "1")  # two mentions in one report
    stdout = invoke("table", str(folder), "--format", "csv", "-q").stdout
    assert stdout.startswith("\ufeffcategory,label,count")


def test_cli_table_json_and_md(folder):
    res = invoke("table", str(folder), "--polarity", "not_found", "--format", "json", "-q")
    records = json.loads(res.stdout)
    assert [(r["category"], r["reports"]) for r in records] == [("backlog", 1)]
    assert set(records[0]) == set(ag.FREQUENCY_COLUMNS)
    md = invoke("table", str(folder), "--top", "1", "--format", "md", "-q").stdout.splitlines()
    assert len(md) == 3 and md[2].startswith("| 邮件积压 (backlog) | 3 |")


@pytest.mark.parametrize("kind, first_cols", [
    ("cooccurrence", ["category_a", "category_b", "reports"]),
    ("actions", ["category", "action", "actions"]),
    ("fines", ["category", "fines", "amount_yuan"]),
])
def test_cli_other_tables(folder, kind, first_cols):
    res = invoke("table", str(folder), "--table", kind, "--polarity", "any", "--format", "text", "-q")
    assert res.exit_code == 0
    assert res.stdout.split("\n")[0].split()[:3] == first_cols


def test_cli_xlsx_has_every_table_and_the_evidence(folder, tmp_path, corpus):
    from openpyxl import load_workbook

    out = tmp_path / "t.xlsx"
    res = invoke("table", str(folder), "--by", "org", "--format", "xlsx", "-o", str(out), "-q")
    assert res.exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["frequency", "recurrence", "cooccurrence", "issue_actions", "fines", "evidence"]
    ev = list(wb["evidence"].iter_rows(values_only=True))
    assert ev[0] == EVIDENCE_SHEET_COLUMNS
    assert len(ev) - 1 == len(corpus.findings)  # every finding, every polarity
    col = {name: i for i, name in enumerate(ev[0])}
    for r in ev[1:]:
        text = Path(r[col["source"]]).read_text(encoding="utf-8")
        assert text[r[col["start"]]:r[col["end"]]] == r[col["original"]]
    freq = list(wb["frequency"].iter_rows(values_only=True))
    assert freq[0][:3] == ("org", "category", "label")
    assert invoke("table", str(folder), "--format", "xlsx").exit_code == 2  # a workbook needs -o


def test_cli_recurring(folder):
    res = invoke("recurring", str(folder), "-q")
    assert res.exit_code == 0
    lines = res.stdout.rstrip("\n").split("\n")
    assert len(lines) == 3 and len({wcswidth(line) for line in lines}) == 1
    assert lines[2].split()[:5] == ["保德县邮政分公司", "邮件积压", "(backlog)", "2", "2"]
    data = json.loads(invoke("recurring", str(folder), "--by", "county", "--format", "json", "-q").stdout)
    assert [(r["county"], r["category"], r["consecutive"]) for r in data] == [("保德县", "backlog", True)]


def test_cli_rejects_bad_columns(folder):
    res = invoke("table", str(folder), "--by", "colour")
    assert res.exit_code == 2 and "colour" in res.stderr
    assert invoke("table", str(folder), "--table", "cooccurrence", "--by", "org").exit_code == 2


def test_cli_reports_skipped_inputs_with_exit_code(folder, tmp_path):
    res = invoke("table", str(folder), str(tmp_path / "missing.txt"))
    assert res.exit_code == 2
    assert "missing.txt" in res.stderr and "skipped" in res.stderr
    assert "missing.txt" not in res.stdout


# --------------------------------------------------------------------------- HTML


def test_html_is_self_contained_and_escapes_report_text(corpus, tmp_path):
    out = tmp_path / "r.html"
    res = invoke("report", str(out.parent.parent / "nonexistent"), "-o", str(out), "-q")
    assert res.exit_code == 2  # the only input is skipped: still a (empty) report
    assert "<!DOCTYPE html>" in out.read_text(encoding="utf-8")
    page = rm.render_html(corpus)
    head, rest = page.split('<script type="text/javascript">', 1)
    plotly_js, rest = rest.split("</script>", 1)
    assert len(plotly_js) > 1_000_000 and "Plotly" in plotly_js  # plotly.js inlined ...
    assert not re.search(r"<script[^>]*\bsrc=|<link[^>]*\bhref=", head + rest)  # ... and nothing fetched
    assert "window.__pwned=1" in page  # the text is there ...
    assert "<script>window.__pwned" not in page and "<img src=x" not in page  # ... but only escaped
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    for fid in ("fig-overview", "fig-categories", "fig-heatmap", "fig-trend"):
        assert f'id="{fid}"' in page
    for sid in ("overview", "categories", "heatmap", "trend", "recurring", "actions", "evidence"):
        assert f'<section id="{sid}">' in page


def _browser() -> tuple[str, str] | None:
    chrome = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver")
    return (chrome, driver) if chrome and driver else None


@pytest.fixture(scope="module")
def browser():
    found = _browser()
    if found is None:
        pytest.skip("headless Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service

    chrome, driver_path = found
    profile = tempfile.mkdtemp(prefix="rm-chrome-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,2400"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


def test_html_report_renders_in_chromium(browser, folder, tmp_path):
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    res = invoke("report", str(folder), "-o", str(out), "-q")
    assert res.exit_code == 0, res.stderr
    browser.get(out.as_uri())
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe
    assert browser.execute_script("return typeof Plotly") == "object"
    assert browser.execute_script("return window.__pwned") is None  # no injected script or handler ran
    # every chart drew its SVG with marks
    for fid in ("fig-overview", "fig-categories", "fig-heatmap", "fig-trend"):
        assert browser.find_elements(By.CSS_SELECTOR, f"#{fid} .main-svg"), fid
    bars = browser.find_elements(By.CSS_SELECTOR, "#fig-categories .bars .point")
    assert len(bars) == 2  # backlog and missing_date_stamp were found
    assert browser.find_elements(By.CSS_SELECTOR, "#fig-heatmap .hm image")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#fig-trend .scatterlayer .trace")) == 2
    # the injected markup shows as text in the evidence table
    rows = browser.find_elements(By.CSS_SELECTOR, "#evidence-table tbody tr")
    assert len(rows) == 5  # found mentions: 2 + 1 (保德) + 1 (河曲) + 1 (偏关)
    assert any("<script>window.__pwned=1</script>" in r.text for r in rows)
    assert browser.execute_script("return document.querySelectorAll('#evidence img, main script[src]').length") == 0
    # the filter box
    box = browser.find_element(By.ID, "evidence-filter")
    box.send_keys("<script>")
    visible = [r for r in rows if r.is_displayed()]
    assert len(visible) == 1
    assert browser.find_element(By.ID, "evidence-count").text == "1 / 5"
    box.clear()
    browser.execute_script("window.reportmineShowCategory('missing_date_stamp')")
    assert browser.find_element(By.ID, "evidence-count").text == "1 / 5"
    # the page is not blank
    from PIL import Image

    browser.execute_script("window.scrollTo(0, 0)")
    png = browser.get_screenshot_as_png()
    (tmp_path / "report.png").write_bytes(png)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 200
    assert img.getbbox() is not None

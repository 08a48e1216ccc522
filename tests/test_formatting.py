"""Table formats (reportmine.formatting): labels shown with ids, aligned text, CSV, JSON and Markdown."""
from __future__ import annotations

import csv
import io
import json

import pandas as pd
from wcwidth import wcswidth

from reportmine.formatting import display_frame, format_table


def test_display_frame_shows_label_with_id():
    df = pd.DataFrame({"org": ["甲"], "category": ["backlog"], "label": ["邮件积压"], "count": [2]})
    d = display_frame(df)
    assert list(d.columns) == ["org", "category", "count"]
    assert d["category"].iloc[0] == "邮件积压 (backlog)"
    acts = pd.DataFrame({"type": ["fine"], "label": ["罚款"], "category": ["backlog"], "category_label": ["邮件积压"]})
    assert display_frame(acts).iloc[0].tolist() == ["罚款 (fine)", "邮件积压 (backlog)"]


def test_text_table_lines_have_equal_display_width():
    df = pd.DataFrame({
        "org": ["保德县邮政分公司", "X", None],
        "category": ["backlog", "lost_damaged", "misrouting"],
        "label": ["邮件积压", "丢失/损毁", "错分/倒流/误投"],
        "count": [12, 3, 100],
        "share": [0.5, 0.125, 1.0],
        "example": ["很长的引用" * 30, "tab\there\nnewline", "ｆｕｌｌ-width ＡＢＣ"],
    })
    text = format_table(df, "text")
    lines = text.rstrip("\n").split("\n")
    assert len(lines) == 5
    widths = {wcswidth(line) for line in lines}
    assert len(widths) == 1, [wcswidth(line) for line in lines]
    assert "邮件积压 (backlog)" in lines[2] and "50.0%" in lines[2] and "12.5%" in lines[3]
    assert "..." in lines[2] and "\t" not in text  # long cells are cut, control characters go
    assert lines[4].split()[0] == "-"  # NA


def test_csv_json_md_formats():
    df = pd.DataFrame({"category": ["backlog"], "label": ["邮件积压"], "count": [2], "share": [0.5], "example": ["=HYPERLINK(1)"]})
    rows = list(csv.reader(io.StringIO(format_table(df, "csv"))))
    assert rows[0] == ["category", "label", "count", "share", "example"]
    assert rows[1] == ["backlog", "邮件积压", "2", "0.5", "'=HYPERLINK(1)"]  # no formula in a spreadsheet
    assert json.loads(format_table(df, "json")) == [
        {"category": "backlog", "label": "邮件积压", "count": 2, "share": 0.5, "example": "=HYPERLINK(1)"}]
    md = format_table(df, "md").splitlines()
    assert md[0] == "| category | count | share | example |" and md[1] == "|---|---:|---:|---|"
    assert md[2].startswith("| 邮件积压 (backlog) | 2 | 50.0% |")

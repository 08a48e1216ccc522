"""The corpus (reportmine.corpus): periods of dates, and rm.load of a DataFrame, a glob or with a user taxonomy."""
from __future__ import annotations

import pandas as pd
import pytest

import reportmine as rm
from reportmine import aggregate as ag
from reportmine import corpus as rc

from test_aggregate import REPORTS, row, write_corpus

# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    "date, expected",
    [
        ("2019", (2019, None, None)),
        ("2019-03", (2019, "2019Q1", "2019-03")),
        ("2019-11-05", (2019, "2019Q4", "2019-11")),
        ("2020-07-01", (2020, "2020Q3", "2020-07")),
        (None, (None, None, None)),
        ("", (None, None, None)),
        ("2019-13", (2019, None, None)),
    ],
)
def test_periods_of_partial_dates(date, expected):
    assert rc._periods(date) == expected


# --------------------------------------------------------------------------- inputs


def test_load_a_dataframe_and_a_glob(tmp_path):
    df = pd.DataFrame({"name": ["one", "two", "three"], "text": [REPORTS["a_2019.txt"], REPORTS["c_2020.txt"], None]})
    corpus = rm.load(df, source_column="name")
    assert list(corpus.reports["source"]) == ["one", "two"]
    assert list(corpus.skipped["source"]) == ["three"]
    assert row(rm.frequency(corpus), category="backlog")["reports"] == 1
    with pytest.raises(ag.QueryError):
        rm.load(df, text_column="body")
    folder = write_corpus(tmp_path, REPORTS)
    assert len(rm.load(str(folder / "*_2020.txt")).reports) == 2


def test_load_with_a_user_taxonomy(tmp_path):
    folder = write_corpus(tmp_path / "c", {"r.txt": "服务检查通报\n\n检查发现，营业员未穿工作服。\n\n保德县邮政分公司\n2021年3月1日\n"})
    assert len(rm.load(folder).findings) == 0
    tax = tmp_path / "extra.yaml"
    tax.write_text("categories:\n  uniform:\n    label: 着装不规范\n    cues: [未穿工作服]\n", encoding="utf-8")
    corpus = rm.load(folder, taxonomy=tax)
    r = row(rm.frequency(corpus), category="uniform")
    assert (r.label, r.reports) == ("着装不规范", 1)

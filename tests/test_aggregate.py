"""The notebook API: rm.load and the tables, on small corpora whose counts are derived by hand."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import reportmine as rm
from reportmine import aggregate as ag
from reportmine.io import read_document

ROOT = Path(__file__).resolve().parents[1]

# Three reports. By hand:
#  a (保德, 2019-06-10): backlog found twice (two sentences), a 200 yuan fine in the backlog sentence.
#  b (保德, 2020-09-15): backlog found once; 严禁积压邮件 is a requirement.
#  c (河曲, 2020-11-20): backlog NOT found (未发现邮件积压); missing_date_stamp found.
REPORTS = {
    "a_2019.txt": """2019年邮政服务质量检查情况报告

一、基本情况
2019年5月，我局对城区投递部进行了服务质量专项检查。
二、存在的问题
检查发现，城区投递部邮件积压严重，部分包裹滞留三天未投，已对责任人给予罚款200元。
检查还发现，乡镇支局存在报刊积压问题。

保德县邮政分公司
2019年6月10日
""",
    "b_2020.txt": """2020年邮政服务质量自查报告

一、自查情况
2020年8月，我公司组织开展了服务质量自查。
二、存在的问题
检查发现，城区投递部仍有邮件积压现象。
三、下一步措施
加强投递管理，严禁积压邮件。

保德县邮政分公司
2020年9月15日
""",
    "c_2020.txt": """2020年投递质量检查报告

一、检查情况
2020年10月，我公司对各投递段进行了检查，未发现邮件积压现象。
二、存在的问题
检查发现，部分邮件无投递日戳。
三、整改措施
对相关投递员进行了业务培训。

河曲县邮政分公司
2020年11月20日
""",
}


def write_corpus(folder: Path, reports: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> ag.Corpus:
    folder = write_corpus(tmp_path_factory.mktemp("small"), REPORTS)
    (folder / "empty.txt").write_bytes(b"")
    return rm.load(folder)


BUNDLED = ROOT / "corpora" / "reports"


@pytest.fixture(scope="module")
def bundled_files() -> set[str]:
    return {str(p) for p in BUNDLED.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def bundled(bundled_files) -> ag.Corpus:
    """The bundled corpus, run through the pipeline once for this module (files listed before)."""
    return rm.load(BUNDLED)


def row(df: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for k, v in where.items():
        mask &= df[k] == v
    hits = df[mask]
    assert len(hits) == 1, f"expected one row for {where}, got {len(hits)}:\n{df}"
    return hits.iloc[0]


# --------------------------------------------------------------------------- corpus tables


def test_corpus_tables_have_the_documented_columns(small):
    assert tuple(small.reports.columns) == ag.REPORT_COLUMNS
    assert tuple(small.findings.columns) == ag.FINDING_COLUMNS
    assert tuple(small.actions.columns) == ag.ACTION_COLUMNS
    assert tuple(small.skipped.columns) == ag.SKIPPED_COLUMNS
    assert tuple(small.unmatched.columns) == ag.UNMATCHED_COLUMNS
    for col in ("report_id", "source", "index", "org", "province", "city", "county", "date", "year", "quarter", "doc_type", "script"):
        assert col in small.reports.columns


def test_reports_carry_unit_region_and_periods(small):
    assert len(small.reports) == 3
    a = row(small.reports, source=str(Path(small.reports.source.iloc[0]).parent / "a_2019.txt"))
    assert (a.org, a.province, a.city, a.county) == ("保德县邮政分公司", "山西省", "忻州市", "保德县")
    assert (a.date, a.year, a.quarter, a.month) == ("2019-06-10", 2019, "2019Q2", "2019-06")
    assert a.doc_type == "inspection_summary" and a.script == "simplified"
    assert str(small.reports["year"].dtype) == "Int64"


def test_skipped_inputs_are_kept_with_stage_and_reason(small):
    assert len(small.skipped) == 1
    s = small.skipped.iloc[0]
    assert s.source.endswith("empty.txt") and s.stage == "read" and "empty" in s.reason


def test_findings_quote_the_original_text(small):
    for f in small.findings.itertuples():
        text = Path(f.source).read_text(encoding="utf-8")
        assert text[f.start:f.end] == f.original
    assert set(small.findings["label"][small.findings["category"] == "backlog"]) == {"邮件积压"}


def test_findings_polarity_by_hand(small):
    f = small.findings
    counts = f.groupby(["category", "polarity"]).size().to_dict()
    assert counts[("backlog", "found")] == 3
    assert counts[("backlog", "not_found")] == 1
    assert counts[("missing_date_stamp", "found")] == 1


def test_action_points_to_the_finding_it_answers(small):
    fine = row(small.actions, type="fine")
    assert fine.amount_yuan == 200 and not fine.planned
    assert fine.category == "backlog" and fine.category_label == "邮件积压"
    linked = row(small.findings, report_id=fine.report_id, finding=fine.finding)
    assert linked.category == "backlog" and linked.polarity == "found"


# --------------------------------------------------------------------------- frequency


def test_frequency_counts_reports_by_default(small):
    t = rm.frequency(small)
    assert tuple(t.columns) == ag.FREQUENCY_COLUMNS
    b = row(t, category="backlog")
    assert (b["count"], b.reports, b.mentions, b.n_reports) == (2, 2, 3, 3)
    assert math.isclose(b.share, 2 / 3)
    assert b.label == "邮件积压"
    m = row(t, category="missing_date_stamp")
    assert (m["count"], m.reports, m.mentions) == (1, 1, 1)
    assert list(t["category"]) == ["backlog", "missing_date_stamp"]  # largest first


def test_frequency_counts_mentions_when_asked(small):
    t = rm.frequency(small, unit="mentions")
    assert row(t, category="backlog")["count"] == 3
    assert row(t, category="backlog")["reports"] == 2


@pytest.mark.parametrize(
    "polarity, expected",
    [
        ("found", {"backlog": 2, "missing_date_stamp": 1}),
        ("not_found", {"backlog": 1}),
        ("requirement", {"backlog": 1}),
        ("any", {"backlog": 3, "missing_date_stamp": 1}),
    ],
)
def test_frequency_polarity_is_selectable(small, polarity, expected):
    t = rm.frequency(small, polarity=polarity)
    assert dict(zip(t["category"], t["reports"])) == expected


@pytest.mark.parametrize(
    "by, key, expected",
    [
        ("org", {"org": "保德县邮政分公司", "category": "backlog"}, (2, 2, 1.0)),
        ("org", {"org": "河曲县邮政分公司", "category": "missing_date_stamp"}, (1, 1, 1.0)),
        ("year", {"year": 2019, "category": "backlog"}, (1, 1, 1.0)),
        ("year", {"year": 2020, "category": "backlog"}, (1, 2, 0.5)),
        ("year", {"year": 2020, "category": "missing_date_stamp"}, (1, 2, 0.5)),
        ("county,year", {"county": "保德县", "year": 2020, "category": "backlog"}, (1, 1, 1.0)),
        ("quarter", {"quarter": "2020Q4", "category": "missing_date_stamp"}, (1, 1, 1.0)),
        ("province", {"province": "山西省", "category": "backlog"}, (2, 3, 2 / 3)),
    ],
)
def test_frequency_by_units(small, by, key, expected):
    t = rm.frequency(small, by=by)
    keys = [k.strip() for k in by.split(",")]
    assert list(t.columns[: len(keys)]) == keys
    r = row(t, **key)
    assert (r.reports, r.n_reports) == expected[:2]
    assert math.isclose(r.share, expected[2])


def test_frequency_top_keeps_n_per_group(small):
    t = rm.frequency(small, by="year", top=1)
    assert t.groupby("year").size().max() == 1
    assert len(t) == 2


@pytest.mark.parametrize("kwargs", [{"by": "nonsense"}, {"by": "org,org"}, {"polarity": "maybe"}, {"unit": "words"}, {"top": 0}])
def test_frequency_rejects_bad_options(small, kwargs):
    with pytest.raises(ag.QueryError):
        rm.frequency(small, **kwargs)


def test_group_with_unknown_unit_is_kept(tmp_path):
    text = "检查情况通报\n\n检查发现，营业厅邮件积压。\n\n2021年3月1日\n"  # no signing unit
    corpus = rm.load(write_corpus(tmp_path, {"x.txt": text}))
    t = rm.frequency(corpus, by="org")
    assert len(t) == 1 and pd.isna(t["org"].iloc[0]) and t["n_reports"].iloc[0] == 1


# --------------------------------------------------------------------------- recurrence, co-occurrence, actions, fines


def test_recurrence_finds_the_same_problem_in_two_years(small):
    t = rm.recurrence(small)
    assert tuple(t.columns) == ("org", *ag.RECURRENCE_COLUMNS)
    assert len(t) == 1  # the not_found in 河曲 and the single date-stamp report do not recur
    r = t.iloc[0]
    assert (r.org, r.category, r.label) == ("保德县邮政分公司", "backlog", "邮件积压")
    assert (r.reports, r.periods, r.longest_run, bool(r.consecutive)) == (2, 2, 2, True)
    assert (r.first_seen, r.last_seen) == ("2019-06-10", "2020-09-15")
    assert "邮件积压" in r.example and r.example_source.endswith("b_2020.txt")  # the most recent quote
    assert Path(r.example_source).read_text(encoding="utf-8")[r.example_start:r.example_end] == r.example


def test_recurrence_options(small):
    assert len(rm.recurrence(small, min_reports=3)) == 0
    by_province = rm.recurrence(small, by="province")
    assert list(by_province["category"]) == ["backlog"] and by_province["reports"].iloc[0] == 2
    assert rm.recurrence(small, period="quarter")["longest_run"].iloc[0] == 1  # 2019Q2, 2020Q3: not consecutive
    with pytest.raises(ag.QueryError):
        rm.recurrence(small, by=())
    with pytest.raises(ag.QueryError):
        rm.recurrence(small, period="week")


@pytest.mark.parametrize("ords, expected", [([], 0), ([5], 1), ([1, 2, 3], 3), ([1, 3, 4], 2), ([2019, 2021], 1), ([3, 3, 4], 2)])
def test_longest_run(ords, expected):
    assert ag._longest_run(ords) == expected


def test_cooccurrence_within_reports(small):
    assert rm.cooccurrence(small).empty  # no report has both found
    t = rm.cooccurrence(small, polarity="any")
    assert tuple(t.columns) == ag.COOCCURRENCE_COLUMNS
    r = t.iloc[0]
    assert (r.category_a, r.category_b, r.reports, r.reports_a, r.reports_b) == ("backlog", "missing_date_stamp", 1, 3, 1)
    assert math.isclose(r.jaccard, 1 / 3)


def test_issue_actions_and_fines(small):
    t = rm.issue_actions(small)
    assert tuple(t.columns) == ag.ISSUE_ACTION_COLUMNS
    r = row(t, category="backlog", action="fine")
    assert (r.actions, r.reports, r.taken, r.planned, r.amount_yuan) == (1, 1, 1, 0, 200)
    assert r.action_label == "罚款/经济处罚" and "200元" in r.example
    f = rm.fines(small)
    assert tuple(f.columns) == ("org", *ag.FINE_COLUMNS)
    r = row(f, org="保德县邮政分公司")
    assert (r.category, r.fines, r.amount_yuan, r.reports) == ("backlog", 1, 200, 1)
    assert rm.fines(small, by=None)["amount_yuan"].sum() == 200


def test_evidence_drills_down_to_quotes(small):
    e = rm.evidence(small, category="backlog", org="保德县邮政分公司")
    assert tuple(e.columns) == ag.FINDING_COLUMNS
    assert len(e) == 3 and set(e["polarity"]) == {"found"}
    assert len(rm.evidence(small, category="backlog", org="保德县邮政分公司", year=2019)) == 2
    assert len(rm.evidence(small, category="backlog", polarity="not_found")) == 1
    with pytest.raises(ag.QueryError):
        rm.evidence(small, nonsense=1)


def test_where_restricts_every_table(small):
    sub = small.where(year=2020)
    assert len(sub.reports) == 2 and set(sub.findings["year"]) == {2020}
    assert len(small.where(org=["河曲县邮政分公司"]).reports) == 1
    assert len(small.where(org=None).reports) == 0


def test_empty_corpus_gives_empty_tables_with_columns(tmp_path):
    corpus = rm.load(tmp_path / "nothing-here")
    assert len(corpus.reports) == 0 and len(corpus.skipped) == 1
    assert tuple(rm.frequency(corpus, by="org").columns) == ("org", *ag.FREQUENCY_COLUMNS)
    assert tuple(rm.recurrence(corpus).columns) == ("org", *ag.RECURRENCE_COLUMNS)
    assert tuple(rm.cooccurrence(corpus).columns) == ag.COOCCURRENCE_COLUMNS
    assert tuple(rm.issue_actions(corpus).columns) == ag.ISSUE_ACTION_COLUMNS
    assert tuple(rm.fines(corpus).columns) == ("org", *ag.FINE_COLUMNS)


# --------------------------------------------------------------------------- the package


def test_import_is_light():
    code = "import sys, reportmine as rm; print(sorted(m for m in ('pandas', 'sklearn', 'jieba', 'plotly') if m in sys.modules)); print(callable(rm.load))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "True"
    assert set(rm.__all__) >= {"load", "frequency", "recurrence", "cooccurrence", "issue_actions", "fines", "evidence", "discover", "Corpus"}
    with pytest.raises(AttributeError):
        rm.no_such_name  # noqa: B018


# --------------------------------------------------------------------------- the bundled corpus


def test_bundled_corpus_contracts(bundled, bundled_files):
    accounted = set(bundled.reports["source"]) | set(bundled.skipped["source"])
    assert bundled_files <= accounted  # every input gave reports or a reason
    assert bundled.reports["report_id"].is_unique
    f = bundled.findings
    assert set(f["polarity"]) <= {"found", "not_found", "requirement"}
    assert set(f["report_id"]) <= set(bundled.reports["report_id"])
    texts = {s: read_document(s).text for s in f["source"].unique()}  # offsets index the decoded document text
    assert all(texts[r.source][r.start:r.end] == r.original for r in f.itertuples())
    # actions point at findings of their own report
    linked = bundled.actions.dropna(subset=["finding"])
    keys = set(zip(f["report_id"], f["finding"]))
    assert all((r.report_id, r.finding) in keys for r in linked.itertuples())
    # report and mention counts agree with the findings table
    t = rm.frequency(bundled, by="year")
    found = f[f["polarity"] == "found"]
    assert t["mentions"].sum() == len(found)  # reports without a date form their own (NA) group
    assert t["year"].isna().any() == found["year"].isna().any()
    assert (t["reports"] <= t["n_reports"]).all() and (t["share"] <= 1).all()
    assert rm.frequency(bundled)["reports"].max() <= len(bundled.reports)

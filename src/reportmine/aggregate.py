"""Aggregation: the tables of recurring problems, as functions of a :class:`~reportmine.corpus.Corpus`.

The corpus (its tables and their columns, :func:`load`, :func:`from_results`) is defined in
:mod:`reportmine.corpus` and importable from here too. Every table has fixed columns, in the order listed
here; ``NA`` marks an unknown value.

Tables (functions of a corpus)
------------------------------
:func:`frequency`: ``*by``, category, label, count (in the chosen unit), reports (reports of the group
    where the category has the polarity), mentions, n_reports (reports in the group), share
    (reports / n_reports).
:func:`recurrence`: ``*by``, category, label, reports, periods (distinct periods with the category),
    first_seen, last_seen (dates), longest_run (most consecutive periods), consecutive (bool),
    example, example_source, example_start, example_end (the most recent quote).
:func:`cooccurrence`: category_a, label_a, category_b, label_b, reports (with both), reports_a,
    reports_b, jaccard.
:func:`issue_actions`: category, label, action, action_label, actions (mentions), reports, taken,
    planned, amount_yuan (sum of stated amounts, NA when none), example.
:func:`fines`: ``*by``, category, label, fines (fines with a stated amount), amount_yuan (sum), reports.
:func:`evidence`: rows of ``Corpus.findings`` (same columns) filtered by category, polarity and units.

The counting unit is explicit: ``unit="reports"`` (default) counts in how many reports a category was
found, ``unit="mentions"`` counts mentions. Polarity is ``found`` by default; ``"any"`` takes all three.
"""
from __future__ import annotations

from typing import Any, Iterable, Literal, Sequence

import pandas as pd

from .corpus import (ACTION_COLUMNS, FINDING_COLUMNS, REPORT_COLUMNS, SKIPPED_COLUMNS, UNIT_COLUMNS, UNMATCHED_COLUMNS, Corpus,
                     QueryError, _mask, from_results, load)

__all__ = [
    "Corpus",
    "QueryError",
    "load",
    "from_results",
    "frequency",
    "recurrence",
    "cooccurrence",
    "issue_actions",
    "fines",
    "evidence",
    "BY_COLUMNS",
    "UNIT_COLUMNS",
    "REPORT_COLUMNS",
    "FINDING_COLUMNS",
    "ACTION_COLUMNS",
    "SKIPPED_COLUMNS",
    "UNMATCHED_COLUMNS",
    "FREQUENCY_COLUMNS",
    "RECURRENCE_COLUMNS",
    "COOCCURRENCE_COLUMNS",
    "ISSUE_ACTION_COLUMNS",
    "FINE_COLUMNS",
]

Polarity = Literal["found", "not_found", "requirement", "any"]
Unit = Literal["reports", "mentions"]
Period = Literal["year", "quarter", "month"]

BY_COLUMNS = ("org", "province", "city", "county", "year", "quarter", "month", "doc_type", "source")
FREQUENCY_COLUMNS = ("category", "label", "count", "reports", "mentions", "n_reports", "share")
RECURRENCE_COLUMNS = ("category", "label", "reports", "periods", "first_seen", "last_seen", "longest_run", "consecutive",
                      "example", "example_source", "example_start", "example_end")
COOCCURRENCE_COLUMNS = ("category_a", "label_a", "category_b", "label_b", "reports", "reports_a", "reports_b", "jaccard")
ISSUE_ACTION_COLUMNS = ("category", "label", "action", "action_label", "actions", "reports", "taken", "planned", "amount_yuan", "example")
FINE_COLUMNS = ("category", "label", "fines", "amount_yuan", "reports")

_POLARITIES = ("found", "not_found", "requirement", "any")


def _keys(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    keys = [k.strip() for k in by.split(",")] if isinstance(by, str) else [str(k).strip() for k in by]
    keys = [k for k in keys if k]
    for k in keys:
        if k not in BY_COLUMNS:
            raise QueryError(f"cannot group by {k!r} (choose from: {', '.join(BY_COLUMNS)})")
    if len(set(keys)) != len(keys):
        raise QueryError(f"a column is named twice in by={','.join(keys)}")
    return keys


def _polar(df: pd.DataFrame, polarity: str) -> pd.DataFrame:
    if polarity not in _POLARITIES:
        raise QueryError(f"unknown polarity {polarity!r} (choose from: {', '.join(_POLARITIES)})")
    return df if polarity == "any" else df[df["polarity"] == polarity]


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def _sorted(df: pd.DataFrame, keys: list[str], by: list[str], ascending: list[bool]) -> pd.DataFrame:
    return df.sort_values(keys + by, ascending=[True] * len(keys) + ascending, na_position="last", kind="stable").reset_index(drop=True)


def frequency(
    corpus: Corpus,
    *,
    by: str | Sequence[str] | None = (),
    polarity: Polarity = "found",
    unit: Unit = "reports",
    top: int | None = None,
) -> pd.DataFrame:
    """How often each category occurs, overall or per group of ``by`` columns (org, province, city, county,
    year, quarter, month, doc_type, source). ``count`` is ``reports`` or ``mentions`` per ``unit``; ``share``
    is always reports with the category / reports in the group. ``top``: keep the N largest per group."""
    keys = _keys(by)
    if unit not in ("reports", "mentions"):
        raise QueryError(f"unknown unit {unit!r} (choose from: reports, mentions)")
    if top is not None and top < 1:
        raise QueryError("top must be a positive number")
    columns = [*keys, *FREQUENCY_COLUMNS]
    f = _polar(corpus.findings, polarity)
    if f.empty:
        return _empty(columns)
    g = f.groupby([*keys, "category"], dropna=False, sort=False)
    t = pd.DataFrame({"reports": g["report_id"].nunique(), "mentions": g.size()}).reset_index()
    if keys:
        n = corpus.reports.groupby(keys, dropna=False).size().rename("n_reports").reset_index()
        t = t.merge(n, on=keys, how="left")
    else:
        t["n_reports"] = len(corpus.reports)
    t["label"] = t["category"].map(corpus.label)
    t["count"] = t[unit]
    t["share"] = t["reports"] / t["n_reports"]
    t = _sorted(t, keys, ["count", "reports", "category"], [False, False, True])
    if top is not None:
        t = (t.groupby(keys, dropna=False, sort=False).head(top) if keys else t.head(top)).reset_index(drop=True)
    return t[columns]


def _ordinals(values: pd.Series, period: str) -> pd.Series:
    """Periods as consecutive integers (year, year*4+q-1, year*12+m-1); NA where unknown."""
    if period == "year":
        return values.astype("Int64")
    s = values.astype("object").where(values.notna(), None)
    known = s.notna()
    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if known.any():
        k = s[known].astype(str)
        year = k.str[:4].astype(int)
        out[known] = year * 4 + k.str[5].astype(int) - 1 if period == "quarter" else year * 12 + k.str[5:7].astype(int) - 1
    return out


def _longest_run(ordinals: Iterable[int]) -> int:
    """The most consecutive integers among ``ordinals`` (duplicates ignored)."""
    best = run = 0
    prev = None
    for o in sorted(set(ordinals)):
        run = run + 1 if prev is not None and o == prev + 1 else 1
        best = max(best, run)
        prev = o
    return best


def recurrence(
    corpus: Corpus,
    *,
    by: str | Sequence[str] = ("org",),
    period: Period = "year",
    polarity: Polarity = "found",
    min_reports: int = 2,
) -> pd.DataFrame:
    """Categories found in ``min_reports`` or more reports of the same unit (``by``), with the number of
    distinct periods, first and last dates, the longest run of consecutive periods and the most recent
    quote. Rows of unknown units are left out. Sorted by reports, then run length."""
    keys = _keys(by)
    if not keys:
        raise QueryError("recurrence needs a unit: by=org (or province, city, ...)")
    if period not in ("year", "quarter", "month"):
        raise QueryError(f"unknown period {period!r} (choose from: year, quarter, month)")
    columns = [*keys, *RECURRENCE_COLUMNS]
    group = [*keys, "category"]
    f = _polar(corpus.findings, polarity).dropna(subset=keys)
    g = f.groupby(group, sort=False)
    t = pd.DataFrame({"reports": g["report_id"].nunique(), "first_seen": g["date"].min(), "last_seen": g["date"].max()})
    t = t[t["reports"] >= min_reports]
    if t.empty:
        return _empty(columns)
    f = f.set_index(group).loc[t.index].reset_index().assign(_ord=lambda d: _ordinals(d[period], period))
    # distinct periods and runs of consecutive ones
    p = f.dropna(subset=["_ord"])[[*group, "_ord"]].drop_duplicates().sort_values([*group, "_ord"], kind="stable")
    new_group = (p[group] != p[group].shift()).any(axis=1)
    run_id = (new_group | (p["_ord"].diff() != 1)).cumsum()
    run_len = p.groupby(run_id)["_ord"].transform("size")
    runs = p.assign(_run=run_len).groupby(group, sort=False).agg(periods=("_ord", "size"), longest_run=("_run", "max"))
    t = t.join(runs).fillna({"periods": 0, "longest_run": 0})
    t["periods"] = t["periods"].astype(int)
    t["longest_run"] = t["longest_run"].astype(int)
    t["consecutive"] = t["longest_run"] >= 2
    # the most recent quote
    latest = (f.sort_values(["date", "source", "index", "start"], na_position="first", kind="stable")
              .groupby(group, sort=False).tail(1).set_index(group))
    t["example"] = latest["original"]
    t["example_source"] = latest["source"]
    t["example_start"] = latest["start"].astype(int)
    t["example_end"] = latest["end"].astype(int)
    t = t.reset_index()
    t["label"] = t["category"].map(corpus.label)
    t = t.sort_values(["reports", "longest_run", *keys, "category"], ascending=[False, False] + [True] * (len(keys) + 1), kind="stable")
    return t.reset_index(drop=True)[columns]


def cooccurrence(corpus: Corpus, *, polarity: Polarity = "found", min_reports: int = 1) -> pd.DataFrame:
    """Pairs of categories that occur in the same report (a < b by id), with their report counts and the
    Jaccard index; pairs in fewer than ``min_reports`` reports are left out."""
    f = _polar(corpus.findings, polarity)[["report_id", "category"]].drop_duplicates()
    per = f.groupby("category")["report_id"].nunique()
    pairs = f.merge(f, on="report_id")
    pairs = pairs[pairs["category_x"] < pairs["category_y"]]
    if pairs.empty:
        return _empty(COOCCURRENCE_COLUMNS)
    t = pairs.groupby(["category_x", "category_y"]).size().rename("reports").reset_index()
    t = t.rename(columns={"category_x": "category_a", "category_y": "category_b"})
    t = t[t["reports"] >= min_reports]
    t["label_a"] = t["category_a"].map(corpus.label)
    t["label_b"] = t["category_b"].map(corpus.label)
    t["reports_a"] = t["category_a"].map(per).astype(int)
    t["reports_b"] = t["category_b"].map(per).astype(int)
    t["jaccard"] = t["reports"] / (t["reports_a"] + t["reports_b"] - t["reports"])
    t = t.sort_values(["reports", "jaccard", "category_a", "category_b"], ascending=[False, False, True, True], kind="stable")
    return t.reset_index(drop=True)[list(COOCCURRENCE_COLUMNS)]


def issue_actions(corpus: Corpus) -> pd.DataFrame:
    """Which remedies answer which problems: actions linked to a finding, by category and action type,
    with mentions, reports, taken/planned counts, the sum of stated amounts and one example."""
    a = corpus.actions.dropna(subset=["category"])
    if a.empty:
        return _empty(ISSUE_ACTION_COLUMNS)
    g = a.groupby(["category", "type"], sort=False)
    t = pd.DataFrame({
        "actions": g.size(),
        "reports": g["report_id"].nunique(),
        "planned": g["planned"].sum().astype(int),
        "amount_yuan": g["amount_yuan"].sum(min_count=1),
        "example": g["original"].first(),
    }).reset_index().rename(columns={"type": "action"})
    t["taken"] = t["actions"] - t["planned"]
    t["label"] = t["category"].map(corpus.label)
    t["action_label"] = t["action"].map(corpus.label)
    t = t.sort_values(["category", "actions", "action"], ascending=[True, False, True], kind="stable")
    return t.reset_index(drop=True)[list(ISSUE_ACTION_COLUMNS)]


def fines(corpus: Corpus, *, by: str | Sequence[str] | None = ("org",)) -> pd.DataFrame:
    """Fine totals (fines and administrative penalties with a stated amount) by unit and category; fines
    not linked to a finding have category NA."""
    keys = _keys(by)
    columns = [*keys, *FINE_COLUMNS]
    a = corpus.actions
    a = a[a["type"].isin(["fine", "administrative_penalty"]) & a["amount_yuan"].notna()]
    if a.empty:
        return _empty(columns)
    g = a.groupby([*keys, "category"], dropna=False, sort=False)
    t = pd.DataFrame({"fines": g.size(), "amount_yuan": g["amount_yuan"].sum(), "reports": g["report_id"].nunique()}).reset_index()
    t["label"] = t["category"].map(lambda c: corpus.label(c) if isinstance(c, str) else None)
    t = _sorted(t, keys, ["amount_yuan", "category"], [False, True])
    return t[columns]


def evidence(corpus: Corpus, *, category: str | Sequence[str] | None = None, polarity: Polarity = "found", **where: Any) -> pd.DataFrame:
    """The quotes behind a table cell: findings of ``category`` (id, or a list) with the polarity, in the
    units given as keywords (``org="榆林市邮政局", year=2019``); columns of ``Corpus.findings``."""
    f = _polar(corpus.findings, polarity)
    if category is not None:
        f = f[f["category"].isin([category] if isinstance(category, str) else list(category))]
    f = f[_mask(f, where, FINDING_COLUMNS)]
    return f.sort_values(["source", "index", "start"], kind="stable").reset_index(drop=True)

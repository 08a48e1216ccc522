"""The corpus: extracted reports as DataFrames, from pipeline results (:func:`from_results`) or from paths,
globs or a DataFrame of texts (:func:`load`). The tables computed from it are in :mod:`reportmine.aggregate`.

This is the only module that builds DataFrames from pipeline results (``discovery`` builds its own cluster
tables from a corpus). Every table has fixed columns, in the order listed here; ``NA`` marks an unknown
value (a report without a signing unit, a date without a month ...).

Corpus tables
-------------
``Corpus.reports`` (one row per report)
    report_id (str, stable hash of source and index), source (str, the input path), index (int, 0-based
    report index inside the file), title, org (signing unit), province, city, county (gazetteer names),
    date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), year (Int64), quarter (``YYYYQn``), month
    (``YYYY-MM``), doc_type (inspection_summary / regulation / essay / other), script
    (simplified / traditional).
``Corpus.findings`` (one row per mention)
    the unit columns (report_id, source, index, org, province, city, county, date, year, quarter, month,
    doc_type), then finding (Int64, index of the mention in its report: actions point to it), category
    (taxonomy id), label (Chinese label), polarity (found / not_found / requirement), text (simplified
    clause), original (the clause as written in the file), start, end (character offsets of
    ``original`` in the file text), section (Int64, index of the report section), cue (the matched cue).
``Corpus.actions`` (one row per remedial action)
    the unit columns, then type (action id), label (Chinese label), planned (bool: announced, not yet
    taken), amount_yuan (float, fines), party (who is sanctioned), finding (Int64, index of the finding it
    answers in the same report), category and category_label (of that finding), text, original, start,
    end, section.
``Corpus.skipped`` (one row per input that gave no report)
    source, stage (walk / read / normalize / structure / extract), reason.
``Corpus.unmatched`` (problem sentences that match no category: raw material of :func:`discover`)
    the unit columns, then section (Int64), text, original, start, end, cue (the problem wording that
    marks the sentence: 不及时, 不规范, 存在…问题 …).
"""
from __future__ import annotations

import glob as _glob
import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import pandas as pd

from .errors import ReportmineError

if TYPE_CHECKING:
    from .pipeline import FileResult
    from .taxonomy import Taxonomy

__all__ = [
    "Corpus",
    "QueryError",
    "load",
    "from_results",
    "UNIT_COLUMNS",
    "REPORT_COLUMNS",
    "FINDING_COLUMNS",
    "ACTION_COLUMNS",
    "SKIPPED_COLUMNS",
    "UNMATCHED_COLUMNS",
]

log = logging.getLogger("reportmine.aggregate")  # its warnings keep the name that logging set-ups know them by

UNIT_COLUMNS = ("report_id", "source", "index", "org", "province", "city", "county", "date", "year", "quarter", "month", "doc_type")
REPORT_COLUMNS = ("report_id", "source", "index", "title", "org", "province", "city", "county", "date", "year", "quarter",
                  "month", "doc_type", "script")
FINDING_COLUMNS = UNIT_COLUMNS + ("finding", "category", "label", "polarity", "text", "original", "start", "end", "section", "cue")
ACTION_COLUMNS = UNIT_COLUMNS + ("type", "label", "planned", "amount_yuan", "party", "finding", "category", "category_label",
                                 "text", "original", "start", "end", "section")
SKIPPED_COLUMNS = ("source", "stage", "reason")
UNMATCHED_COLUMNS = UNIT_COLUMNS + ("section", "text", "original", "start", "end", "cue")

_INT_COLUMNS = {"year": "Int64", "index": "int64", "start": "int64", "end": "int64", "section": "Int64", "finding": "Int64"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?")
_GLOB_CHARS = re.compile(r"[*?\[]")


class QueryError(ReportmineError):
    """A table was asked for with an unknown column, polarity, unit or period."""

    def __init__(self, reason: str) -> None:
        super().__init__("", reason, stage="aggregate")


@dataclass(frozen=True, eq=False)
class Corpus:
    """Extracted reports as DataFrames (columns: see the module docstring) and the taxonomy used."""

    reports: pd.DataFrame
    findings: pd.DataFrame
    actions: pd.DataFrame
    skipped: pd.DataFrame
    unmatched: pd.DataFrame
    taxonomy: "Taxonomy" = field(repr=False)

    def __repr__(self) -> str:
        found = int((self.findings["polarity"] == "found").sum()) if len(self.findings) else 0
        return (f"Corpus({len(self.reports)} reports, {len(self.findings)} findings ({found} found), "
                f"{len(self.actions)} actions, {len(self.skipped)} skipped)")

    def label(self, cid: str) -> str:
        """Chinese label of a category or action id."""
        return self.taxonomy.label(cid)

    def where(self, **conditions: Any) -> "Corpus":
        """The corpus restricted to reports whose columns match: ``corpus.where(doc_type="inspection_summary",
        year=[2019, 2020])`` (a list means any of). Skipped inputs are kept."""
        mask = _mask(self.reports, conditions, REPORT_COLUMNS)
        ids = set(self.reports.loc[mask, "report_id"])

        def keep(df: pd.DataFrame) -> pd.DataFrame:
            return df[df["report_id"].isin(ids)].reset_index(drop=True)

        return Corpus(keep(self.reports), keep(self.findings), keep(self.actions), self.skipped, keep(self.unmatched), self.taxonomy)


def _mask(df: pd.DataFrame, conditions: dict, allowed: Sequence[str]) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for col, value in conditions.items():
        if col not in allowed:
            raise QueryError(f"unknown column {col!r} (allowed: {', '.join(allowed)})")
        if isinstance(value, (list, tuple, set, frozenset)):
            mask &= df[col].isin(list(value)).fillna(False).astype(bool)
        elif value is None or value is pd.NA:
            mask &= df[col].isna()
        else:
            mask &= (df[col] == value).fillna(False).astype(bool)
    return mask


def _periods(date: str | None) -> tuple[int | None, str | None, str | None]:
    """(year, quarter ``YYYYQn``, month ``YYYY-MM``) of a ``YYYY[-MM[-DD]]`` date; None where unknown."""
    m = _DATE.match(date or "")
    if not m:
        return None, None, None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    if month is None or not 1 <= month <= 12:
        return year, None, None
    return year, f"{year}Q{(month - 1) // 3 + 1}", f"{year}-{month:02d}"


def _frame(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    for col, dtype in _INT_COLUMNS.items():
        if col in df.columns:
            df[col] = df[col].astype(dtype)
    if "planned" in df.columns:
        df["planned"] = df["planned"].astype(bool)
    if "amount_yuan" in df.columns:
        df["amount_yuan"] = df["amount_yuan"].astype("float64")
    return df


def from_results(results: Iterable["FileResult"], *, taxonomy: "Taxonomy | None" = None) -> Corpus:
    """Build a Corpus from pipeline results (processed ones give rows, skipped ones ``Corpus.skipped``)."""
    from .discovery import problem_sentences
    from .taxonomy import default_taxonomy

    tax = taxonomy or default_taxonomy()
    reports, findings, actions, skipped, unmatched = [], [], [], [], []
    for res in results:
        if res.skipped is not None:
            skipped.append({"source": res.skipped.source, "stage": res.skipped.stage, "reason": res.skipped.reason})
            continue
        # the problem sentences come with the result (computed where the normalized text was at hand);
        # only results made without them (older code) need the file read and normalized again
        per_report = res.unmatched if res.unmatched is not None and len(res.unmatched) == len(res.extractions) else None
        renormalize = _renormalizer(res.source) if per_report is None else None
        for k, ex in enumerate(res.extractions):
            rep = ex.report
            region = rep.region or {}
            year, quarter, month = _periods(rep.date)
            unit = {
                "report_id": rep.report_id, "source": rep.source, "index": rep.index, "org": rep.org,
                "province": region.get("province"), "city": region.get("city"), "county": region.get("county"),
                "date": rep.date, "year": year, "quarter": quarter, "month": month, "doc_type": ex.doc_type,
            }
            reports.append({**unit, "title": rep.title, "script": rep.script})
            for i, f in enumerate(ex.findings):
                findings.append({**unit, "finding": i, "category": f.category, "label": tax.label(f.category),
                                 "polarity": f.polarity, "text": f.text, "original": f.original, "start": f.start,
                                 "end": f.end, "section": f.section, "cue": f.cue})
            for a in ex.actions:
                linked = ex.findings[a.finding] if a.finding is not None and 0 <= a.finding < len(ex.findings) else None
                actions.append({**unit, "type": a.type, "label": tax.label(a.type), "planned": a.planned,
                                "amount_yuan": a.amount_yuan, "party": a.party, "finding": a.finding if linked else None,
                                "category": linked.category if linked else None,
                                "category_label": tax.label(linked.category) if linked else None,
                                "text": a.text, "original": a.original, "start": a.start, "end": a.end, "section": a.section})
            sentences = per_report[k] if per_report is not None else problem_sentences(ex, norm=renormalize)
            for sent in sentences:
                unmatched.append({**unit, **sent})
    return Corpus(
        _frame(reports, REPORT_COLUMNS), _frame(findings, FINDING_COLUMNS), _frame(actions, ACTION_COLUMNS),
        _frame(skipped, SKIPPED_COLUMNS), _frame(unmatched, UNMATCHED_COLUMNS), tax,
    )


def _renormalizer(source: str):
    """The normalized text of a file, read again at most once, for results that carry no problem sentences
    (``FileResult.unmatched`` is None: made by older code) and whose reports carry no normalized text
    (worker processes, the cache); None when the file cannot be read any more."""
    cache: list = []

    def get():
        if not cache:
            from .io import read_document
            from .normalize import normalize

            try:
                cache.append(normalize(read_document(source).text))
            except (ReportmineError, OSError) as exc:
                log.warning("%s: cannot read again for problem sentences: %s", source, exc)
                cache.append(None)
        return cache[0]

    return get


def _expand(paths: Iterable[str | os.PathLike]) -> list[str | os.PathLike]:
    """Globs (``corpora/**/*.txt``) expanded, sorted; a glob that matches nothing stays (and is skipped)."""
    out: list[str | os.PathLike] = []
    for p in paths:
        s = os.fspath(p)
        if isinstance(s, str) and _GLOB_CHARS.search(s) and not os.path.exists(s):
            hits = sorted(_glob.glob(s, recursive=True))
            out.extend(hits or [s])
        else:
            out.append(p)
    return out


def _resolve_taxonomy(taxonomy: "Taxonomy | str | os.PathLike | Sequence[str | os.PathLike] | None") -> "Taxonomy":
    from .taxonomy import Taxonomy, load_taxonomy

    if taxonomy is None:
        return load_taxonomy()
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    if isinstance(taxonomy, (str, os.PathLike)):
        return load_taxonomy(taxonomy)
    return load_taxonomy(*taxonomy)


def _documents(df: pd.DataFrame, text_column: str, source_column: str | None) -> Iterable:
    from .io import Document, Skipped

    if text_column not in df.columns:
        raise QueryError(f"the DataFrame has no text column {text_column!r} (columns: {', '.join(map(str, df.columns))})")
    if source_column is not None and source_column not in df.columns:
        raise QueryError(f"the DataFrame has no source column {source_column!r}")
    if source_column is None and "source" in df.columns:
        source_column = "source"
    for pos, (idx, text) in enumerate(df[text_column].items()):
        source = str(df[source_column].iloc[pos]) if source_column else f"<row {idx}>"
        if not isinstance(text, str) or not text.strip():
            yield Skipped(source, "read", "empty or missing text")
        else:
            yield Document(source, text, "str", "txt")


def load(
    inputs: "str | os.PathLike | Iterable[str | os.PathLike] | pd.DataFrame",
    *,
    taxonomy: "Taxonomy | str | os.PathLike | Sequence[str | os.PathLike] | None" = None,
    use_model: bool = True,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    text_column: str = "text",
    source_column: str | None = None,
    jobs: int = 1,
    timeout: float | None = None,
) -> Corpus:
    """Read, structure and extract every input into a :class:`Corpus`.

    ``inputs``: a path, a glob, a list of them (directories are walked, see ``include``/``exclude``), or a
    DataFrame with one document per row in ``text_column`` (named by ``source_column``, else a ``source``
    column, else ``<row i>``). ``taxonomy``: a Taxonomy, or YAML/TOML file(s) extending the shipped one.
    ``jobs``/``timeout``: worker processes and the seconds one file may take (files only, see
    :func:`reportmine.pipeline.run`). Inputs that cannot be read are kept in ``corpus.skipped`` with the
    stage and reason.
    """
    from .extract import Extractor
    from .io import Skipped
    from .pipeline import FileResult, process_document, run

    tax = _resolve_taxonomy(taxonomy)
    if isinstance(inputs, pd.DataFrame):
        extractor = Extractor(tax, model="default" if use_model else None)

        def results() -> Iterable[FileResult]:
            for item in _documents(inputs, text_column, source_column):
                if isinstance(item, Skipped):
                    yield FileResult(item.source, None, skipped=item)
                else:
                    yield process_document(item, extractor=extractor)

        return from_results(results(), taxonomy=tax)
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    paths = _expand(inputs)
    options = {"jobs": jobs, "timeout": timeout} if jobs > 1 or timeout is not None else {}
    return from_results(run(paths, taxonomy=tax, use_model=use_model, include=include, exclude=exclude, **options), taxonomy=tax)

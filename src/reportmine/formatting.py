"""Tables for people and spreadsheets: aligned text, CSV, Markdown, JSON or an Excel workbook.

Text tables measure display width with wcwidth (a CJK character takes two columns), so every line of a
table has the same width on a terminal. CSV is written as UTF-8 with a BOM so that Excel opens it right.
Workbooks have one sheet per table plus an ``evidence`` sheet (every finding with its original quote,
source and offsets). In the machine formats (CSV, JSON, xlsx) the id and the Chinese label are separate
columns; in the human formats (text, Markdown, HTML) they are shown together as ``邮件积压 (backlog)``.
"""
from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

from .errors import ReportmineError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TableFormat",
    "display_frame",
    "format_table",
    "format_text",
    "write_xlsx",
    "truncate",
    "EVIDENCE_SHEET_COLUMNS",
]

TableFormat = Literal["text", "csv", "md", "json"]

# id column -> its label column; shown together as "label (id)" in human formats
# (order matters: in the actions table ``label`` belongs to ``type`` and ``category_label`` to ``category``)
_LABEL_PAIRS = (("type", "label"), ("category", "category_label"), ("category", "label"), ("category_a", "label_a"),
                ("category_b", "label_b"), ("action", "action_label"))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SPACE = re.compile(r"[\t\r\n]+")
_FORMULA_START = ("=", "+", "@")
EVIDENCE_SHEET_COLUMNS = ("report_id", "source", "index", "org", "date", "doc_type", "category", "label", "polarity",
                          "original", "start", "end", "section", "text")


# --------------------------------------------------------------------------- cells


def _is_na(v: Any) -> bool:
    if v is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(v)) if not isinstance(v, (tuple, list, dict)) else False
    except (TypeError, ValueError):
        return False


def _label_id(label: Any, cid: Any) -> str | None:
    if _is_na(cid):
        return None
    return f"{label} ({cid})" if not _is_na(label) and label != cid else str(cid)


def display_frame(df: "pd.DataFrame") -> "pd.DataFrame":
    """The table for people: each id column with its label column becomes one ``label (id)`` column."""
    out = df.copy()
    for cid, lab in _LABEL_PAIRS:
        if cid in out.columns and lab in out.columns:
            out[cid] = [_label_id(lv, cv) for cv, lv in zip(out[cid], out[lab])]
            out = out.drop(columns=[lab])
    return out


def _cell(v: Any, column: str) -> str:
    """A value as text for people: percentages for shares, thousands separators for money."""
    if _is_na(v):
        return "-"
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return "yes" if v else "no"
    if isinstance(v, (tuple, list)):
        return "、".join(str(x) for x in v)
    if isinstance(v, float) or type(v).__name__.startswith("float"):
        f = float(v)
        if column == "share":
            return f"{f:.1%}"
        if column == "jaccard" or column == "weight":
            return f"{f:.2f}"
        if math.isfinite(f) and f == int(f):
            return f"{int(f):,}" if column == "amount_yuan" else str(int(f))
        return f"{f:,.2f}"
    return str(v)


def _clean(s: str) -> str:
    return _CONTROL.sub("", _SPACE.sub(" ", s))


def _width(s: str) -> int:
    from wcwidth import wcswidth, wcwidth

    w = wcswidth(s)
    if w >= 0:
        return w
    return sum(max(wcwidth(c), 0) for c in s)


def truncate(s: str, limit: int) -> str:
    """``s`` cut to ``limit`` display columns (CJK counts two), ending in ``...`` when cut."""
    from wcwidth import wcwidth

    if _width(s) <= limit:
        return s
    out, w = [], 0
    for c in s:
        cw = max(wcwidth(c), 0)
        if w + cw > limit - 3:
            break
        out.append(c)
        w += cw
    return "".join(out) + "..."


def _numeric(df: "pd.DataFrame", column: str) -> bool:
    import pandas as pd

    s = df[column]
    return bool(pd.api.types.is_numeric_dtype(s)) and not pd.api.types.is_bool_dtype(s)


def format_text(df: "pd.DataFrame", *, max_width: int = 48) -> str:
    """An aligned table for terminals: CJK-aware widths, numbers right-aligned, long cells cut at
    ``max_width`` display columns; every line has the same display width."""
    d = display_frame(df)
    cols = [str(c) for c in d.columns]
    if not cols:
        return ""
    right = [_numeric(d, c) for c in d.columns]
    rows = [[truncate(_clean(_cell(v, col)), max_width) for v, col in zip(rec, cols)] for rec in d.itertuples(index=False, name=None)]
    head = [truncate(_clean(c), max_width) for c in cols]
    widths = [max([_width(head[i])] + [_width(r[i]) for r in rows]) for i in range(len(cols))]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, c in enumerate(cells):
            pad = " " * (widths[i] - _width(c))
            parts.append(pad + c if right[i] else c + pad)
        return "  ".join(parts)

    out = [line(head), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out) + "\n"


def _md(df: "pd.DataFrame") -> str:
    d = display_frame(df)
    cols = [str(c) for c in d.columns]

    def esc(s: str) -> str:
        return _clean(s).replace("\\", "\\\\").replace("|", "\\|")

    right = [_numeric(d, c) for c in d.columns]
    out = ["| " + " | ".join(esc(c) for c in cols) + " |",
           "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    for rec in d.itertuples(index=False, name=None):
        out.append("| " + " | ".join(esc(_cell(v, c)) for v, c in zip(rec, cols)) + " |")
    return "\n".join(out) + "\n"


def _plain(v: Any) -> Any:
    """A JSON/CSV value: NA -> None, numpy scalars -> Python, tuples -> lists."""
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    if _is_na(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return v.item()
    return v


def _csv_safe(v: Any) -> Any:
    """Spreadsheet-safe text: a cell that would start a formula gets a leading apostrophe."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    if isinstance(v, list):
        return "、".join(str(x) for x in v)
    return v


def format_table(df: "pd.DataFrame", fmt: TableFormat, *, max_width: int = 48) -> str:
    """The table as ``text`` (aligned), ``csv`` (no BOM: the writer adds it), ``md`` or ``json`` (records)."""
    import csv
    import io

    if fmt == "text":
        return format_text(df, max_width=max_width)
    if fmt == "md":
        return _md(df)
    if fmt == "json":
        records = [{str(k): _plain(v) for k, v in zip(df.columns, rec)} for rec in df.itertuples(index=False, name=None)]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([str(c) for c in df.columns])
        for rec in df.itertuples(index=False, name=None):
            w.writerow(["" if (p := _plain(v)) is None else _csv_safe(p) for v in rec])
        return buf.getvalue()
    raise ReportmineError("", f"unknown table format {fmt!r} (choose from: text, csv, md, json)", stage="report")


def write_xlsx(tables: Mapping[str, "pd.DataFrame"], path: str, *, evidence: "pd.DataFrame | None" = None) -> None:
    """An Excel workbook: one sheet per table (sheet names cut to 31 characters) and, when given, an
    ``evidence`` sheet (columns ``EVIDENCE_SHEET_COLUMNS``). Text is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    sheets = dict(tables)
    if evidence is not None:
        sheets["evidence"] = evidence[[c for c in EVIDENCE_SHEET_COLUMNS if c in evidence.columns]]
    used: set[str] = set()
    for name, df in sheets.items():
        title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
        while title in used:
            title = title[:28] + f"_{len(used)}"
        used.add(title)
        ws = wb.create_sheet(title)
        ws.append([str(c) for c in df.columns])
        for rec in df.itertuples(index=False, name=None):
            ws.append([_xlsx_value(v) for v in rec])
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for i, col in enumerate(df.columns, 1):
            sample = [str(col)] + [str(v) for v in df[col].head(200)]
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, max(_width(_clean(s)) for s in sample) + 2))
    if not sheets:
        wb.create_sheet("empty")
    try:
        wb.save(path)
    except OSError as exc:
        raise ReportmineError(path, f"cannot write workbook: {exc.strerror or exc}", stage="report") from None


def _xlsx_value(v: Any) -> Any:
    p = _plain(v)
    if isinstance(p, list):
        return "、".join(str(x) for x in p)
    if isinstance(p, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", p)
    return p

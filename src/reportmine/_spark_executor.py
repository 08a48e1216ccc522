"""The executor side of :mod:`reportmine.spark`: the long record frame (its columns and Spark schema), a
Document from a file's bytes, and the ``mapInPandas`` functions that turn files or texts into record rows."""
from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .io import MAX_BYTES, SUPPORTED_SUFFIXES, Document, read_document

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["document_from_bytes", "RECORD_COLUMNS"]

_TABLES = ("reports", "findings", "actions", "skipped", "unmatched")
_LONG = ("index", "year", "finding", "start", "end", "section", "_n")
_BOOL = ("planned",)
_DOUBLE = ("amount_yuan",)


def _columns() -> dict[str, tuple[str, ...]]:
    from .aggregate import ACTION_COLUMNS, FINDING_COLUMNS, REPORT_COLUMNS, SKIPPED_COLUMNS, UNMATCHED_COLUMNS

    return {"reports": REPORT_COLUMNS, "findings": FINDING_COLUMNS, "actions": ACTION_COLUMNS,
            "skipped": SKIPPED_COLUMNS, "unmatched": UNMATCHED_COLUMNS}


def _record_columns() -> tuple[str, ...]:
    """The columns of the long record frame: ``kind``, ``_n`` (position of the row among its file's rows of
    that kind), then the union of the table columns in order of first appearance."""
    out = ["kind", "_n"]
    for cols in _columns().values():
        out.extend(c for c in cols if c not in out)
    out.append("json")  # on report rows with ``with_json``: the ``extract`` output record of the report
    return tuple(out)


RECORD_COLUMNS = _record_columns()


def _schema():
    from pyspark.sql.types import BooleanType, DoubleType, LongType, StringType, StructField, StructType

    def typ(c: str):
        return LongType() if c in _LONG else BooleanType() if c in _BOOL else DoubleType() if c in _DOUBLE else StringType()

    return StructType([StructField(c, typ(c), True) for c in _record_columns()])


# --------------------------------------------------------------------------- bytes -> Document

def document_from_bytes(data: bytes, source: str, *, max_bytes: int = MAX_BYTES) -> Document:
    """A Document from a file's bytes, exactly as :func:`reportmine.io.read_document` reads the file
    (the kind follows the suffix of ``source``): the bytes go to a private temporary folder, removed
    once read_document has read them (Spark's Python workers end without running exit handlers, so
    nothing may be left for those to remove). Raises ReadError naming ``source``."""
    from .errors import ReadError

    suffix = "".join(c for c in Path(source.rsplit("/", 1)[-1]).suffix if c.isalnum() or c == ".")[:12]
    if len(data) > max_bytes:  # the message of reportmine.io for the same case
        raise ReadError(source, f"file too large ({len(data)} bytes > limit {max_bytes})", stage="read")
    with tempfile.TemporaryDirectory(prefix="reportmine-spark-", ignore_cleanup_errors=True) as tmpdir:
        tmp = Path(tmpdir) / f"input{suffix}"
        try:
            tmp.write_bytes(data)
            doc = read_document(tmp, max_bytes=max_bytes)
        except ReadError as exc:
            raise ReadError(source, exc.reason, line=exc.line, stage=exc.stage) from None
    return dataclasses.replace(doc, source=source)


# --------------------------------------------------------------------------- executor side

_STATE: dict[str, Any] = {}  # per Python worker: the extractor for a (taxonomy, model) key


def _extractor(tax_texts: tuple[tuple[str, str], ...], model_bc, use_model: bool):
    import pickle

    from .extract import Extractor
    from .taxonomy import load_taxonomy

    key = (tax_texts, use_model, getattr(model_bc, "id", None))
    got = _STATE.get("key")
    if got != key:
        with tempfile.TemporaryDirectory(prefix="reportmine-tax-", ignore_cleanup_errors=True) as d:
            files = []  # the driver's taxonomy files, written here for load_taxonomy, which reads them at once
            for i, (name, text) in enumerate(tax_texts):
                p = Path(d) / f"{i:02d}_{Path(name).name}"
                p.write_text(text, encoding="utf-8")
                files.append(p)
            tax = load_taxonomy(*files)
        model = pickle.loads(model_bc.value) if (use_model and model_bc is not None) else None
        _STATE["key"] = key
        _STATE["extractor"] = Extractor(tax, model=model)
    return _STATE["extractor"]


def _source_of(path: str, specs: Sequence[tuple[str, str, bool]]) -> tuple[str, bool]:
    """The path as the local engine names it (the input as given, plus the path below it) and whether
    the file was named explicitly."""
    p = _strip_file_scheme(path)
    for uri, given, _is_dir in specs:
        if p == uri:
            return given, True
        if p.startswith(uri.rstrip("/") + "/"):
            rel = p[len(uri.rstrip("/")) + 1:]
            if "://" in given:
                return given.rstrip("/") + "/" + rel, False
            return str(Path(given).joinpath(*rel.split("/"))), False
    return p, False


def _strip_file_scheme(path: str) -> str:
    if path.startswith("file:"):
        from urllib.parse import unquote

        rest = re.sub(r"^file:(//)?", "", path)
        rest = "/" + rest.lstrip("/")
        return unquote(rest) if "%" in rest and not os.path.exists(rest) else rest
    return path


def _rows(results: list, tax, with_json: bool = False) -> "pd.DataFrame":
    import json

    import pandas as pd

    from .aggregate import from_results

    corpus = from_results(results, taxonomy=tax)
    cols = _record_columns()
    parts = []
    for kind in _TABLES:
        df = getattr(corpus, kind)
        if not len(df):
            continue
        df = df.copy()
        df["kind"] = kind
        if kind == "reports" and with_json:  # from_results gives one report row per extraction, in order
            df["json"] = [json.dumps(e.to_dict(), ensure_ascii=False) for r in results if r.skipped is None for e in r.extractions]
        df["_n"] = df.groupby("source", sort=False).cumcount() if kind != "skipped" else 0
        parts.append(df)
    if not parts:
        return _empty_records()
    out = pd.concat(parts, ignore_index=True).reindex(columns=list(cols))
    return _typed(out)


def _empty_records() -> "pd.DataFrame":
    import pandas as pd

    return _typed(pd.DataFrame({c: [] for c in _record_columns()}))


def _typed(df: "pd.DataFrame") -> "pd.DataFrame":
    for c in df.columns:
        if c in _LONG:
            df[c] = df[c].astype("Int64")
        elif c in _BOOL:
            df[c] = df[c].astype("boolean")
        elif c in _DOUBLE:
            df[c] = df[c].astype("float64")
        else:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def _map_files(specs, tax_texts, model_bc, use_model: bool, max_bytes: int, with_json: bool = False):
    """The mapInPandas function over (path, content) rows of Spark's binaryFile source."""

    def fn(batches: Iterator["pd.DataFrame"]) -> Iterator["pd.DataFrame"]:
        from .errors import ReportmineError
        from .io import Skipped
        from .pipeline import FileResult, process_document

        ex = _extractor(tax_texts, model_bc, use_model)
        for batch in batches:
            results = []
            for path, content in zip(batch["path"], batch["content"]):
                source, explicit = _source_of(path, specs)
                suffix = Path(source.rsplit("/", 1)[-1]).suffix
                if not explicit and suffix.lower() not in SUPPORTED_SUFFIXES:
                    skip = Skipped(source, "walk", f"unsupported file type {suffix or '(none)'!r}")
                    results.append(FileResult(source, None, skipped=skip))
                    continue
                try:
                    doc = document_from_bytes(bytes(content), source, max_bytes=max_bytes)
                except ReportmineError as exc:
                    results.append(FileResult(source, None, skipped=Skipped(source, exc.stage or "read", exc.reason)))
                    continue
                results.append(process_document(doc, extractor=ex))
            yield _rows(results, ex.taxonomy, with_json)

    return fn


def _map_texts(text_column: str, source_column: str, tax_texts, model_bc, use_model: bool, with_json: bool = False):
    """The mapInPandas function over rows of a dataset with a text column (documents given as text)."""

    def fn(batches: Iterator["pd.DataFrame"]) -> Iterator["pd.DataFrame"]:
        from .io import Skipped
        from .pipeline import FileResult, process_document

        ex = _extractor(tax_texts, model_bc, use_model)
        for batch in batches:
            results = []
            for source, text in zip(batch[source_column], batch[text_column]):
                source = str(source)
                if not isinstance(text, str) or not text.strip():  # as reportmine.aggregate.load does
                    results.append(FileResult(source, None, skipped=Skipped(source, "read", "empty or missing text")))
                else:
                    results.append(process_document(Document(source, text, "str", "txt"), extractor=ex))
            yield _rows(results, ex.taxonomy, with_json)

    return fn

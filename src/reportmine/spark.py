"""The Spark engine: the same extraction as the local pipeline, run by PySpark ``mapInPandas``.

Install with ``pip install 'reportmine[spark]'`` (PySpark and PyArrow; Spark needs a Java runtime).
::

    from reportmine.spark import extract_spark
    sc = extract_spark(["reports/"])                 # files: Spark's binaryFile source, recursively
    sc.findings.groupBy("category").count().show()   # Spark DataFrames, columns as in reportmine.aggregate
    corpus = sc.to_corpus()                          # a reportmine Corpus (pandas) on the driver
    rm.frequency(corpus, by="province")              # every table of the local engine

    sc = extract_spark(spark.read.parquet("docs.parquet"), text_column="body", source_column="url")

Every input file (or dataset row) is processed on an executor by
:func:`reportmine.pipeline.process_document`, exactly as the local engine does, and its rows are built by
:func:`reportmine.aggregate.from_results`, so ``findings``, ``actions``, ``reports``, ``skipped`` and
``unmatched`` have the columns and values of :class:`reportmine.aggregate.Corpus`. The taxonomy is read on
the driver and its text shipped to the executors; the learned model is built once on the driver and
broadcast, so every executor uses the same model. Executors need reportmine installed (see the README,
*Running on a cluster*).

Differences from the local engine, all about which files are listed: Spark's file listing leaves out
files whose names start with ``.`` or ``_`` and does not follow the local engine's ``include`` /
``exclude`` options; rows come back in no particular order (``to_corpus`` sorts them as the local engine
orders a folder: by path, report, position).
"""
from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from .io import MAX_BYTES, SUPPORTED_SUFFIXES, Document, read_document

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

    from .aggregate import Corpus

__all__ = ["SparkCorpus", "extract_spark", "compare_with_local", "document_from_bytes", "spark_session", "RECORD_COLUMNS"]

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


# --------------------------------------------------------------------------- driver side


@dataclasses.dataclass(frozen=True)
class SparkCorpus:
    """The Spark engine's result: ``records`` (all rows, column ``kind`` says which table) and one Spark
    DataFrame per table of :class:`reportmine.aggregate.Corpus`, with the same columns."""

    records: "DataFrame"
    taxonomy: Any = dataclasses.field(repr=False)

    def table(self, kind: str) -> "DataFrame":
        from pyspark.sql import functions as F

        if kind not in _TABLES:
            raise ValueError(f"unknown table {kind!r} (choose from: {', '.join(_TABLES)})")
        return self.records.where(F.col("kind") == kind).select(*_columns()[kind])

    @property
    def reports(self) -> "DataFrame":
        return self.table("reports")

    @property
    def findings(self) -> "DataFrame":
        return self.table("findings")

    @property
    def actions(self) -> "DataFrame":
        return self.table("actions")

    @property
    def skipped(self) -> "DataFrame":
        return self.table("skipped")

    @property
    def unmatched(self) -> "DataFrame":
        return self.table("unmatched")

    def json_records(self) -> "DataFrame":
        """(source, index, json): per report its ``reportmine extract`` JSONL record (needs ``with_json``);
        write them on the cluster with ``.select("json").write.text(path)``."""
        from pyspark.sql import functions as F

        return self.records.where((F.col("kind") == "reports") & F.col("json").isNotNull()).select("source", "index", "json")

    def iter_json(self) -> Iterator[str]:
        """The ``extract`` JSONL lines, collected, in the local engine's order (needs ``with_json``); the
        same lines as ``reportmine extract --format jsonl`` writes."""
        from pyspark.sql import functions as F

        df = self.records.where(F.col("kind") == "reports").select("source", "index", "_n", "json").toPandas()
        for line in _ordered(df)["json"]:
            if line is None:
                raise ValueError("no JSON records: call extract_spark(..., with_json=True)")
            yield line

    def to_pandas(self) -> "pd.DataFrame":
        """All record rows, collected, in the local engine's order."""
        return _ordered(self.records.toPandas())

    def to_corpus(self) -> "Corpus":
        """Collect to the driver as a :class:`reportmine.aggregate.Corpus`: every table function of the local
        engine (frequency, recurrence, cooccurrence, issue_actions, fines, evidence) works on it."""
        from .aggregate import Corpus, _frame

        rows = _ordered(self.records.drop("json").toPandas())
        frames = {}
        for kind, cols in _columns().items():
            part = rows[rows["kind"] == kind]
            recs = [{c: _plain(v) for c, v in zip(cols, tup)} for tup in part[list(cols)].itertuples(index=False, name=None)]
            frames[kind] = _frame(recs, cols)
        return Corpus(frames["reports"], frames["findings"], frames["actions"], frames["skipped"], frames["unmatched"],
                      self.taxonomy)


def _plain(v):
    import pandas as pd

    if v is None or v is pd.NA:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    return v


def _ordered(df: "pd.DataFrame") -> "pd.DataFrame":
    """Rows sorted as the local engine gives them: by source (path components), report, position."""
    if not len(df):
        return df.reset_index(drop=True)
    key = df["source"].map(lambda s: tuple(str(s).split("/")))
    order = sorted(range(len(df)), key=lambda i: (key.iat[i], _int(df["index"].iat[i]), _int(df["_n"].iat[i])))
    return df.iloc[order].reset_index(drop=True)


def _int(v) -> int:
    v = _plain(v)
    return -1 if v is None else int(v)


def spark_session(master: str | None = None, *, app_name: str = "reportmine", conf: dict[str, str] | None = None) -> "SparkSession":
    """The active SparkSession, or a new one with Arrow enabled. Its master: ``master``, else
    ``$REPORTMINE_SPARK_MASTER``, else the one spark-submit (or ``PYSPARK_SUBMIT_ARGS``) gives, else
    ``local[*]`` with executors on this Python. ``conf``: more Spark settings for a new session."""
    import sys

    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    master = master or os.environ.get("REPORTMINE_SPARK_MASTER") or None
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ or "--master" in os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    builder = SparkSession.builder.appName(app_name).config("spark.sql.execution.arrow.pyspark.enabled", "true")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    if master is not None:
        builder = builder.master(master)
    elif not submitted:
        builder = builder.master("local[*]")
    if master is None and not submitted or (master or "").startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return builder.getOrCreate()


def _input_specs(paths: Sequence[str]) -> list[tuple[str, str, bool]]:
    specs = []
    for given in paths:
        given = os.fspath(given)
        if re.match(r"^[A-Za-z][\w+.-]*://", given):
            specs.append((given.rstrip("/") if given.rstrip("/") else given, given, True))
        else:
            local = given[len("file:"):] if given.startswith("file:") else given
            specs.append((os.path.abspath(local), given, os.path.isdir(local)))
    return specs


def _spark_path(given: str) -> str:
    if re.match(r"^[A-Za-z][\w+.-]*:", given):
        return given
    return "file://" + os.path.abspath(given)


def extract_spark(
    data: "str | os.PathLike | Iterable[str | os.PathLike] | DataFrame",
    *,
    spark: "SparkSession | None" = None,
    taxonomy_files: Sequence[str | os.PathLike] = (),
    use_model: bool = True,
    format: str | None = None,
    text_column: str = "text",
    source_column: str | None = None,
    partitions: int | None = None,
    max_bytes: int = MAX_BYTES,
    with_json: bool = False,
) -> SparkCorpus:
    """Run reportmine's extraction on Spark; see the module docs.

    ``data``: file or folder paths (local paths or any URI Spark reads, e.g. ``hdfs://…``, ``s3a://…``),
    read with Spark's ``binaryFile`` source (folders recursively); or paths of a dataset with
    ``format="parquet"`` (a ``text_column`` and a ``source_column``) or ``format="text"`` (one document per
    file, named by its path); or a Spark DataFrame with a ``text_column``. ``source_column`` names the
    documents (default: a ``source`` column, else the row's position, which Spark does not keep stable).
    ``partitions``: repartition the input (default: Spark's own split, about 128 MB per task).
    ``with_json``: also carry each report's ``reportmine extract`` JSON record (see
    :meth:`SparkCorpus.json_records`); off by default (it holds the report's sentences).
    The result is lazy: Spark runs when a table is used; ``.records.cache()`` keeps it for several uses.
    """
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    from .taxonomy import load_taxonomy

    spark = spark or spark_session()
    tax = load_taxonomy(*taxonomy_files)  # validated here: errors name the file on the driver
    tax_texts = tuple((str(p), Path(p).read_text(encoding="utf-8")) for p in taxonomy_files)
    model_bc = None
    if use_model:
        import pickle

        from .model import default_model

        model = default_model()
        if model is not None:
            model_bc = spark.sparkContext.broadcast(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    schema = _schema()

    if isinstance(data, DataFrame):
        df = data
        src = source_column or ("source" if "source" in df.columns else None)
        if text_column not in df.columns:
            raise ValueError(f"the DataFrame has no text column {text_column!r} (columns: {', '.join(df.columns)})")
        if src is None:
            df = df.withColumn("__source", F.concat(F.lit("<row "), F.monotonically_increasing_id().cast("string"), F.lit(">")))
            src = "__source"
        df = df.select(F.col(src).cast("string").alias("__source"), F.col(text_column).alias("__text"))
        if partitions:
            df = df.repartition(partitions)
        records = df.mapInPandas(_map_texts("__text", "__source", tax_texts, model_bc, use_model, with_json), schema)
        return SparkCorpus(records, tax)

    paths = [os.fspath(data)] if isinstance(data, (str, os.PathLike)) else [os.fspath(p) for p in data]
    if not paths:
        raise ValueError("no input paths")
    if format in ("parquet", "text"):
        reader = spark.read
        if format == "text":
            df = reader.option("wholetext", True).text([_spark_path(p) for p in paths])
            df = df.select(F.input_file_name().alias("__source"), F.col("value").alias("__text"))
            return extract_spark(df, spark=spark, taxonomy_files=taxonomy_files, use_model=use_model,
                                 text_column="__text", source_column="__source", partitions=partitions, with_json=with_json)
        df = reader.parquet(*[_spark_path(p) for p in paths])
        return extract_spark(df, spark=spark, taxonomy_files=taxonomy_files, use_model=use_model,
                             text_column=text_column, source_column=source_column, partitions=partitions,
                             with_json=with_json)
    if format not in (None, "files", "binaryFile"):
        raise ValueError(f"unknown format {format!r} (choose from: files, parquet, text)")

    specs = _input_specs(paths)
    df = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
          .load([_spark_path(p) for p in paths]).select("path", "content"))
    if partitions:
        df = df.repartition(partitions)
    records = df.mapInPandas(_map_files(specs, tax_texts, model_bc, use_model, max_bytes, with_json), schema)
    empty = _empty_file_rows(spark, paths, specs, max_bytes)
    if empty is not None:
        records = records.unionByName(spark.createDataFrame(empty, schema=schema))
    return SparkCorpus(records, tax)


def _hidden(name: str) -> bool:
    # Spark's file listing leaves these out (InMemoryFileIndex): the engine mirrors its choice
    return name.startswith((".", "_")) or name.endswith("._COPYING_")


def _empty_files(spark, paths: Sequence[str]) -> Iterator[str]:
    """Paths (as Spark names them) of the 0-byte files among the inputs: Spark's file sources give no
    row for them, the local engine reports them as skipped."""
    for given in paths:
        if re.match(r"^[A-Za-z][\w+.-]*://", given) and not given.startswith("file:"):
            jvm = spark.sparkContext._jvm
            conf = spark.sparkContext._jsc.hadoopConfiguration()
            root = jvm.org.apache.hadoop.fs.Path(given)
            fs = root.getFileSystem(conf)
            if fs.isFile(root):
                if fs.getFileStatus(root).getLen() == 0:
                    yield root.toString()
                continue
            it = fs.listFiles(root, True)
            while it.hasNext():
                st = it.next()
                rel = st.getPath().toString()[len(root.toString().rstrip("/")) + 1:]
                if st.getLen() == 0 and not any(_hidden(part) for part in rel.split("/")):
                    yield st.getPath().toString()
            continue
        local = given[len("file:"):] if given.startswith("file:") else given
        if os.path.isdir(local):
            for root, dirs, files in os.walk(local, followlinks=True):
                dirs[:] = [d for d in dirs if not _hidden(d)]
                for name in files:
                    fp = os.path.join(root, name)
                    if not _hidden(name) and os.path.isfile(fp) and os.path.getsize(fp) == 0:
                        yield "file:" + os.path.abspath(fp)
        elif os.path.isfile(local) and os.path.getsize(local) == 0:
            yield "file:" + os.path.abspath(local)


def _empty_file_rows(spark, paths, specs, max_bytes) -> "pd.DataFrame | None":
    from .errors import ReportmineError
    from .io import Skipped
    from .pipeline import FileResult

    results = []
    for path in _empty_files(spark, paths):
        source, explicit = _source_of(path, specs)
        suffix = Path(source.rsplit("/", 1)[-1]).suffix
        if not explicit and suffix.lower() not in SUPPORTED_SUFFIXES:
            results.append(FileResult(source, None, skipped=Skipped(source, "walk", f"unsupported file type {suffix or '(none)'!r}")))
            continue
        try:
            document_from_bytes(b"", source, max_bytes=max_bytes)
        except ReportmineError as exc:
            results.append(FileResult(source, None, skipped=Skipped(source, exc.stage or "read", exc.reason)))
    if not results:
        return None
    from .taxonomy import default_taxonomy

    return _rows(results, default_taxonomy())


# --------------------------------------------------------------------------- comparison


def compare_with_local(spark_corpus: "SparkCorpus | Corpus", local: "Corpus", *, max_examples: int = 5) -> dict[str, list]:
    """Differences between the Spark engine's tables and the local engine's (``reportmine.load`` or
    ``aggregate.from_results``): per table, up to ``max_examples`` rows found on one side only (as
    ``("spark only" | "local only", row)``). An empty dict means the same rows in every table."""
    import pandas as pd

    theirs = spark_corpus.to_corpus() if isinstance(spark_corpus, SparkCorpus) else spark_corpus
    diffs: dict[str, list] = {}
    for kind, cols in _columns().items():
        a, b = getattr(theirs, kind), getattr(local, kind)

        def rows(df: pd.DataFrame) -> list[tuple]:
            return sorted((tuple(_key(_plain(v)) for v in r) for r in df[list(cols)].itertuples(index=False, name=None)), key=repr)

        ra, rb = rows(a), rows(b)
        if ra != rb:
            from collections import Counter

            ca, cb = Counter(ra), Counter(rb)
            only_a = list((ca - cb).elements())[:max_examples]
            only_b = list((cb - ca).elements())[:max_examples]
            diffs[kind] = [("spark only", dict(zip(cols, r))) for r in only_a] + [("local only", dict(zip(cols, r))) for r in only_b]
    return diffs


def _key(v):
    if isinstance(v, float) and v == int(v):
        return int(v) if abs(v) < 2**53 else v
    return v

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

The executor side (the record frame and the ``mapInPandas`` functions) is in ``reportmine._spark_executor``.
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from ._spark_executor import (RECORD_COLUMNS, _TABLES, _columns, _map_files, _map_texts, _rows, _schema, _source_of,
                              document_from_bytes)
from .io import MAX_BYTES, SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

    from .aggregate import Corpus

__all__ = ["SparkCorpus", "extract_spark", "compare_with_local", "document_from_bytes", "spark_session", "RECORD_COLUMNS"]


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
        from .corpus import Corpus, _frame

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

        from .model_cache import default_model

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

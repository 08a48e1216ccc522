"""``--engine spark`` of the command line (:mod:`reportmine.cli`): its usage checks, the Spark session, and
the results of :func:`reportmine.spark.extract_spark` accounted for and ordered as the local engine gives
them. Imported only when ``--engine spark`` is given (PySpark is an optional extra)."""
from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click

from ._cli_batch import _one_line
from ._cli_options import given, meta

if TYPE_CHECKING:
    from ._cli_batch import Batch, _RecordingBatch

__all__ = ["SparkRun", "check_options", "spark_errors"]


def check_options(*, include=(), exclude=()) -> None:
    """Usage errors for the options ``--engine spark`` does not have, and for a Spark engine not installed."""
    unsupported = [opt for opt, on in (("--include", bool(include)), ("--exclude", bool(exclude)),
                                       ("--cache", meta("cache") is not None), ("--timeout", given("timeout")),
                                       ("--jobs", given("jobs"))) if on]
    if unsupported:
        hint = "; Spark sets the parallelism (--spark-master local[N])" if "--jobs" in unsupported else ""
        raise click.UsageError(f"{', '.join(unsupported)} cannot be used with --engine spark{hint}")
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise click.UsageError(f'--engine spark needs {exc.name or "pyspark"}: pip install "reportmine[spark]"') from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return _one_line(text.splitlines()[0] if text else type(exc).__name__)


class SparkRun:
    """``--engine spark``: the inputs go to :func:`reportmine.spark.extract_spark`, and what comes back is
    accounted for and ordered as the local engine does: inputs in the order given, the files of a folder
    by path, reports by index. Inputs that do not exist, or are neither a file nor a folder, are skipped
    here with the local engine's reason (Spark would fail the whole job on them)."""

    def __init__(self, paths, *, taxonomy_files, no_model: bool, master: str | None, with_json: bool) -> None:
        from .io import MAX_BYTES

        self.max_bytes = meta("max_bytes", MAX_BYTES)
        self.inputs: list[tuple[int, str]] = []  # (position among the inputs, path given to Spark)
        self.local_skips: list[tuple[int, object]] = []  # (position, Skipped)
        for pos, given_path in enumerate(paths):
            skip = self._unusable(given_path)
            if skip is None:
                self.inputs.append((pos, given_path if re.match(r"^[A-Za-z][\w+.-]*://", given_path) else str(Path(given_path))))
            else:
                self.local_skips.append((pos, skip))
        self.sc = None
        if self.inputs:
            from .spark import extract_spark

            session = self._session(master)
            with spark_errors():
                self.sc = extract_spark([p for _, p in self.inputs], spark=session, taxonomy_files=taxonomy_files,
                                        use_model=not no_model, max_bytes=self.max_bytes, with_json=with_json)

    def _unusable(self, given_path: str):
        """The local engine's Skipped for an input that is not an existing file or folder, else None."""
        from .errors import ReportmineError
        from .io import Skipped, iter_paths, read_document

        if re.match(r"^[A-Za-z][\w+.-]*://", given_path) or os.path.isdir(given_path) or os.path.isfile(given_path):
            return None
        for item in iter_paths([given_path]):
            if isinstance(item, Skipped):
                return item
            try:
                read_document(item, max_bytes=self.max_bytes)
            except ReportmineError as exc:
                return Skipped(exc.path, exc.stage or "read", exc.reason)
        return None

    @staticmethod
    def _session(master: str | None):
        """The active SparkSession, or a new one, stopped when the command ends. stderr belongs to the
        CLI: no progress bar, no pandas-version warnings, and in local mode Spark logs only errors."""
        import warnings

        from pyspark.sql import SparkSession

        from .spark import spark_session

        warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
        ctx = click.get_current_context()
        had = SparkSession.getActiveSession() is not None
        conf = {"spark.ui.showConsoleProgress": "false"}
        effective = master or os.environ.get("REPORTMINE_SPARK_MASTER")
        submitted = "PYSPARK_GATEWAY_PORT" in os.environ or "--master" in os.environ.get("PYSPARK_SUBMIT_ARGS", "")
        if not had and (effective.startswith("local") if effective else not submitted):
            import tempfile

            fd, log_conf = tempfile.mkstemp(prefix="reportmine-log4j2-", suffix=".properties")
            with os.fdopen(fd, "w") as fh:
                fh.write(_QUIET_LOG4J2)
            ctx.call_on_close(lambda: os.unlink(log_conf))
            conf["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={log_conf}"
        try:
            session = spark_session(master, conf=conf)
        except Exception as exc:
            raise click.ClickException(f"cannot start Spark: {_first_line(exc)}") from None
        if not had:
            session.sparkContext.setLogLevel("ERROR")
            ctx.call_on_close(session.stop)
        return session

    def _position(self, source: str) -> int:
        from pathlib import PurePath

        for pos, p in self.inputs:
            if source == p or ("://" in p and source.startswith(p.rstrip("/") + "/")):
                return pos
            if "://" not in p and PurePath(source).is_relative_to(p):
                return pos
        return len(self.inputs) + len(self.local_skips)

    def _sort_key(self, source: str, index, n) -> tuple:
        from .spark import _int

        return (self._position(source), tuple(str(source).split("/")), _int(index), _int(n))

    def extract_records(self, batch: Batch) -> Iterator[dict]:
        """The ``extract`` records in the local engine's order; skipped inputs go to ``batch`` in order."""
        events = [((pos, (), -1, 0), "skipped", skip.source, skip.stage, skip.reason, None) for pos, skip in self.local_skips]
        if self.sc is not None:
            from pyspark.sql import functions as F

            with spark_errors():
                rows = (self.sc.records.where(F.col("kind").isin("reports", "skipped"))
                        .select("kind", "source", "index", "_n", "stage", "reason", "json").toPandas())
            for kind, source, index, n, stage, reason, line in rows.itertuples(index=False, name=None):
                events.append((self._sort_key(source, index, n), kind, source, stage, reason, line))
        events.sort(key=lambda e: e[0])
        last = None
        for _key, kind, source, stage, reason, line in events:
            if kind == "skipped":
                batch.skip(source, stage, reason)
                continue
            if source != last:
                batch.ok()
                last = source
            yield json.loads(line)

    def corpus(self, batch: "_RecordingBatch", taxonomy):
        """The Corpus (every table in the local engine's row order); skipped inputs go to ``batch``."""
        from dataclasses import replace

        from .corpus import SKIPPED_COLUMNS, _frame

        if self.sc is not None:
            with spark_errors():
                corpus = self.sc.to_corpus()
        else:
            from .aggregate import from_results

            corpus = from_results([], taxonomy=taxonomy)
        frames = {}
        for kind in ("reports", "findings", "actions", "unmatched"):
            df = getattr(corpus, kind)
            pos = df["source"].map(self._position)
            frames[kind] = df.iloc[pos.argsort(kind="stable")].reset_index(drop=True) if len(df) else df
        skipped = [((pos, (), -1, 0), skip.source, skip.stage, skip.reason) for pos, skip in self.local_skips]
        skipped += [(self._sort_key(s, None, 0), s, st, r) for s, st, r in corpus.skipped[list(SKIPPED_COLUMNS)].itertuples(index=False, name=None)]
        for _key, source, stage, reason in sorted(skipped, key=lambda e: e[0]):
            batch.skip(source, stage, reason)
        for _ in range(frames["reports"]["source"].nunique()):
            batch.ok()
        return replace(corpus, **frames, skipped=_frame(batch.skipped_rows, SKIPPED_COLUMNS))


# root at WARN, Spark's shell default (else Spark announces that it sets it), but only errors printed
_QUIET_LOG4J2 = """rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n
appender.console.filter.threshold.type = ThresholdFilter
appender.console.filter.threshold.level = error
"""


@contextlib.contextmanager
def spark_errors():
    """A failure of Spark itself (not of an input: those are skipped) as one line, exit 1."""
    try:
        yield
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in ("pyspark", "py4j"):
            raise click.ClickException(f"Spark failed: {_first_line(exc)}") from None
        raise

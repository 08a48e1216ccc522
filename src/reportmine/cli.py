"""The ``reportmine`` command line: a thin layer over the library.

Exit codes: 0 every input processed; 2 some inputs skipped (each reported with its reason); 1 a fatal
error, or the first failure under ``--strict``. Data goes to stdout (or ``-o``), messages to stderr.

Hostile input: every input ends up processed or skipped with a reason (``--errors FILE`` keeps them as JSON
lines ``{"path", "stage", "reason"}``); files over ``--max-bytes`` are skipped unread; one file may take at
most ``--timeout`` seconds (worker processes with ``--jobs`` > 1, SIGALRM with ``--jobs 1``).

``--cache PATH`` keeps per-file results in a SQLite file (:mod:`reportmine.cache`): a re-run processes only
new or changed files, with the same output. ``--engine spark`` (``extract``, ``table``) runs the extraction
on PySpark (:mod:`reportmine.spark`) with the same output, skips and summary as the local engine (the
command line's side of it: ``reportmine._cli_spark``, imported only then).
"""
from __future__ import annotations

import csv
import json
import logging
import os
import re
import sys
from collections import Counter
from typing import Iterator

import click

from ._cli_options import analysis_options, by_option, engine_options, input_options, meta, output_option
from .errors import ReportmineError

__all__ = ["main", "cli"]

EXIT_OK, EXIT_FATAL, EXIT_SKIPPED = 0, 1, 2


class Batch:
    """Counts processed and skipped inputs, writes the --errors file, prints the summary on stderr."""

    def __init__(self, *, errors_file: str | None, strict: bool, quiet: bool) -> None:
        self.processed = 0
        self.from_cache: int | None = None  # results taken from --cache (None: no cache)
        self.skipped: Counter = Counter()
        self.strict = strict
        self.quiet = quiet
        try:
            self._errors = open(errors_file, "w", encoding="utf-8") if errors_file else None
        except OSError as exc:
            raise click.FileError(errors_file, hint=exc.strerror or str(exc)) from None

    def ok(self) -> None:
        self.processed += 1

    @staticmethod
    def reason_kind(reason: str) -> str:
        """The reason without its details, for the summary: ``file too large (123 bytes > …)`` and
        ``damaged pdf: PSSyntaxError: …`` count as ``file too large`` and ``damaged pdf``."""
        head = re.sub(r"\s*(\([^)]*(?:\)|$)|'[^']*')", "", reason.split(":")[0]).strip()
        return head or reason.strip() or "unknown reason"

    def skip(self, source: str, stage: str, reason: str) -> None:
        from .io import printable

        source, reason = printable(source), printable(reason or "unknown reason")
        self.skipped[self.reason_kind(reason)] += 1
        if self._errors:
            self._errors.write(json.dumps({"path": source, "stage": stage, "reason": reason}, ensure_ascii=False) + "\n")
            self._errors.flush()
        click.echo(f"skipped {_one_line(source)}: {_one_line(reason)}", err=True)
        if self.strict:
            self.close()
            raise click.exceptions.Exit(EXIT_FATAL)

    def close(self) -> int:
        if self._errors:
            self._errors.close()
            self._errors = None
        n_skip = sum(self.skipped.values())
        if not self.quiet or n_skip:
            detail = "".join(f"; {n} {reason}" for reason, n in self.skipped.most_common())
            cached = f" ({min(self.from_cache, self.processed)} from cache)" if self.from_cache is not None else ""
            click.echo(f"{self.processed} processed{cached}, {n_skip} skipped{detail}", err=True)
        return EXIT_SKIPPED if n_skip else EXIT_OK


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)}


def _one_line(text: str) -> str:
    """Control characters (a newline in a file name) escaped, so that each skip stays one line."""
    return text.translate(_CONTROL)


def _open_out(output: str | None, *, bom: bool = False):
    """``-o FILE`` in UTF-8 (with a BOM for csv), else stdout as click sets it up: in its own encoding, or in
    UTF-8 when that is ASCII (a C locale, ``PYTHONIOENCODING=ascii``). Closing it closes only a file."""
    if output:
        return open(output, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")
    return click.open_file("-", "w")


def _progress(total_hint: int | None, quiet: bool):
    from contextlib import nullcontext

    if quiet or not sys.stderr.isatty():
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def iter_results(paths, *, batch: Batch, stage: str, taxonomy=None, use_model: bool = True, include=(), exclude=(),
                 quiet=False, jobs: int = 1, timeout: float | None = None) -> Iterator:
    """Run the pipeline, account for every input, and yield FileResults that were processed. With
    ``--cache`` the results of unchanged files come from the cache file (counted in the summary)."""
    from .io import MAX_BYTES
    from .pipeline import run

    paths = list(paths)
    cache = _open_cache()
    if cache is not None:
        batch.from_cache = 0
    try:
        with _progress(None, quiet) as prog:
            task = prog.add_task("reading", total=None) if prog else None
            for res in run(paths, taxonomy=taxonomy, stage=stage, use_model=use_model, include=include, exclude=exclude,
                           jobs=jobs, timeout=timeout, max_bytes=meta("max_bytes", MAX_BYTES), cache=cache):
                if prog:
                    prog.update(task, advance=1, description=res.source[-40:])
                if cache is not None:
                    batch.from_cache = cache.stats.hits
                if res.skipped:
                    batch.skip(res.source, res.skipped.stage, res.skipped.reason)
                else:
                    batch.ok()
                    yield res
    finally:
        if cache is not None:
            cache.close()


def _open_cache():
    """The ResultCache of ``--cache PATH`` (None without it). A path that cannot hold a cache (unwritable,
    not a SQLite file) raises ReportmineError naming it: one line on stderr, exit 1."""
    path = meta("cache")
    if path is None:
        return None
    from .cache import ResultCache

    return ResultCache(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportmine")
def cli() -> None:
    """Turn Chinese inspection reports into evidence-backed tables of recurring problems."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True)
@input_options
@output_option
def parse(paths, fmt, include, exclude, errors_file, strict, quiet, jobs, timeout, output):
    """Structure reports: title, addressee, sections, sentences, signing unit, region and date."""
    batch = Batch(errors_file=errors_file, strict=strict, quiet=quiet)
    records = (r.to_dict() for res in iter_results(paths, batch=batch, stage="parse", include=include, exclude=exclude, quiet=quiet, jobs=jobs, timeout=timeout) for r in res.reports)
    _write_records(records, fmt, output)
    sys.exit(batch.close())


@cli.command()
@click.argument("file", type=click.Path())
@click.option("--convert", type=click.Choice(["tw2s", "hk2s", "t2s", "none"]), default="tw2s", show_default=True, help="OpenCC config for script conversion.")
@click.option("--no-pinyin", is_flag=True, help="Keep pinyin annotations.")
@click.option("--no-boilerplate", is_flag=True, help="Keep web/download-site boilerplate.")
@click.option("--no-cjk-spaces", is_flag=True, help="Keep spaces between CJK characters.")
@click.option("--no-rejoin", is_flag=True, help="Keep lines broken mid-sentence.")
@click.option("--no-fullwidth", is_flag=True, help="Keep full-width letters and digits.")
@output_option
def normalize(file, convert, no_pinyin, no_boilerplate, no_cjk_spaces, no_rejoin, no_fullwidth, output):
    """Print the cleaned, simplified text of FILE."""
    from .io import read_document
    from .normalize import normalize as _normalize

    doc = read_document(file)
    norm = _normalize(doc.text, convert=convert, pinyin=not no_pinyin, boilerplate=not no_boilerplate,
                      cjk_spaces=not no_cjk_spaces, rejoin=not no_rejoin, fullwidth=not no_fullwidth)
    out = _open_out(output)
    out.write(norm.text if norm.text.endswith("\n") else norm.text + "\n")
    click.echo(f"{doc.source}: encoding {doc.encoding}, script {norm.script}, {len(doc.text)} -> {len(norm.text)} chars", err=True)


def _check_engine(engine: str, spark_master: str | None, *, include=(), exclude=()) -> None:
    """Usage errors for options the chosen engine does not have, and for a Spark engine not installed."""
    if engine != "spark":
        if spark_master is not None:
            raise click.UsageError("--spark-master applies to --engine spark only")
        return
    from ._cli_spark import check_options

    check_options(include=include, exclude=exclude)


_CSV_COLUMNS = ["source", "index", "report_id", "org", "date", "doc_type", "kind", "id", "polarity", "planned", "amount_yuan", "start", "end", "original"]


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv"]), default="jsonl", show_default=True)
@click.option("--taxonomy", "taxonomy_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Extend/override the taxonomy with this YAML/TOML file (repeatable).")
@click.option("--no-model", is_flag=True, help="Rules only: do not use the learned re-scorer.")
@engine_options
@input_options
@output_option
def extract(paths, fmt, taxonomy_files, no_model, engine, spark_master, include, exclude, errors_file, strict, quiet, jobs, timeout, output):
    """Extract findings (category, polarity) and remedial actions, with quotes and offsets."""
    from .taxonomy import load_taxonomy

    _check_engine(engine, spark_master, include=include, exclude=exclude)
    tax = load_taxonomy(*taxonomy_files)
    batch = Batch(errors_file=errors_file, strict=strict, quiet=quiet)
    if engine == "spark":
        from ._cli_spark import SparkRun

        records = SparkRun(paths, taxonomy_files=taxonomy_files, no_model=no_model, master=spark_master,
                           with_json=True).extract_records(batch)
    else:
        results = iter_results(paths, batch=batch, stage="extract", taxonomy=tax, use_model=not no_model, include=include,
                               exclude=exclude, quiet=quiet, jobs=jobs, timeout=timeout)
        records = (e.to_dict() for res in results for e in res.extractions)
    if fmt == "csv":
        out = _open_out(output, bom=True)
        if not output:
            out.write("\ufeff")
        w = csv.writer(out)
        w.writerow(_CSV_COLUMNS)
        for rec in records:
            head = [rec["source"], rec["index"], rec["report_id"], rec["org"], rec["date"], rec["doc_type"]]
            for f in rec["findings"]:
                w.writerow(head + ["finding", f["category"], f["polarity"], "", "", f["start"], f["end"], f["original"]])
            for a in rec["actions"]:
                w.writerow(head + ["action", a["type"], "", a["planned"], a["amount_yuan"], a["start"], a["end"], a["original"]])
        out.flush()
    else:
        _write_records(records, fmt, output)
    sys.exit(batch.close())


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True))
@click.option("--split", type=click.Choice(["all", "train", "test"]), default="test", show_default=True, help="Which part of the gold corpus to score (corpora/split.json).")
@click.option("--no-model", is_flag=True, help="Rules only: do not use the learned re-scorer.")
@click.option("--compare", is_flag=True, help="Score rules only and rules+model side by side.")
@click.option("--json", "as_json", is_flag=True, help="Print the headline figures as JSON.")
def eval_(gold, split, no_model, compare, as_json):
    """Precision, recall and F1 against gold annotations (GOLD: a .jsonl file or a folder of them)."""
    from .evaluate import evaluate, format_eval
    from .extract import Extractor

    runs = [("rules", None), ("rules+model", "default")] if compare else [("rules" if no_model else "rules+model", None if no_model else "default")]
    summaries = {}
    for name, model in runs:
        res = evaluate(gold, split=split, extractor=Extractor(model=model))
        summaries[name] = res.summary()
        if not as_json:
            click.echo(f"== {name} on the {split} split ({res.n_reports} reports)")
            click.echo(format_eval(res))
            click.echo()
    if as_json or compare:
        click.echo(json.dumps(summaries, ensure_ascii=False, indent=1))


# --------------------------------------------------------------------------- tables and reports

_POLARITY_CHOICE = click.Choice(["found", "not_found", "requirement", "any"])
_PERIOD_CHOICE = click.Choice(["year", "quarter", "month"])
_TABLE_FORMATS = click.Choice(["text", "csv", "md", "xlsx", "json"])


class _RecordingBatch(Batch):
    """A Batch that also keeps the skipped inputs (for the corpus's ``skipped`` table)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.skipped_rows: list[dict] = []

    def skip(self, source: str, stage: str, reason: str) -> None:
        self.skipped_rows.append({"source": source, "stage": stage, "reason": reason})
        super().skip(source, stage, reason)


def _build_corpus(paths, *, taxonomy_files, no_model, include, exclude, errors_file, strict, quiet, jobs, timeout,
                  engine="local", spark_master=None):
    """Run the pipeline over PATHS (progress and skips on stderr) into a Corpus; returns (corpus, batch)."""
    from dataclasses import replace

    import pandas as pd

    from .aggregate import SKIPPED_COLUMNS, from_results
    from .taxonomy import load_taxonomy

    tax = load_taxonomy(*taxonomy_files)
    batch = _RecordingBatch(errors_file=errors_file, strict=strict, quiet=quiet)
    if engine == "spark":
        from ._cli_spark import SparkRun

        run = SparkRun(paths, taxonomy_files=taxonomy_files, no_model=no_model, master=spark_master, with_json=False)
        return run.corpus(batch, tax), batch
    results = iter_results(paths, batch=batch, stage="extract", taxonomy=tax, use_model=not no_model, include=include,
                           exclude=exclude, quiet=quiet, jobs=jobs, timeout=timeout)
    corpus = from_results(results, taxonomy=tax)
    corpus = replace(corpus, skipped=pd.DataFrame(batch.skipped_rows, columns=list(SKIPPED_COLUMNS)))
    return corpus, batch


def _emit_table(df, fmt: str, output: str | None, *, workbook=None) -> None:
    """Write one table (text/csv/md/json) to stdout or ``-o``; ``xlsx`` writes ``workbook()`` sheets."""
    from .report import format_table, write_xlsx

    if fmt == "xlsx":
        tables, evidence = workbook()
        write_xlsx(tables, output, evidence=evidence)
        return
    out = _open_out(output, bom=fmt == "csv")
    if fmt == "csv" and not output:
        out.write("\ufeff")
    out.write(format_table(df, fmt))
    out.flush()
    if output:
        out.close()


def _need_file(fmt: str, output: str | None) -> None:
    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx needs -o FILE (a workbook cannot go to stdout)")


def _all_tables(corpus, *, first: str, table, by, polarity, period="year"):
    """The workbook: the requested table first, then the other tables, and the evidence sheet."""
    from . import aggregate as ag

    unit_by = list(by) or ["org"]
    tables = {first: table}
    others = {
        "frequency": lambda: ag.frequency(corpus, by=by, polarity=polarity),
        "recurrence": lambda: ag.recurrence(corpus, by=unit_by, period=period, polarity=polarity),
        "cooccurrence": lambda: ag.cooccurrence(corpus, polarity=polarity),
        "issue_actions": lambda: ag.issue_actions(corpus),
        "fines": lambda: ag.fines(corpus, by=unit_by),
    }
    for name, make in others.items():
        if name not in tables:
            tables[name] = make()
    if len(corpus.skipped):
        tables["skipped"] = corpus.skipped
    return tables, corpus.findings


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--table", "kind", type=click.Choice(["frequency", "cooccurrence", "actions", "fines"]), default="frequency",
              show_default=True, help="Which table: category frequency, co-occurrence in reports, issue to action, fine totals.")
@by_option("", "Group by these columns (frequency, fines): org, province, city, county, year, quarter, month, doc_type, source.")
@click.option("--polarity", type=_POLARITY_CHOICE, default="found", show_default=True, help="Which mentions count.")
@click.option("--unit", type=click.Choice(["reports", "mentions"]), default="reports", show_default=True,
              help="Count reports where a category occurs, or mentions.")
@click.option("--top", type=click.IntRange(min=1), help="Keep the N largest rows (per group for frequency).")
@click.option("--format", "fmt", type=_TABLE_FORMATS, default="text", show_default=True,
              help="text: aligned table; csv: UTF-8 with BOM (Excel); xlsx: every table plus the evidence sheet.")
@analysis_options
@engine_options
@input_options
@output_option
def table(paths, kind, by, polarity, unit, top, fmt, taxonomy_files, no_model, engine, spark_master, include, exclude, errors_file,
          strict, quiet, jobs, timeout, output):
    """Tables of problems: how often each category was found, by any unit or period."""
    from . import aggregate as ag

    _need_file(fmt, output)
    if by and kind in ("cooccurrence", "actions"):
        raise click.UsageError(f"--by does not apply to --table {kind}")
    _check_engine(engine, spark_master, include=include, exclude=exclude)
    corpus, batch = _build_corpus(paths, taxonomy_files=taxonomy_files, no_model=no_model, include=include, exclude=exclude,
                                  errors_file=errors_file, strict=strict, quiet=quiet, jobs=jobs, timeout=timeout,
                                  engine=engine, spark_master=spark_master)
    if kind == "frequency":
        df = ag.frequency(corpus, by=by, polarity=polarity, unit=unit, top=top)
    elif kind == "cooccurrence":
        df = ag.cooccurrence(corpus, polarity=polarity)
    elif kind == "actions":
        df = ag.issue_actions(corpus)
    else:
        df = ag.fines(corpus, by=by)
    if top is not None and kind != "frequency":
        df = df.head(top)
    name = {"actions": "issue_actions"}.get(kind, kind)
    _emit_table(df, fmt, output, workbook=lambda: _all_tables(corpus, first=name, table=df, by=by, polarity=polarity))
    sys.exit(batch.close())


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@by_option("org", "The unit a problem recurs in (comma-separated columns).")
@click.option("--period", type=_PERIOD_CHOICE, default="year", show_default=True, help="Period for consecutive runs.")
@click.option("--min-reports", type=click.IntRange(min=1), default=2, show_default=True, help="Reports of one unit a category must be found in.")
@click.option("--polarity", type=_POLARITY_CHOICE, default="found", show_default=True)
@click.option("--top", type=click.IntRange(min=1), help="Keep the first N rows.")
@click.option("--format", "fmt", type=_TABLE_FORMATS, default="text", show_default=True)
@analysis_options
@input_options
@output_option
def recurring(paths, by, period, min_reports, polarity, top, fmt, taxonomy_files, no_model, include, exclude, errors_file, strict, quiet, jobs, timeout, output):
    """Problems found again and again in the same unit: reports, periods, first and last seen, a quote."""
    from . import aggregate as ag

    _need_file(fmt, output)
    if not by:
        raise click.BadParameter("recurrence needs a unit", param_hint="--by")
    corpus, batch = _build_corpus(paths, taxonomy_files=taxonomy_files, no_model=no_model, include=include, exclude=exclude,
                                  errors_file=errors_file, strict=strict, quiet=quiet, jobs=jobs, timeout=timeout)
    df = ag.recurrence(corpus, by=by, period=period, polarity=polarity, min_reports=min_reports)
    if top is not None:
        df = df.head(top)
    _emit_table(df, fmt, output, workbook=lambda: _all_tables(corpus, first="recurrence", table=df, by=by, polarity=polarity, period=period))
    sys.exit(batch.close())


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@by_option("province", "The unit of the heatmap (one column).")
@click.option("--period", type=_PERIOD_CHOICE, default="year", show_default=True, help="Period of the trend chart and of recurrence.")
@click.option("--polarity", type=_POLARITY_CHOICE, default="found", show_default=True)
@click.option("--title", default="检查报告问题分析 reportmine", show_default=True)
@analysis_options
@input_options
@output_option
def report(paths, by, period, polarity, title, taxonomy_files, no_model, include, exclude, errors_file, strict, quiet, jobs, timeout, output):
    """A self-contained HTML report (charts, tables, searchable evidence) that opens offline."""
    from .report import render_html

    if len(by) != 1:
        raise click.BadParameter("the heatmap takes one column", param_hint="--by")
    corpus, batch = _build_corpus(paths, taxonomy_files=taxonomy_files, no_model=no_model, include=include, exclude=exclude,
                                  errors_file=errors_file, strict=strict, quiet=quiet, jobs=jobs, timeout=timeout)
    text = render_html(corpus, by=by[0], period=period, polarity=polarity, title=title)
    out = _open_out(output)
    out.write(text)
    out.flush()
    if output:
        out.close()
        if not quiet:
            click.echo(f"wrote {output}", err=True)
    sys.exit(batch.close())


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-k", "--clusters", "k", type=click.IntRange(min=1), help="Number of clusters (default: chosen by silhouette).")
@click.option("--method", type=click.Choice(["kmeans", "nmf"]), default="kmeans", show_default=True)
@click.option("--by", "unit", type=click.Choice(["org", "province", "city", "county", "year", "quarter", "month", "doc_type", "source"]),
              default="org", show_default=True, help="Which units each cluster lists.")
@click.option("--terms", "n_terms", type=click.IntRange(min=1), default=8, show_default=True, help="Key terms per cluster.")
@click.option("--examples", "n_examples", type=click.IntRange(min=1), default=3, show_default=True, help="Example quotes per cluster.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--format", "fmt", type=_TABLE_FORMATS, default="text", show_default=True)
@analysis_options
@input_options
@output_option
def discover(paths, k, method, unit, n_terms, n_examples, seed, fmt, taxonomy_files, no_model, include, exclude, errors_file, strict, quiet, jobs, timeout, output):
    """Cluster problem sentences that match no category: candidates for new taxonomy entries."""
    from .discovery import discover as _discover
    from .report import write_xlsx

    _need_file(fmt, output)
    corpus, batch = _build_corpus(paths, taxonomy_files=taxonomy_files, no_model=no_model, include=include, exclude=exclude,
                                  errors_file=errors_file, strict=strict, quiet=quiet, jobs=jobs, timeout=timeout)
    found = _discover(corpus, k=k, method=method, by=unit, n_terms=n_terms, n_examples=n_examples, seed=seed)
    if fmt == "xlsx":
        write_xlsx({"clusters": found.clusters, "sentences": found.sentences}, output)
    elif fmt == "text":
        out = _open_out(output)
        out.write(_format_clusters(found.clusters, n_sentences=len(corpus.unmatched)))
        out.flush()
        if output:
            out.close()
    else:
        _emit_table(found.clusters, fmt, output)
    sys.exit(batch.close())


def _format_clusters(clusters, *, n_sentences: int) -> str:
    """Clusters as readable blocks: size, key terms, units, quoted examples (long quotes cut)."""
    from .report import truncate

    if clusters.empty:
        return f"no clusters ({n_sentences} problem sentences outside the taxonomy)\n"
    lines = []
    for row in clusters.itertuples(index=False):
        lines.append(f"cluster {row.cluster}: {row.size} sentences in {row.reports} reports, {row.n_units} units")
        lines.append("  terms: " + "、".join(row.terms))
        lines.append("  units: " + "、".join(row.units[:8]) + (" …" if len(row.units) > 8 else ""))
        for quote, source in zip(row.examples, row.sources):
            lines.append(f"  「{truncate(' '.join(quote.split()), 120)}」 ({source})")
        lines.append("")
    return "\n".join(lines)


def _write_records(records, fmt: str, output: str | None) -> None:
    out = _open_out(output)
    if fmt == "json":
        out.write(json.dumps(list(records), ensure_ascii=False, indent=1) + "\n")
    else:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    out.flush()


class _OneLineFormatter(logging.Formatter):
    """Log records as one line: the traceback of a logged exception stays out (REPORTMINE_DEBUG=1 shows it)."""

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return ""

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return ""


def _setup_logging() -> None:
    """Warnings of reportmine on stderr as one line each; the pdf libraries' chatter about odd files (which
    is normal with files from anywhere) only when it is an error."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s") if os.environ.get("REPORTMINE_DEBUG")
                             else _OneLineFormatter("%(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    for name in ("pdfminer", "pdfplumber", "PIL"):
        logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> None:
    """Entry point: library errors become one line on stderr and exit 1, never a traceback."""
    _setup_logging()
    try:
        code = cli.main(args=argv, prog_name="reportmine", standalone_mode=False)
        if isinstance(code, int) and code:  # an Exit raised by a command (--strict): click returns its code
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_FATAL)
    except ReportmineError as exc:
        click.echo(f"reportmine: error: {exc}", err=True)
        sys.exit(EXIT_FATAL)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # never a traceback for users; REPORTMINE_DEBUG=1 shows it
        if os.environ.get("REPORTMINE_DEBUG"):
            raise
        click.echo(f"reportmine: internal error: {type(exc).__name__}: {exc} (set REPORTMINE_DEBUG=1 for a traceback)", err=True)
        sys.exit(EXIT_FATAL)

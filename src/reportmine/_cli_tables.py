"""The commands that build a corpus and print its tables (``table``, ``recurring``, ``report``, ``discover``),
registered on the command group by :mod:`reportmine.cli`."""
from __future__ import annotations

import sys

import click

from ._cli_batch import _RecordingBatch, iter_results
from ._cli_options import _check_engine, _open_out, analysis_options, by_option, engine_options, input_options, output_option

__all__ = ["table", "recurring", "report", "discover"]

_POLARITY_CHOICE = click.Choice(["found", "not_found", "requirement", "any"])
_PERIOD_CHOICE = click.Choice(["year", "quarter", "month"])
_TABLE_FORMATS = click.Choice(["text", "csv", "md", "xlsx", "json"])


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


@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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

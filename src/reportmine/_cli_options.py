"""Options shared by the commands of :mod:`reportmine.cli` (click decorators and their small helpers)."""
from __future__ import annotations

import codecs
import os
from typing import Callable

import click

_META = "reportmine."


def _remember(name: str) -> Callable:
    """Callback of a shared option that no command lists among its parameters: kept in ``ctx.meta``."""

    def store(ctx, param, value):
        if value is not None:
            ctx.meta[_META + name] = value
        return value

    return store


def meta(name: str, default=None):
    """The value of a shared option kept by :func:`_remember` (``default`` when not given)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_META + name, default) if ctx is not None else default


def given(name: str) -> bool:
    """Whether the option (parameter ``name``) was given on the command line (not its default)."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    source = ctx.get_parameter_source(name)
    return source is not None and source not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


def input_options(f: Callable) -> Callable:
    """Options shared by every command that reads a batch of inputs."""
    f = click.option("--include", multiple=True, metavar="GLOB", help="Only files matching GLOB (repeatable) in directories.")(f)
    f = click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable) in directories.")(f)
    f = click.option("--errors", "errors_file", type=click.Path(dir_okay=False), help="Write skipped inputs as JSONL (path, stage, reason).")(f)
    f = click.option("--strict", is_flag=True, help="Stop at the first input that fails (exit 1).")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")(f)
    f = click.option("-j", "--jobs", type=click.IntRange(1, 256), default=os.cpu_count() or 1, show_default="all cores",
                     help="Worker processes; output is identical to --jobs 1.")(f)
    f = click.option("--timeout", type=click.FloatRange(min=1), default=300.0, show_default=True,
                     help="Seconds one file may take before it is skipped (worker processes; SIGALRM with --jobs 1).")(f)
    f = click.option("--max-bytes", type=click.IntRange(min=1), default=None, metavar="N", expose_value=False,
                     callback=_remember("max_bytes"), show_default="32 MiB",
                     help="Skip txt, html and pdf files larger than N bytes, unread (\"file too large\").")(f)
    f = click.option("--cache", type=click.Path(dir_okay=False), default=None, metavar="PATH", expose_value=False,
                     callback=_remember("cache"),
                     help="SQLite file of per-file results: a re-run processes only new or changed files "
                          "(same output; created if missing).")(f)
    return f


def engine_options(f: Callable) -> Callable:
    """``--engine local|spark`` and ``--spark-master`` (commands that can run on Spark)."""
    f = click.option("--spark-master", metavar="URL", default=None, show_default="local[*], or spark-submit's",
                     help="Spark master for --engine spark (local[4], spark://host:7077, yarn ...).")(f)
    f = click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
                     help="local: this machine (--jobs processes); spark: PySpark (needs the spark extra).")(f)
    return f


def _check_engine(engine: str, spark_master: str | None, *, include=(), exclude=()) -> None:
    """Usage errors for options the chosen engine does not have, and for a Spark engine not installed."""
    if engine != "spark":
        if spark_master is not None:
            raise click.UsageError("--spark-master applies to --engine spark only")
        return
    from ._cli_spark import check_options

    check_options(include=include, exclude=exclude)


def _open_out(output: str | None, *, bom: bool = False):
    """``-o FILE`` in UTF-8 (with a BOM for csv), else stdout as click sets it up: in its own encoding, or in
    UTF-8 when that is ASCII (a C locale, ``PYTHONIOENCODING=ascii``); the BOM only where stdout is UTF-8
    (a GBK or Big5 stdout cannot encode it). Closing it closes only a file."""
    if output:
        return open(output, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")
    out = click.open_file("-", "w")
    if bom and codecs.lookup(getattr(out, "encoding", None) or "ascii").name.startswith("utf"):
        out.write("\ufeff")
    return out


def output_option(f: Callable) -> Callable:
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")(f)


def analysis_options(f: Callable) -> Callable:
    """Options of the commands that build a corpus: taxonomy files and the learned re-scorer."""
    f = click.option("--no-model", is_flag=True, help="Rules only: do not use the learned re-scorer.")(f)
    f = click.option("--taxonomy", "taxonomy_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="Extend/override the taxonomy with this YAML/TOML file (repeatable).")(f)
    return f


def by_option(default: str, help_text: str) -> Callable:
    def check(ctx, param, value):
        from .aggregate import QueryError, _keys

        try:
            return tuple(_keys(value))
        except QueryError as exc:
            raise click.BadParameter(exc.reason) from None

    return click.option("--by", default=default, show_default=bool(default), callback=check, metavar="COL[,COL...]", help=help_text)

"""Accounting for a batch of inputs on the command line: every input processed or skipped with a reason,
the ``--errors`` file, progress and the summary on stderr, and the pipeline run behind them."""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from typing import Iterator

import click

from ._cli_options import meta

__all__ = ["Batch", "iter_results", "EXIT_OK", "EXIT_FATAL", "EXIT_SKIPPED"]

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


class _RecordingBatch(Batch):
    """A Batch that also keeps the skipped inputs (for the corpus's ``skipped`` table)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.skipped_rows: list[dict] = []

    def skip(self, source: str, stage: str, reason: str) -> None:
        self.skipped_rows.append({"source": source, "stage": stage, "reason": reason})
        super().skip(source, stage, reason)

"""The ``reportmine`` command line: a thin layer over the library.

Exit codes: 0 every input processed; 2 some inputs skipped (each reported with its reason); 1 a fatal
error, or the first failure under ``--strict``. Data goes to stdout (or ``-o``), messages to stderr.
"""
from __future__ import annotations

import csv
import io as _io
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

import click

from .errors import ReportmineError

__all__ = ["main", "cli"]

EXIT_OK, EXIT_FATAL, EXIT_SKIPPED = 0, 1, 2


class Batch:
    """Counts processed and skipped inputs, writes the --errors file, prints the summary on stderr."""

    def __init__(self, *, errors_file: str | None, strict: bool, quiet: bool) -> None:
        self.processed = 0
        self.skipped: Counter = Counter()
        self.strict = strict
        self.quiet = quiet
        self._errors = open(errors_file, "w", encoding="utf-8") if errors_file else None

    def ok(self) -> None:
        self.processed += 1

    def skip(self, source: str, stage: str, reason: str) -> None:
        self.skipped[reason.split(":")[0]] += 1
        if self._errors:
            self._errors.write(json.dumps({"path": source, "stage": stage, "reason": reason}, ensure_ascii=False) + "\n")
            self._errors.flush()
        click.echo(f"skipped {source}: {reason}", err=True)
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
            click.echo(f"{self.processed} processed, {n_skip} skipped{detail}", err=True)
        return EXIT_SKIPPED if n_skip else EXIT_OK


def input_options(f: Callable) -> Callable:
    """Options shared by every command that reads a batch of inputs."""
    f = click.option("--include", multiple=True, metavar="GLOB", help="Only files matching GLOB (repeatable) in directories.")(f)
    f = click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable) in directories.")(f)
    f = click.option("--errors", "errors_file", type=click.Path(dir_okay=False), help="Write skipped inputs as JSONL (path, stage, reason).")(f)
    f = click.option("--strict", is_flag=True, help="Stop at the first input that fails (exit 1).")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")(f)
    return f


def output_option(f: Callable) -> Callable:
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")(f)


def _open_out(output: str | None, *, bom: bool = False):
    if output:
        return open(output, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")
    return click.get_text_stream("stdout")


def _progress(total_hint: int | None, quiet: bool):
    from contextlib import nullcontext

    if quiet or not sys.stderr.isatty():
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def iter_results(paths, *, batch: Batch, stage: str, taxonomy=None, use_model: bool = True, include=(), exclude=(), quiet=False) -> Iterator:
    """Run the pipeline, account for every input, and yield FileResults that were processed."""
    from .io import iter_paths
    from .pipeline import run

    paths = list(paths)
    with _progress(None, quiet) as prog:
        task = prog.add_task("reading", total=None) if prog else None
        for res in run(paths, taxonomy=taxonomy, stage=stage, use_model=use_model, include=include, exclude=exclude):
            if prog:
                prog.update(task, advance=1, description=res.source[-40:])
            if res.skipped:
                batch.skip(res.source, res.skipped.stage, res.skipped.reason)
            else:
                batch.ok()
                yield res


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportmine")
def cli() -> None:
    """Turn Chinese inspection reports into evidence-backed tables of recurring problems."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True)
@input_options
@output_option
def parse(paths, fmt, include, exclude, errors_file, strict, quiet, output):
    """Structure reports: title, addressee, sections, sentences, signing unit, region and date."""
    batch = Batch(errors_file=errors_file, strict=strict, quiet=quiet)
    records = (r.to_dict() for res in iter_results(paths, batch=batch, stage="parse", include=include, exclude=exclude, quiet=quiet) for r in res.reports)
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


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv"]), default="jsonl", show_default=True)
@click.option("--taxonomy", "taxonomy_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Extend/override the taxonomy with this YAML/TOML file (repeatable).")
@click.option("--no-model", is_flag=True, help="Rules only: do not use the learned re-scorer.")
@input_options
@output_option
def extract(paths, fmt, taxonomy_files, no_model, include, exclude, errors_file, strict, quiet, output):
    """Extract findings (category, polarity) and remedial actions, with quotes and offsets."""
    from .taxonomy import load_taxonomy

    tax = load_taxonomy(*taxonomy_files)
    batch = Batch(errors_file=errors_file, strict=strict, quiet=quiet)
    results = iter_results(paths, batch=batch, stage="extract", taxonomy=tax, use_model=not no_model, include=include, exclude=exclude, quiet=quiet)
    if fmt == "csv":
        out = _open_out(output, bom=True)
        if not output:
            out.write("\ufeff")
        w = csv.writer(out)
        w.writerow(["source", "index", "report_id", "org", "date", "doc_type", "kind", "id", "polarity", "planned", "amount_yuan", "start", "end", "original"])
        for res in results:
            for e in res.extractions:
                r = e.report
                for f in e.findings:
                    w.writerow([r.source, r.index, r.report_id, r.org, r.date, e.doc_type, "finding", f.category, f.polarity, "", "", f.start, f.end, f.original])
                for a in e.actions:
                    w.writerow([r.source, r.index, r.report_id, r.org, r.date, e.doc_type, "action", a.type, "", a.planned, a.amount_yuan, a.start, a.end, a.original])
    else:
        _write_records((e.to_dict() for res in results for e in res.extractions), fmt, output)
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


def _write_records(records, fmt: str, output: str | None) -> None:
    out = _open_out(output)
    if fmt == "json":
        out.write(json.dumps(list(records), ensure_ascii=False, indent=1) + "\n")
    else:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    out.flush()


def main(argv: list[str] | None = None) -> None:
    """Entry point: library errors become one line on stderr and exit 1, never a traceback."""
    try:
        cli.main(args=argv, prog_name="reportmine", standalone_mode=False)
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

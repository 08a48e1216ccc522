"""The ``reportmine`` command line: a thin layer over the library.

Exit codes: 0 every input processed; 2 some inputs skipped (each reported with its reason); 1 a fatal
error, or the first failure under ``--strict``. Data goes to stdout (or ``-o``), messages to stderr.

Hostile input: every input ends up processed or skipped with a reason (``--errors FILE`` keeps them as JSON
lines ``{"path", "stage", "reason"}``); files over ``--max-bytes`` are skipped unread; one file may take at
most ``--timeout`` seconds (worker processes with ``--jobs`` > 1, SIGALRM with ``--jobs 1``).

``--cache PATH`` keeps per-file results in a SQLite file (:mod:`reportmine.cache`): a re-run processes only
new or changed files, with the same output. ``--engine spark`` (``extract``, ``table``) runs the extraction
on PySpark (:mod:`reportmine.spark`) with the same output, skips and summary as the local engine (the
command line's side of it: ``reportmine._cli_spark``, imported only then). The table commands are in
``reportmine._cli_tables``, the accounting of a batch of inputs in ``reportmine._cli_batch``.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import sys

import click

from ._cli_batch import EXIT_FATAL, EXIT_OK, Batch, iter_results
from ._cli_options import _check_engine, _open_out, engine_options, input_options, output_option
from ._cli_tables import discover, recurring, report, table
from .errors import ReportmineError

__all__ = ["main", "cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportmine")
def cli() -> None:
    """Turn Chinese inspection reports into evidence-backed tables of recurring problems."""


# the commands that build a corpus and print its tables: reportmine._cli_tables
cli.add_command(table)
cli.add_command(recurring)
cli.add_command(report)
cli.add_command(discover)


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
    except UnicodeEncodeError as exc:  # stdout in a legacy encoding (PYTHONIOENCODING=big5) and a character it lacks
        click.echo(f"reportmine: error: the output encoding {exc.encoding} cannot write {exc.object[exc.start:exc.end]!r}; "
                   "write to a file with -o FILE (UTF-8) or set PYTHONIOENCODING=utf-8", err=True)
        sys.exit(EXIT_FATAL)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # never a traceback for users; REPORTMINE_DEBUG=1 shows it
        if os.environ.get("REPORTMINE_DEBUG"):
            raise
        click.echo(f"reportmine: internal error: {type(exc).__name__}: {exc} (set REPORTMINE_DEBUG=1 for a traceback)", err=True)
        sys.exit(EXIT_FATAL)

"""The pipeline for one file: read, normalize, structure, extract. Yields compact per-file results."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from .errors import ReportmineError
from .extract import Extraction, Extractor
from .io import MAX_BYTES, Document, Skipped, iter_documents
from .normalize import normalize
from .structure import Report, iter_reports
from .taxonomy import Taxonomy

__all__ = ["FileResult", "process_document", "run"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    """Everything one input gave: its extractions (or reports), or the reason it was skipped."""

    source: str
    encoding: str | None
    extractions: tuple[Extraction, ...] = ()
    reports: tuple[Report, ...] = ()
    skipped: Skipped | None = None


def process_document(doc: Document, *, extractor: Extractor | None = None, stage: str = "extract", **normalize_options) -> FileResult:
    """Normalize and structure a document, and extract (unless ``stage='parse'``)."""
    try:
        norm = normalize(doc.text, **normalize_options)
        reports = tuple(iter_reports(doc, norm=norm))
        if stage == "parse":
            return FileResult(doc.source, doc.encoding, reports=reports)
        ex = extractor or Extractor()
        return FileResult(doc.source, doc.encoding, extractions=tuple(ex.extract(r) for r in reports), reports=reports)
    except ReportmineError as exc:
        return FileResult(doc.source, doc.encoding, skipped=Skipped(doc.source, exc.stage or stage, exc.reason))
    except RecursionError:
        return FileResult(doc.source, doc.encoding, skipped=Skipped(doc.source, stage, "input too deeply nested"))
    except MemoryError:
        return FileResult(doc.source, doc.encoding, skipped=Skipped(doc.source, stage, "out of memory on this file"))
    except Exception as exc:  # a bug must cost one file, never the batch: report it with the file
        if os.environ.get("REPORTMINE_DEBUG"):
            raise
        log.exception("internal error on %s", doc.source)
        return FileResult(doc.source, doc.encoding,
                          skipped=Skipped(doc.source, stage, f"internal error: {type(exc).__name__}: {exc}"))


def _worker_init(taxonomy_files: tuple[str, ...], stage: str, use_model: bool) -> None:
    """Per worker process: build the extractor (taxonomy automaton, model) once."""
    from .taxonomy import load_taxonomy

    tax = load_taxonomy(*taxonomy_files)
    _WORKER["extractor"] = Extractor(tax, model="default" if use_model else None) if stage != "parse" else None
    _WORKER["stage"] = stage


_WORKER: dict = {}  # state of a worker process (set by _worker_init), never used in the parent


def _work(path: str, max_bytes: int) -> FileResult:
    from .io import read_document

    try:
        doc = read_document(path, max_bytes=max_bytes)
    except ReportmineError as exc:
        return FileResult(exc.path, None, skipped=Skipped(exc.path, exc.stage or "read", exc.reason))
    return process_document(doc, extractor=_WORKER.get("extractor"), stage=_WORKER.get("stage", "extract"))


def run(
    paths: Iterable[str | os.PathLike],
    *,
    taxonomy: Taxonomy | None = None,
    stage: str = "extract",
    use_model: bool = True,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    jobs: int = 1,
    timeout: float | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[FileResult]:
    """Process every input, yielding one FileResult per file (processed or skipped), in input order.

    ``jobs > 1`` (or a ``timeout``) runs files in worker processes; output is identical, in content and
    order, to ``jobs=1``. A file that exceeds ``timeout`` seconds or kills its worker is skipped with that
    reason and the batch goes on. At most ``2 * jobs`` files are in flight, so memory stays bounded.
    """
    if jobs <= 1 and timeout is None:
        extractor = Extractor(taxonomy, model="default" if use_model else None) if stage != "parse" else None
        for item in iter_documents(paths, include=include, exclude=exclude, max_bytes=max_bytes):
            if isinstance(item, Skipped):
                yield FileResult(item.source, None, skipped=item)
            else:
                yield process_document(item, extractor=extractor, stage=stage)
        return
    yield from _run_pool(paths, taxonomy=taxonomy, stage=stage, use_model=use_model, include=include,
                         exclude=exclude, jobs=max(1, jobs), timeout=timeout, max_bytes=max_bytes)


def _run_pool(paths, *, taxonomy, stage, use_model, include, exclude, jobs, timeout, max_bytes) -> Iterator[FileResult]:
    from collections import deque
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired, ProcessPool

    from .io import display_path, iter_paths

    if use_model and stage != "parse":
        from .model import default_model

        default_model()  # train or load once in the parent: forked workers inherit it
    tax_files = tuple(taxonomy.sources[1:]) if taxonomy is not None else ()
    window: deque = deque()

    def settle(entry) -> FileResult:
        source, fut = entry
        if fut is None:
            return source
        try:
            return fut.result()
        except FutureTimeout:
            return FileResult(source, None, skipped=Skipped(source, stage, f"timed out after {timeout:g} s"))
        except ProcessExpired as exc:
            return FileResult(source, None, skipped=Skipped(source, stage, f"worker died (exit code {exc.exitcode})"))
        except Exception as exc:
            return FileResult(source, None, skipped=Skipped(source, stage, f"internal error: {type(exc).__name__}: {exc}"))

    with ProcessPool(max_workers=jobs, initializer=_worker_init, initargs=(tax_files, stage, use_model)) as pool:
        for item in iter_paths(paths, include=include, exclude=exclude):
            if isinstance(item, Skipped):
                window.append((FileResult(item.source, None, skipped=item), None))
            else:
                window.append((display_path(item), pool.schedule(_work, args=(str(item), max_bytes), timeout=timeout)))
            while len(window) > 2 * jobs:
                yield settle(window.popleft())
        while window:
            yield settle(window.popleft())

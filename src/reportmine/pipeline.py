"""The pipeline for one file: read, normalize, structure, extract. Yields compact per-file results."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from .errors import ReportmineError
from .extract import Extraction, Extractor
from .io import Document, Skipped, iter_documents
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


def run(
    paths: Iterable[str | os.PathLike],
    *,
    taxonomy: Taxonomy | None = None,
    stage: str = "extract",
    use_model: bool = True,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> Iterator[FileResult]:
    """Process every input, yielding one FileResult per file (processed or skipped), in input order."""
    extractor = Extractor(taxonomy, model="default" if use_model else None) if stage != "parse" else None
    for item in iter_documents(paths, include=include, exclude=exclude):
        if isinstance(item, Skipped):
            yield FileResult(item.source, None, skipped=item)
        else:
            yield process_document(item, extractor=extractor, stage=stage)

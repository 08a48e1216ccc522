"""Reading: files (txt in any common Chinese encoding, docx, pdf, html) into decoded text.

Every input ends up as a :class:`Document` or a :class:`Skipped` record naming the file and the reason;
nothing is dropped silently. Offsets elsewhere in reportmine point into ``Document.text``.

Hostile input: files over ``max_bytes`` (txt, html, pdf) are refused before reading; pipes, sockets and
devices are refused (they could block or never end); unreadable directories are reported, not skipped
silently. A .docx is checked before python-docx opens it: total inflated size (zip bomb guard), no DTD or
entity declaration in any XML part (defusedxml), no macro-enabled main part; macros are never read. html
goes through an HTML5 parser that expands no declared entity. Decoded text never holds lone surrogates.
Time is bounded by the pipeline (per-file timeout), not here.
"""
from __future__ import annotations

import fnmatch
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .decoding import decode_bytes
from .errors import ReadError
from .files import _read_bytes, display_path, printable
from .formats import _read_docx, _read_html, _read_pdf

__all__ = [
    "Document",
    "Skipped",
    "SUPPORTED_SUFFIXES",
    "read_document",
    "decode_bytes",
    "iter_paths",
    "iter_documents",
    "display_path",
    "printable",
    "MAX_BYTES",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".text", ".docx", ".pdf", ".html", ".htm")
# Larger txt/html/pdf files are skipped with a reason, never half-read (``--max-bytes`` raises it). A report
# is kilobytes; 32 MiB of text is already thousands of reports, minutes of work and about 0.5 GB of memory
# per worker; a 200 MB text file would need about 2 GB and an hour.
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    """A decoded input file: ``text`` is the original text all offsets refer to."""

    source: str
    text: str
    encoding: str
    kind: str  # txt | docx | pdf | html


@dataclass(frozen=True)
class Skipped:
    """An input that produced no document, with the stage and the reason."""

    source: str
    stage: str
    reason: str


_SURROGATES = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    """Lone surrogates (a pdf's broken ToUnicode map can produce them) become U+FFFD, one for one, so that
    offsets stay valid and the text can be written as UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)


def _nonempty(doc: Document) -> Document:
    if not doc.text.strip():
        raise ReadError(doc.source, f"empty document (no text in this {doc.kind} file)", stage="read")
    return doc


def read_document(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read one file into a Document; raise ReadError naming the file and the reason.

    The kind comes from the suffix (.docx, .pdf, .html/.htm; anything else is read as text). A file with
    no text (0 bytes, only whitespace, an empty .docx) is an error too.
    """
    p = Path(path)
    source = display_path(path)
    try:
        return _read_any(p, source, max_bytes)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(source, "input too deeply nested", stage="read") from None
    except MemoryError:
        raise ReadError(source, "out of memory reading this file", stage="read") from None
    except Exception as exc:  # a parser's bug on a hostile file costs that file, never the batch
        if os.environ.get("REPORTMINE_DEBUG"):
            raise
        log.debug("internal error reading %s", source, exc_info=True)
        raise ReadError(source, f"internal error while reading: {type(exc).__name__}: {printable(str(exc))[:200]}",
                        stage="read") from None


def _read_any(p: Path, source: str, max_bytes: int) -> Document:
    suffix = p.suffix.lower()
    if suffix == ".docx":
        return _nonempty(Document(source, _no_surrogates(_read_docx(p, source)), "docx", "docx"))
    data = _read_bytes(p, source, max_bytes)
    if suffix == ".pdf":
        return _nonempty(Document(source, _no_surrogates(_read_pdf(data, source)), "pdf", "pdf"))
    if suffix in (".html", ".htm"):
        text, enc = _read_html(data, source)
        return _nonempty(Document(source, _no_surrogates(text), enc, "html"))
    text, enc = decode_bytes(data, source=source)
    return _nonempty(Document(source, _no_surrogates(text), enc, "txt"))


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) for pat in patterns)


def _walk(top: Path, include: tuple[str, ...], exclude: tuple[str, ...]) -> list[Path | Skipped]:
    """Files under ``top`` in sorted order of their relative paths (component by component)."""
    found: list[tuple[tuple[str, ...], Path | Skipped]] = []
    seen: set[tuple[int, int]] = set()

    def unreadable(exc: OSError) -> None:  # os.walk would skip such a directory silently
        where = Path(exc.filename) if exc.filename else top
        try:
            key = where.relative_to(top).parts
        except ValueError:
            key = ()
        found.append((key, Skipped(display_path(where), "walk", f"cannot read directory: {exc.strerror or type(exc).__name__}")))

    for root, dirs, files in os.walk(top, followlinks=True, onerror=unreadable):
        rel_root = Path(root).relative_to(top).parts
        try:
            st = os.stat(root)
        except OSError as exc:
            dirs[:] = []
            found.append((rel_root, Skipped(display_path(root), "walk", f"cannot read directory: {exc.strerror or exc}")))
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            found.append((rel_root, Skipped(display_path(root), "walk", "directory symlink loop, not followed again")))
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        for name in files:
            fp = Path(root) / name
            rel = display_path(fp.relative_to(top))
            key = rel_root + (name,)
            if exclude and _matches(rel, exclude):
                continue
            if include:
                if _matches(rel, include):
                    found.append((key, fp))
            elif fp.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append((key, fp))
            else:
                found.append((key, Skipped(display_path(fp), "walk", f"unsupported file type {fp.suffix or '(none)'!r}")))
    found.sort(key=lambda kv: kv[0])
    return [item for _key, item in found]


def iter_paths(
    paths: Iterable[str | os.PathLike],
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> Iterator[Path | Skipped]:
    """Expand files and directories (recursively, sorted, symlink loops broken) into file paths.

    Inputs keep their order; the files of a directory come sorted by relative path. Files named
    explicitly are always taken; files found in directories are taken when their suffix is supported (or
    they match ``include``) and they match no ``exclude`` glob (globs match the path relative to the
    directory or the bare file name). Unsupported files found in directories yield Skipped.
    """
    include, exclude = tuple(include), tuple(exclude)
    for given in paths:
        p = Path(given)
        if p.is_dir():
            yield from _walk(p, include, exclude)
        elif p.exists() or p.is_symlink():
            yield p
        else:
            yield Skipped(display_path(given), "read", "no such file or directory")


def iter_documents(
    paths: Iterable[str | os.PathLike],
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    max_bytes: int = MAX_BYTES,
) -> Iterator[Document | Skipped]:
    """Yield a Document or a Skipped record for every input, in a stable order."""
    for item in iter_paths(paths, include=include, exclude=exclude):
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            yield read_document(item, max_bytes=max_bytes)
        except ReadError as exc:
            yield Skipped(exc.path, exc.stage or "read", exc.reason)

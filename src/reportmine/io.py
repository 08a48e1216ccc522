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

import codecs
import fnmatch
import functools
import io as _io
import logging
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import ReadError

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
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts of a .docx together, inflated (zip bomb guard)
MAX_DOCX_RATIO = 200
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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


def display_path(path: str | os.PathLike) -> str:
    """Path as printable text (file names that are not valid UTF-8 get backslash escapes)."""
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a str path with surrogates that no file system encoding produces
        return printable(os.fspath(path))


def printable(text: str) -> str:
    """``text`` safe to print and to encode as UTF-8: lone surrogates (from undecodable file names in
    messages) become backslash escapes of the bytes they stand for."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


_SURROGATES = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    """Lone surrogates (a pdf's broken ToUnicode map can produce them) become U+FFFD, one for one, so that
    offsets stay valid and the text can be written as UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)


def _bad_char_ratio(text: str) -> float:
    """Share of control, private-use, surrogate, unassigned and replacement characters (line breaks and
    tabs aside) in the first 200,000 characters (counted per distinct character)."""
    sample = text[:200_000]
    if not sample:
        return 0.0
    bad = sum(n for ch, n in Counter(sample).items()
              if ch not in "\n\r\t\f\v" and (unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn") or ch == "\ufffd"))
    return bad / len(sample)


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:65536]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) / 2
    # CJK UTF-16 has few NULs; ASCII-heavy UTF-16 has many on one side. Try decoding both ways.
    candidates = ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]
    for enc in candidates:
        try:
            text = data[: len(data) - len(data) % 2].decode(enc)
        except UnicodeDecodeError:
            continue
        cjk = sum(1 for ch in text[:5000] if "\u4e00" <= ch <= "\u9fff" or ch in "，。、；：")
        if (max(even, odd) > 0.3 * half or cjk > 0.3 * min(len(text), 5000)) and _bad_char_ratio(text) < 0.02:
            return enc
    return None


@functools.lru_cache(maxsize=1)
def _common_hanzi() -> frozenset[str]:
    """The everyday characters: GB 2312 level 1 and Big5 level 1 (about 8,000 characters)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _plausibility(text: str) -> float:
    """Share of visible characters that are everyday Chinese, ASCII or CJK punctuation (a wrong decoding
    of Chinese bytes gives rare characters)."""
    counts = [(ch, n) for ch, n in Counter(text[:20_000]).items() if not ch.isspace()]  # per distinct character
    total = sum(n for _, n in counts)
    if not total:
        return 0.0
    common = _common_hanzi()
    ok = sum(n for ch, n in counts if ch in common or " " < ch < "\x7f" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return ok / total


def _utf16_without_bom(data: bytes) -> tuple[str, float] | None:
    """UTF-16 text without a BOM and without ASCII (so without NUL bytes): (codec, plausibility) when a
    sample decodes to plausible characters only."""
    if len(data) % 2 or len(data) < 4:
        return None
    sample = data[:65536]
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if _bad_char_ratio(text) > 0:
            continue
        score = _plausibility(text)
        if score >= 0.9 and (best is None or score > best[1]):
            best = (enc, score)
    return best


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """Decode line by line when most lines are UTF-8 and the rest are GB18030 (a mixed file)."""
    lines = data.split(b"\n")
    out, fallback = [], 0
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("gb18030", errors="replace"))
            fallback += 1
    if fallback == 0 or fallback == len(lines):
        return None
    text = "\n".join(out)
    return text, "mixed(utf-8,gb18030)"


def decode_bytes(data: bytes, *, source: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes of a text file, detecting the encoding; return ``(text, encoding)``.

    Raises ReadError for empty or binary content.
    """
    if not data:
        raise ReadError(source, "empty file (0 bytes)", stage="read")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
                return text.lstrip("\ufeff") if enc != "utf-8-sig" else text, enc.replace("-sig", "")
            except UnicodeDecodeError:
                data = data[len(bom):]  # a lying BOM: detect from the content
                break
    if b"\x00" in data[:65536]:
        enc = _looks_utf16(data)
        if enc is None:
            raise ReadError(source, "binary content (NUL bytes), not a text file", stage="read")
        return data[: len(data) - len(data) % 2].decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # a file cut inside its last character: valid UTF-8 with Chinese before, an incomplete sequence after
        truncated = exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
        if truncated and any(b >= 0x80 for b in data[: exc.start]):
            log.warning("%s: truncated UTF-8 sequence at the end dropped", source)
            return data[: exc.start].decode("utf-8"), "utf-8"
    mixed = _decode_mixed(data)
    if mixed is not None and data.count(b"\n") >= 2:
        valid_utf8_lines = sum(1 for line in data.split(b"\n") if _is_utf8(line))
        if valid_utf8_lines / (data.count(b"\n") + 1) >= 0.5 and _has_multibyte_utf8(data):
            return mixed
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000], cp_isolation=["gb18030", "big5", "cp950"]).best()
    enc = best.encoding if best is not None else "gb18030"
    enc = {"cp950": "big5"}.get(enc, enc)
    codecs_of = {"big5": "cp950"}
    # short texts fool the statistical detector (邮政局 in GBK is valid Big5): prefer the decoding made
    # of everyday characters (judged on a sample), the detector's choice on a tie
    sample = data[:65536]
    score = _plausibility(sample.decode(codecs_of.get(enc, enc), errors="replace"))
    for alt_enc in ("gb18030", "big5"):
        if alt_enc == enc:
            continue
        try:
            data.decode(codecs_of.get(alt_enc, alt_enc))
        except UnicodeDecodeError:
            continue
        alt_score = _plausibility(sample.decode(codecs_of.get(alt_enc, alt_enc), errors="replace"))
        if alt_score > score:
            enc, score = alt_enc, alt_score
    u16 = _utf16_without_bom(data)
    if u16 is not None and u16[1] > score:
        try:
            return data.decode(u16[0]), u16[0]
        except UnicodeDecodeError:
            pass  # plausible at the start only
    text = data.decode(codecs_of.get(enc, enc), errors="replace")
    if _bad_char_ratio(text) > 0.05:
        raise ReadError(source, "binary or undecodable content: no Chinese text encoding fits", stage="read")
    return text, enc


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _has_multibyte_utf8(data: bytes) -> bool:
    return any(_is_utf8(line) and any(b >= 0x80 for b in line) for line in data.split(b"\n")[:2000])


def _too_large(source: str, size: int | str, max_bytes: int) -> ReadError:
    return ReadError(source, f"file too large ({size} bytes > limit {max_bytes}; see --max-bytes)", stage="read")


def _check_regular(path: Path, source: str) -> os.stat_result:
    """stat() of a regular file; a FIFO, socket or device (which could block or never end) is refused."""
    st = path.stat()
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(source, "not a regular file (pipe, socket or device)", stage="read")
    return st


@contextmanager
def _os_errors(source: str):
    """OSErrors of reading a file as ReadErrors with a plain reason."""
    try:
        yield
    except PermissionError:
        raise ReadError(source, "permission denied", stage="read") from None
    except IsADirectoryError:
        raise ReadError(source, "is a directory", stage="read") from None
    except FileNotFoundError:
        raise ReadError(source, "no such file", stage="read") from None
    except OSError as exc:
        raise ReadError(source, f"cannot read: {exc.strerror or type(exc).__name__}", stage="read") from None


def _read_bytes(path: Path, source: str, max_bytes: int) -> bytes:
    with _os_errors(source):
        size = _check_regular(path, source).st_size
        if size > max_bytes:
            raise _too_large(source, size, max_bytes)
        # open without blocking (the file could be replaced by a FIFO after the check)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ReadError(source, "not a regular file (pipe, socket or device)", stage="read")
            data = fh.read(size + 1)  # no buffer of max_bytes for every small file
            if len(data) > size:  # grew since stat
                data += fh.read(max_bytes + 1 - len(data)) if len(data) <= max_bytes else b""
    if len(data) > max_bytes:
        raise _too_large(source, f"more than {max_bytes}", max_bytes)
    return data


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _RootReached(Exception):
    """Raised by the XML pre-scan at the root element: a DTD can only come before it."""


_CHUNK = 1 << 20


def _entry_chunks(fh, info: zipfile.ZipInfo, source: str) -> Iterator[bytes]:
    """The inflated bytes of one zip entry, in chunks of at most 1 MiB, read from its raw data.

    zipfile's one-shot ``read()`` inflates all of an entry's compressed data at once and only then cuts it
    to the declared size, so a part that lies about its size (declares 1 MB, inflates to 1 GB) would pass
    a check of the declared sizes and blow up in python-docx. Here inflation is bounded: past the declared
    size the entry is refused."""
    name = printable(info.filename)
    if info.flag_bits & 0x1:
        raise ReadError(source, f"not a valid .docx (part {name} is encrypted)", stage="read")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ReadError(source, f"not a valid .docx (part {name} uses compression method {info.compress_type})",
                        stage="read")
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header of {name}")
    name_len, extra_len = int.from_bytes(head[26:28], "little"), int.from_bytes(head[28:30], "little")
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    while True:
        if inflater is not None and inflater.unconsumed_tail:
            data = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
        elif left > 0:
            raw = fh.read(min(left, _CHUNK))
            if not raw:
                raise zipfile.BadZipFile(f"truncated data of {name}")
            left -= len(raw)
            data = inflater.decompress(raw, _CHUNK) if inflater is not None else raw
        else:
            break
        produced += len(data)
        if produced > info.file_size:
            raise ReadError(source, f"zip bomb refused: part {name} inflates past its declared size "
                            f"({info.file_size} bytes)", stage="read")
        if data:
            yield data
        if inflater is not None and inflater.eof:
            break


def _check_part(fh, info: zipfile.ZipInfo, source: str) -> None:
    """Inflate one part within its declared size, and refuse it if it declares a DTD or entities
    (external entities read local files, nested ones expand exponentially; OPC packages never carry a
    DTD). The XML is parsed with defusedxml (expat) only up to its root element; a part that is not XML
    is left to python-docx to judge."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    parser = DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)

    def stop(*_args):
        raise _RootReached

    parser.parser.StartElementHandler = stop
    scanning = True
    for chunk in _entry_chunks(fh, info, source):
        if not scanning:
            continue
        try:
            parser.feed(chunk)
        except (_RootReached, ParseError):
            scanning = False  # past the prolog, or not XML
        except DefusedXmlException:
            raise ReadError(source, f"unsafe XML refused: part {printable(info.filename)} of the .docx declares a "
                            "DTD or entities", stage="read") from None


def _check_zip(path: Path, source: str) -> None:
    """Checks of a .docx before python-docx reads it: a zip, within size limits, a Word document, every part
    inflating within its declared size, no DTD in any part."""
    try:
        _check_regular(path, source)
        with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_DOCX_UNCOMPRESSED or total / packed > MAX_DOCX_RATIO and total > 10_000_000:
                raise ReadError(
                    source, f"zip bomb refused: .docx would expand to {total} bytes (limit {MAX_DOCX_UNCOMPRESSED})",
                    stage="read")
            if "word/document.xml" not in {i.filename for i in infos}:
                raise ReadError(source, "not a Word document (word/document.xml missing)", stage="read")
            for info in infos:
                _check_part(fh, info, source)
    except zipfile.BadZipFile as exc:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head == _OLE_MAGIC:
            raise ReadError(source, "not a valid .docx (a legacy .doc or a password-protected Word file)",
                            stage="read") from None
        if head[:2] == b"PK":
            raise ReadError(source, f"not a valid .docx (damaged zip: {printable(str(exc))[:120]})", stage="read") from None
        raise ReadError(source, "not a valid .docx (not a zip archive)", stage="read") from None
    except (RuntimeError, ValueError, EOFError, NotImplementedError, zlib.error) as exc:
        raise ReadError(source, f"not a valid .docx ({type(exc).__name__}: {printable(str(exc))[:120]})",
                        stage="read") from None


_MACRO_TYPES = ("application/vnd.ms-word.document.macroEnabled.main+xml",
                "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")


def _read_docx(path: Path, source: str) -> str:
    """Text of a .docx. Nothing in it is ever executed: a VBA project (vbaProject.bin) stays opaque bytes
    in python-docx, a macro-enabled document renamed .docx is refused, and _check_zip has checked every
    part (sizes, no DTD) before python-docx parses any."""
    with _os_errors(source):
        _check_zip(path, source)
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.package import Package

        try:
            package = Package.open(str(path))
            main = package.main_document_part
            if main.content_type in _MACRO_TYPES:
                raise ReadError(source, "macro-enabled Word document (.docm) named .docx: not read", stage="read")
            if main.content_type != CT.WML_DOCUMENT_MAIN:
                raise ReadError(source, f"not a Word document (main part is {printable(main.content_type)})", stage="read")
            doc = main.document
        except ReadError:
            raise
        except Exception as exc:  # library raises many types for damaged packages
            raise ReadError(source, f"damaged .docx: {type(exc).__name__}: {printable(str(exc))[:200]}", stage="read") from None
    lines: list[str] = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is listed once per grid column it spans
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text.strip())
                lines.append("\t".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _read_pdf(data: bytes, source: str) -> str:
    """Text layer of a pdf (read from the bytes already read: one read, no second open of the path).
    pdfminer has no time bound of its own: the per-file timeout of the pipeline covers it."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        with pdfplumber.open(_io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except RecursionError:
        raise ReadError(source, "damaged pdf: objects nested too deeply", stage="read") from None
    except Exception as exc:
        # pdfplumber wraps pdfminer's exceptions in PdfminerException(original)
        inner = exc.args[0] if type(exc).__name__ == "PdfminerException" and exc.args and isinstance(exc.args[0], BaseException) else exc
        name = type(inner).__name__
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "Password" in name or "Encrypt" in name:
            raise ReadError(source, "encrypted pdf (password required)", stage="read") from None
        detail = printable(str(inner))[:200]
        raise ReadError(source, f"damaged pdf: {name}" + (f": {detail}" if detail else ""), stage="read") from None
    text = "\n".join(pages)
    if not text.strip():
        raise ReadError(source, "pdf has no text layer (scanned image?)", stage="read")
    return text


_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    "article", "header", "footer", "blockquote", "pre", "dd", "dt", "ul", "ol", "title",
)


def _read_html(data: bytes, source: str) -> tuple[str, str]:
    from selectolax.lexbor import LexborHTMLParser

    raw, enc = decode_bytes(data, source=source)
    tree = LexborHTMLParser(raw)
    for node in tree.css("script, style, noscript, template, iframe, object, svg, head > meta"):
        node.decompose()
    for node in tree.css(",".join(_BLOCK_TAGS)):
        node.insert_before("\n")
        node.insert_after("\n")
    for node in tree.css("td, th"):
        node.insert_after("\t")
    root = tree.body or tree.root
    text = root.text(deep=True, separator="") if root is not None else ""
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line), enc


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

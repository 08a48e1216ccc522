"""Text of the formats that are not plain text: .docx (checked before python-docx opens it: zip bomb,
DTD and macro guards), pdf (text layer) and html (visible text). Used by :mod:`reportmine.io`."""
from __future__ import annotations

import io as _io
import zipfile
import zlib
from pathlib import Path
from typing import Iterator

from .decoding import decode_bytes
from .errors import ReadError
from .files import _check_regular, _os_errors, printable

__all__ = ["MAX_DOCX_UNCOMPRESSED", "MAX_DOCX_RATIO"]  # the readers (_read_docx ...) serve reportmine.io only

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts of a .docx together, inflated (zip bomb guard)
MAX_DOCX_RATIO = 200

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

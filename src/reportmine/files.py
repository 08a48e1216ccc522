"""One file, read safely: printable paths and messages, regular files only (no pipe, socket or device),
a size limit, and OSErrors turned into ReadErrors with a plain reason."""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path

from .errors import ReadError

__all__ = ["display_path", "printable"]


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

"""The one exception family of reportmine: every error names its file (and line) and its reason."""
from __future__ import annotations

__all__ = ["ReportmineError", "ReadError", "TaxonomyError", "GoldError"]


class ReportmineError(Exception):
    """Base class: ``path`` and ``line`` (when known) locate the problem, ``reason`` says what it is."""

    def __init__(self, path: object, reason: str, *, line: int | None = None, stage: str = "") -> None:
        self.path = str(path) if path is not None else ""
        self.reason = reason
        self.line = line
        self.stage = stage
        where = self.path + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {reason}" if where else reason)


class ReadError(ReportmineError):
    """A file could not be read or decoded into text."""


class TaxonomyError(ReportmineError):
    """A taxonomy file is invalid (syntax, unknown keys or ids, unsafe patterns)."""


class GoldError(ReportmineError):
    """A gold annotation file is invalid."""

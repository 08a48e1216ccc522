"""reportmine: evidence-backed tables of recurring problems from Chinese inspection reports.

The notebook API (imported lazily: ``import reportmine`` loads neither pandas nor the models)::

    import reportmine as rm
    corpus = rm.load("corpora/reports")          # paths, globs, or a DataFrame with a text column
    rm.frequency(corpus, by="province,year")     # reports where each category was found, per group
    rm.recurrence(corpus)                        # categories found in 2+ reports of the same unit
    rm.evidence(corpus, category="backlog", org="榆林市邮政局")   # the quotes behind a cell

Column contracts are documented in :mod:`reportmine.corpus`, :mod:`reportmine.aggregate`,
:mod:`reportmine.discovery` and :mod:`reportmine.report`.
"""
from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_EXPORTS = {
    "Corpus": "corpus",
    "load": "corpus",
    "from_results": "corpus",
    "frequency": "aggregate",
    "recurrence": "aggregate",
    "cooccurrence": "aggregate",
    "issue_actions": "aggregate",
    "fines": "aggregate",
    "evidence": "aggregate",
    "QueryError": "corpus",
    "Discovery": "discovery",
    "discover": "discovery",
    "render_html": "report",
    "write_html": "report",
    "write_xlsx": "report",
    "format_table": "report",
    "display_frame": "report",
    "load_taxonomy": "taxonomy",
    "Taxonomy": "taxonomy",
    "ReportmineError": "errors",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names resolve lazily
    from .aggregate import cooccurrence, evidence, fines, frequency, issue_actions, recurrence
    from .corpus import Corpus, QueryError, from_results, load
    from .discovery import Discovery, discover
    from .errors import ReportmineError
    from .report import display_frame, format_table, render_html, write_html, write_xlsx
    from .taxonomy import Taxonomy, load_taxonomy


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reportmine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))

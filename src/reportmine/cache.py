"""Incremental runs: a SQLite cache of per-file results, keyed by what the result depends on.

A result is stored under the SHA-256 of the file's bytes, the taxonomy fingerprint
(:attr:`reportmine.taxonomy.Taxonomy.fingerprint`), a *code version* (reportmine's version,
``model.MODEL_VERSION``, and a hash of the package's modules and shipped data files, plus the
scikit-learn version and rules/model mode) and the stage (``parse`` or ``extract``). A re-run on a grown
folder therefore processes only new or changed files, and any change of taxonomy, code, data or model
misses. The value is the pickled, compressed :class:`~reportmine.pipeline.FileResult` (reports without
their normalized text, see :class:`~reportmine.structure.Report`); a hit is re-labelled with the path as
given this time, so a file copied or renamed is a hit too and its results name the new path.

Only processed files are stored: an input skipped for any reason (unreadable, timed out, ...) is tried
again next time. One file holds the cache (stdlib ``sqlite3``, WAL journal); several runs may share it.
Values are pickles: use only cache files you made yourself.

Use it through :func:`reportmine.pipeline.run` (``cache=PATH`` or ``cache=ResultCache(PATH)``, whose
``stats`` then tell hits and misses)::

    with ResultCache(".reportmine-cache.sqlite") as cache:
        results = list(run(["reports/"], cache=cache))
    print(f"{cache.stats.hits} from cache, {cache.stats.misses} processed")
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import sqlite3
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ReportmineError

if TYPE_CHECKING:
    from .pipeline import FileResult
    from .taxonomy import Taxonomy

__all__ = ["DEFAULT_CACHE", "CacheStats", "ResultCache", "file_digest", "code_version", "relabel"]

log = logging.getLogger(__name__)

DEFAULT_CACHE = ".reportmine-cache.sqlite"
_SCHEMA_VERSION = "1"
_COMMIT_EVERY = 500  # stored results per transaction
_CHUNK = 1 << 20


@dataclass
class CacheStats:
    """What a run did with the cache: ``hits`` (results taken from it), ``misses`` (files processed),
    ``stored`` (results written), ``errors`` (unreadable entries or failed writes, treated as misses)."""

    hits: int = 0
    misses: int = 0
    stored: int = 0
    errors: int = 0


def file_digest(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB chunks (memory stays bounded)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


@functools.lru_cache(maxsize=4)
def code_version(use_model: bool = True) -> str:
    """A hash of everything besides the file and the taxonomy that a result depends on: reportmine's
    version, the model version, the package's modules and shipped data files, and (with the model) the
    scikit-learn version. Computed once per process."""
    from . import __version__
    from .model import MODEL_VERSION

    h = hashlib.sha256(f"{_SCHEMA_VERSION}\0{__version__}\0{MODEL_VERSION}\0{'model' if use_model else 'rules'}".encode())
    if use_model:  # the installed version, read without importing scikit-learn (2 s)
        from importlib.metadata import version

        h.update(f"\0sklearn {version('scikit-learn')}".encode())
    pkg = Path(__file__).resolve().parent
    for p in sorted(list(pkg.glob("*.py")) + list((pkg / "data").glob("*"))):
        if p.is_file():
            h.update(b"\0" + p.name.encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()[:24]


def _report_id(source: str, index: int) -> str:
    # the formula of reportmine.structure.structure_report (tests check both agree)
    return hashlib.sha1(f"{source}\0{index}".encode("utf-8", "surrogatepass")).hexdigest()[:12]


def relabel(result: "FileResult", source: str) -> "FileResult":
    """``result`` as if its file had been read under the path ``source``: the result's, reports' and
    skipped record's ``source`` and the reports' ``report_id`` follow the new path."""
    if result.source == source:
        return result
    new_reports: dict[int, object] = {}

    def rep(r):
        got = new_reports.get(id(r))
        if got is None:
            got = dataclasses.replace(r, source=source, report_id=_report_id(source, r.index), norm=r.norm)
            new_reports[id(r)] = got
        return got

    reports = tuple(rep(r) for r in result.reports)
    extractions = tuple(dataclasses.replace(e, report=rep(e.report)) for e in result.extractions)
    skipped = dataclasses.replace(result.skipped, source=source) if result.skipped is not None else None
    return dataclasses.replace(result, source=source, reports=reports, extractions=extractions, skipped=skipped)


class ResultCache:
    """A cache file of per-file results (see the module docs). Open it once per run; close it (or use
    ``with``) to commit the last results. ``stats`` counts hits, misses and writes since it was opened."""

    def __init__(self, path: str | os.PathLike = DEFAULT_CACHE) -> None:
        self.path = Path(path)
        self.stats = CacheStats()
        self._pending = 0
        self._writable = True
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS results ("
                " digest TEXT NOT NULL, taxonomy TEXT NOT NULL, version TEXT NOT NULL, stage TEXT NOT NULL,"
                " source TEXT NOT NULL, value BLOB NOT NULL, created REAL NOT NULL,"
                " PRIMARY KEY (digest, taxonomy, version, stage))"
            )
            self._db.commit()
        except (sqlite3.Error, OSError) as exc:
            raise ReportmineError(self.path, f"cannot open the cache: {exc}", stage="cache") from None
        try:  # a SQLite file made by something else: refuse it rather than fail on every file
            self._db.execute("SELECT digest, taxonomy, version, stage, source, value, created FROM results LIMIT 0")
        except sqlite3.Error as exc:
            self._db.close()
            raise ReportmineError(self.path, f"not a reportmine cache ({exc})", stage="cache") from None

    # ------------------------------------------------------------------ keys
    @staticmethod
    def namespace(taxonomy: "Taxonomy | None", stage: str, use_model: bool) -> tuple[str, str, str]:
        """The part of the key that is the same for every file of a run: (taxonomy, version, stage)."""
        from .taxonomy import default_taxonomy

        tax = taxonomy or default_taxonomy()
        version = code_version(use_model and stage != "parse")
        return tax.fingerprint, version, stage

    # ------------------------------------------------------------------ access
    def get(self, digest: str, namespace: tuple[str, str, str]) -> "FileResult | None":
        """The stored result of this content under this namespace, or None."""
        try:
            row = self._db.execute(
                "SELECT value FROM results WHERE digest=? AND taxonomy=? AND version=? AND stage=?",
                (digest, *namespace),
            ).fetchone()
        except sqlite3.Error as exc:
            log.warning("cache %s: lookup failed (%s); processing the file", self.path, exc)
            self.stats.errors += 1
            return None
        if row is None:
            return None
        try:
            return pickle.loads(zlib.decompress(row[0]))
        except Exception as exc:  # an entry written by another version of the classes: process again
            log.info("cache %s: unreadable entry %s… (%s); processing the file", self.path, digest[:12], exc)
            self.stats.errors += 1
            return None

    def put(self, digest: str, namespace: tuple[str, str, str], result: "FileResult") -> None:
        """Store a processed result (skipped ones are not stored: they are tried again next time)."""
        if result.skipped is not None or not self._writable:
            return
        try:
            value = zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), 1)
            self._db.execute(
                "INSERT OR REPLACE INTO results (digest, taxonomy, version, stage, source, value, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (digest, *namespace, result.source, value, time.time()),
            )
            self.stats.stored += 1
            self._pending += 1
            if self._pending >= _COMMIT_EVERY:
                self.commit()
        except (sqlite3.Error, pickle.PicklingError, OSError) as exc:
            log.warning("cache %s: cannot store results (%s); the run goes on without storing", self.path, exc)
            self.stats.errors += 1
            self._writable = False

    def commit(self) -> None:
        try:
            self._db.commit()
        except sqlite3.Error as exc:
            log.warning("cache %s: commit failed (%s)", self.path, exc)
            self.stats.errors += 1
        self._pending = 0

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def clear(self) -> None:
        """Remove every stored result."""
        self._db.execute("DELETE FROM results")
        self._db.commit()

    def close(self) -> None:
        if self._db is not None:
            self.commit()
            self._db.close()
            self._db = None  # type: ignore[assignment]

    def __enter__(self) -> "ResultCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResultCache({str(self.path)!r}, {self.stats})"

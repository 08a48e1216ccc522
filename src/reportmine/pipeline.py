"""The pipeline for one file: read, normalize, structure, extract. Yields compact per-file results."""
from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator

from .errors import ReportmineError
from .extract import Extraction, Extractor
from .io import MAX_BYTES, Document, Skipped
from .normalize import normalize
from .structure import Report, iter_reports
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    from .cache import ResultCache

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
    # per extraction, the problem sentences no finding covers (discovery.problem_sentences), computed
    # where the normalized text is at hand: results shipped from workers or a cache carry no ``norm``
    unmatched: tuple[tuple[dict, ...], ...] | None = None


def process_document(doc: Document, *, extractor: Extractor | None = None, stage: str = "extract", **normalize_options) -> FileResult:
    """Normalize and structure a document, and extract (unless ``stage='parse'``)."""
    try:
        norm = normalize(doc.text, **normalize_options)
        reports = tuple(iter_reports(doc, norm=norm))
        if stage == "parse":
            return FileResult(doc.source, doc.encoding, reports=reports)
        ex = extractor or Extractor()
        with _model_context(ex):
            extractions = tuple(ex.extract(r) for r in reports)
        from .discovery import problem_sentences

        unmatched = tuple(tuple(problem_sentences(e)) for e in extractions)
        return FileResult(doc.source, doc.encoding, extractions=extractions, reports=reports, unmatched=unmatched)
    except ReportmineError as exc:
        return FileResult(doc.source, doc.encoding, skipped=Skipped(doc.source, exc.stage or stage, exc.reason))
    except RecursionError:
        return FileResult(doc.source, doc.encoding, skipped=Skipped(doc.source, stage, "input too deeply nested"))
    except MemoryError:
        return FileResult(doc.source, doc.encoding, skipped=Skipped(doc.source, stage, "out of memory on this file"))
    except Exception as exc:  # a bug must cost one file, never the batch: report it with the file
        if os.environ.get("REPORTMINE_DEBUG"):
            raise
        log.debug("internal error on %s", doc.source, exc_info=True)  # no traceback on stderr (REPORTMINE_DEBUG shows it)
        return FileResult(doc.source, doc.encoding,
                          skipped=Skipped(doc.source, stage, f"internal error: {type(exc).__name__}: {exc}"))


def _model_context(extractor: Extractor):
    """scikit-learn without its per-call input checks (finite values, parameter types) while the learned
    model scores a file: the model's inputs are its own sparse features, and the checks cost about a
    sixth of extraction time. Same results; the caller's scikit-learn settings are restored after."""
    if getattr(extractor, "_model", None) is None:
        return contextlib.nullcontext()
    import sklearn

    return sklearn.config_context(assume_finite=True, skip_parameter_validation=True)


#: a tiny report that goes through every lazily built part (automaton, patterns, model, the money and
#: place parsers): see :func:`_warm_up`
_WARM_UP = ("关于城关支局检查情况的通报\n各支局：\n一、检查发现城关支局存在邮件积压，未发现搭售。\n"
            "二、对责任人罚款伍佰元，今后将加强培训。\n河北省邢台市邮政分公司\n2020年5月6日\n")


def _warm_up(extractor: Extractor | None, stage: str) -> None:
    """Build now what the first file would build (automaton, compiled patterns, the model, cn2an, cpca),
    so that a per-file time limit measures the file, not one-time set-up."""
    from .io import Document

    process_document(Document("<warm-up>", _WARM_UP, "utf-8", "txt"), extractor=extractor, stage=stage)


def _worker_init(taxonomy_files: tuple[str, ...], stage: str, use_model: bool, warm: bool = False) -> None:
    """Per worker process: build the extractor (taxonomy automaton, model) once; with ``warm`` (a per-file
    time limit is set) also everything else built at first use."""
    from .taxonomy import load_taxonomy

    tax = load_taxonomy(*taxonomy_files)
    _WORKER["extractor"] = Extractor(tax, model="default" if use_model else None) if stage != "parse" else None
    _WORKER["stage"] = stage
    if warm:
        _warm_up(_WORKER["extractor"], stage)


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
    cache: "str | os.PathLike | ResultCache | None" = None,
) -> Iterator[FileResult]:
    """Process every input, yielding one FileResult per file (processed or skipped), in input order.

    ``jobs > 1`` runs files in worker processes; output is identical, in content and order, to
    ``jobs=1``. A file that exceeds ``timeout`` seconds or kills its worker is skipped with that reason and
    the batch goes on. At most ``2 * jobs`` files are in flight, so memory stays bounded. With ``jobs=1``
    files are processed in this process, and a ``timeout`` is enforced by SIGALRM when called from the
    main thread on Unix (a long call inside a C extension ends at its next return to Python); elsewhere a
    ``timeout`` with ``jobs=1`` uses one worker process.

    ``cache``: a cache file (path) or an open :class:`reportmine.cache.ResultCache`. Files whose content
    was processed before with the same taxonomy, code and stage are taken from it (under the path given
    this time); the others are processed and stored. Results are identical with and without a cache.
    Pass a ResultCache to read ``cache.stats`` (hits, misses) afterwards. The learned model is loaded, and
    worker processes started, at the first file that needs processing: a run of cache hits does neither.
    """
    own_cache = None
    if cache is not None and not _is_cache(cache):
        from .cache import ResultCache

        cache = own_cache = ResultCache(cache)
    try:
        if jobs <= 1 and (timeout is None or _alarm_available()):
            yield from _run_inline(paths, taxonomy=taxonomy, stage=stage, use_model=use_model, include=include,
                                   exclude=exclude, max_bytes=max_bytes, cache=cache, timeout=timeout)
        else:
            yield from _run_pool(paths, taxonomy=taxonomy, stage=stage, use_model=use_model, include=include,
                                 exclude=exclude, jobs=max(1, jobs), timeout=timeout, max_bytes=max_bytes, cache=cache)
    finally:
        if cache is not None:
            cache.commit()
            log.info("cache %s: %d from cache, %d processed", cache.path, cache.stats.hits, cache.stats.misses)
        if own_cache is not None:
            own_cache.close()


def _is_cache(obj) -> bool:
    from .cache import ResultCache

    return isinstance(obj, ResultCache)


class _Lookup:
    """The cache side of a run: hash a file, look it up, remember its key until its result is stored."""

    def __init__(self, cache, taxonomy, stage, use_model, max_bytes) -> None:
        self.cache = cache
        self.namespace = cache.namespace(taxonomy, stage, use_model)
        self.max_bytes = max_bytes

    def key(self, path) -> tuple[str, tuple] | None:
        """(digest, stat signature) of a non-empty regular file within the size limit; None otherwise
        (reading it then gives the precise reason)."""
        from .cache import file_digest

        try:
            st = os.stat(path)
            if not os.path.isfile(path) or not 0 < st.st_size <= self.max_bytes:
                return None
            return file_digest(path), (st.st_size, st.st_mtime_ns)
        except OSError:
            return None

    def get(self, key, source: str) -> FileResult | None:
        from .cache import relabel

        if key is None:
            return None
        hit = self.cache.get(key[0], self.namespace)
        if hit is None:
            self.cache.stats.misses += 1
            return None
        self.cache.stats.hits += 1
        return relabel(hit, source)

    def put(self, key, path, result: FileResult) -> None:
        if key is None or result.skipped is not None:
            return
        try:
            st = os.stat(path)
        except OSError:
            return
        if (st.st_size, st.st_mtime_ns) != key[1]:
            return  # changed while it was processed: the stored result might not match the digest
        self.cache.put(key[0], self.namespace, result)


class _Deadline(BaseException):
    """Raised by SIGALRM in the main thread when one file overruns its time (``jobs=1``). A BaseException,
    so that the ``except Exception`` of readers and libraries cannot swallow it."""


def _alarm_available() -> bool:
    import signal
    import threading

    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


#: after the deadline, SIGALRM repeats at this interval (s): a _Deadline that lands where it is swallowed
#: (a library's bare ``except:``, a ``__del__``) is raised again instead of being lost for good
_REARM = 0.25


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Raise _Deadline in this (main) thread after ``seconds`` (and again every _REARM s until the block
    ends); restore the previous SIGALRM handler."""
    if not seconds:
        yield
        return
    import signal

    live = [True]

    def on_alarm(signum, frame):
        if live[0]:
            raise _Deadline

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, _REARM)
    try:
        yield
    finally:
        while True:  # an alarm may still land in here: retry until the handler is inert and the timer off
            try:
                live[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                break
            except _Deadline:
                continue
        signal.signal(signal.SIGALRM, previous)


def _one_file(path, *, extractor, stage, max_bytes, timeout) -> FileResult:
    """Read and process one file in this process, within ``timeout`` seconds (None: no limit)."""
    from .io import display_path, read_document

    try:
        with _time_limit(timeout):
            try:
                doc = read_document(path, max_bytes=max_bytes)
            except ReportmineError as exc:
                return FileResult(exc.path, None, skipped=Skipped(exc.path, exc.stage or "read", exc.reason))
            return process_document(doc, extractor=extractor, stage=stage)
    except _Deadline:
        source = display_path(path)
        return FileResult(source, None, skipped=Skipped(source, stage, f"timed out after {timeout:g} s"))


def _run_inline(paths, *, taxonomy, stage, use_model, include, exclude, max_bytes, cache, timeout=None) -> Iterator[FileResult]:
    from .io import display_path, iter_paths

    extractor = None  # built at the first file that is processed: a run of cache hits never loads the model
    warmed = False
    lookup = _Lookup(cache, taxonomy, stage, use_model, max_bytes) if cache is not None else None
    for item in iter_paths(paths, include=include, exclude=exclude):
        if isinstance(item, Skipped):
            yield FileResult(item.source, None, skipped=item)
            continue
        key = None
        if lookup is not None:
            key = lookup.key(item)
            hit = lookup.get(key, display_path(item))
            if hit is not None:
                yield hit
                continue
        if extractor is None and stage != "parse":
            extractor = Extractor(taxonomy, model="default" if use_model else None)
        if timeout and not warmed:
            _warm_up(extractor, stage)  # train or load the model, build the parsers, before the first clock starts
            warmed = True
        res = _one_file(item, extractor=extractor, stage=stage, max_bytes=max_bytes, timeout=timeout)
        if lookup is not None:
            lookup.put(key, item, res)
        yield res


def _run_pool(paths, *, taxonomy, stage, use_model, include, exclude, jobs, timeout, max_bytes, cache=None) -> Iterator[FileResult]:
    from collections import deque
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired

    from .io import display_path, iter_paths

    tax_files = tuple(taxonomy.sources[1:]) if taxonomy is not None else ()
    lookup = _Lookup(cache, taxonomy, stage, use_model, max_bytes) if cache is not None else None
    window: deque = deque()  # (source, future or None, cache key, path)

    def settle(entry) -> FileResult:
        source, fut, key, path = entry
        if fut is None:
            return source
        try:
            res = fut.result()
        except FutureTimeout:
            return FileResult(source, None, skipped=Skipped(source, stage, f"timed out after {timeout:g} s"))
        except ProcessExpired as exc:
            return FileResult(source, None, skipped=Skipped(source, stage, f"worker died (exit code {exc.exitcode})"))
        except Exception as exc:
            return FileResult(source, None, skipped=Skipped(source, stage, f"internal error: {type(exc).__name__}: {exc}"))
        if lookup is not None:
            lookup.put(key, path, res)
        return res

    with contextlib.ExitStack() as stack:
        pool = None  # started at the first file that is processed: a run of cache hits starts no worker

        def start_pool():
            from pebble import ProcessPool

            if stage != "parse":
                from .taxonomy import load_taxonomy

                # train or load the model once in the parent, and build what each worker would build at its
                # first file (the taxonomy's automaton, the model's weights and hash indexes, the parsers):
                # forked workers inherit it (on the 5 MB bench, 13 % less worker CPU than building it per worker)
                _warm_up(Extractor(load_taxonomy(*tax_files), model="default" if use_model else None), stage)
            return stack.enter_context(ProcessPool(max_workers=jobs, initializer=_worker_init, initargs=(tax_files, stage, use_model, bool(timeout))))

        try:
            for item in iter_paths(paths, include=include, exclude=exclude):
                if isinstance(item, Skipped):
                    window.append((FileResult(item.source, None, skipped=item), None, None, None))
                else:
                    source = display_path(item)
                    key = lookup.key(item) if lookup is not None else None
                    hit = lookup.get(key, source) if lookup is not None else None
                    if hit is not None:
                        window.append((hit, None, None, None))
                    else:
                        if pool is None:
                            pool = start_pool()
                        window.append((source, pool.schedule(_work, args=(str(item), max_bytes), timeout=timeout), key, item))
                while len(window) > 2 * jobs:
                    yield settle(window.popleft())
            while window:
                yield settle(window.popleft())
        except BaseException:  # closed early (--strict) or interrupted: do not wait for files in flight
            if pool is not None:
                pool.stop()
            raise

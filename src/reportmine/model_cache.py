"""Where the learned model lives: trained once from the shipped train split at first use, cached on disk
per code and data version (:func:`reportmine.cache.code_version`), and loaded once per process."""
from __future__ import annotations

import functools
import logging
import os
import pickle
import tempfile
from pathlib import Path

from ._data import data_path
from .model import StackedModel

__all__ = ["default_model"]

log = logging.getLogger("reportmine.model")


def _cache_dir() -> Path:
    base = os.environ.get("REPORTMINE_CACHE") or os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "reportmine"


def _cache_key() -> str:
    """The model's cache file name, from :func:`reportmine.cache.code_version`: it covers the training data,
    every module and data file the training rows come from, and scikit-learn's version, so any change
    retrains. FileNotFoundError when no training data ship with the package."""
    from .cache import code_version

    if not data_path("training.jsonl.gz").is_file():
        raise FileNotFoundError("training.jsonl.gz")
    return f"model-{code_version(use_model=True)}.pkl"


@functools.lru_cache(maxsize=1)
def default_model() -> StackedModel | None:
    """The stacked model trained on the shipped train split; cached in memory and on disk."""
    try:
        key = _cache_key()
    except FileNotFoundError:
        log.warning("no shipped training data: using rules only")
        return None
    path = _cache_dir() / key
    if path.is_file():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception as exc:  # a stale or damaged cache is rebuilt
            log.warning("ignoring model cache %s: %s", path, exc)
    from .training import train

    log.warning("training the learned model from the shipped corpus (once; about 3 minutes on 2 cores; cached in %s)",
                path.parent)
    model = train()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            pickle.dump(model, tmp)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.info("model cache not written (%s); training again next process", exc)
    return model

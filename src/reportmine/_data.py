"""Lazy, cached access to package data files (taxonomy, cue lists, patterns, dictionaries)."""
from __future__ import annotations

import functools
from importlib import resources

import yaml

__all__ = ["data_text", "data_yaml", "data_path"]


@functools.lru_cache(maxsize=None)
def data_text(name: str) -> str:
    """Return the text of a package data file, read once."""
    return resources.files("reportmine").joinpath("data").joinpath(name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def data_yaml(name: str) -> object:
    """Return a parsed YAML package data file, parsed once."""
    return yaml.safe_load(data_text(name))


def data_path(name: str):
    """Return a Traversable for a package data file (for libraries that want a file)."""
    return resources.files("reportmine").joinpath("data").joinpath(name)

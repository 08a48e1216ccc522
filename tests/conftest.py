"""Shared fixtures: the shared seed reports (read-only, outside the repository)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest


def _shared_dir() -> Path:
    env = os.environ.get("REPORTMINE_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The directory of seed reports (``$REPORTMINE_SHARED/seeds`` or ``../shared/seeds`` beside the repo)."""
    d = _shared_dir() / "seeds"
    if not d.is_dir() or not any(d.glob("*.txt")):
        pytest.skip(f"shared seed reports not found at {d} (set REPORTMINE_SHARED to the shared folder)")
    return d


@pytest.fixture(scope="session")
def seed(seeds_dir):
    """``seed("000")``: path of the seed file whose name starts with that number (skip if missing)."""

    def find(prefix: str) -> Path:
        hits = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
        if not hits:
            pytest.skip(f"seed {prefix} not found in {seeds_dir}")
        return hits[0]

    return find

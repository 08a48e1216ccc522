"""Learned components (scikit-learn), trained from the shipped gold corpus: placeholder until trained."""
from __future__ import annotations

__all__ = ["default_model"]


def default_model():
    """The learned re-scorer, or None when no model is available (rules only)."""
    return None

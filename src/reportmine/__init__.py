"""reportmine: evidence-backed tables of recurring problems from Chinese inspection reports."""
from __future__ import annotations

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

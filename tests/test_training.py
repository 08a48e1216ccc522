"""Training data: the train split only, and in sync with the corpus."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from reportmine.training import export_training, training_records

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def test_training_data_is_the_train_split_only():
    test_files = set(json.loads((CORPORA / "split.json").read_text(encoding="utf-8"))["test"])
    files = {r["file"] for r in training_records()}
    assert files and not files & test_files


def test_shipped_training_data_matches_the_corpus(tmp_path):
    out = tmp_path / "t.jsonl.gz"
    export_training(CORPORA, out)
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        fresh = [json.loads(line) for line in fh]
    assert fresh == training_records(), "run: python -m reportmine.model export corpora src/reportmine/data/training.jsonl.gz"

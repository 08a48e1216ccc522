"""The learned component: trained on the train split only, in sync with the corpus, and earning its place."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from reportmine.evaluate import evaluate
from reportmine.extract import Extractor
from reportmine.model import default_model, export_training, training_records

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


@pytest.fixture(scope="module")
def heldout():
    return {
        "rules": evaluate(CORPORA / "gold", split="test", extractor=Extractor(model=None)),
        "model": evaluate(CORPORA / "gold", split="test", extractor=Extractor(model=default_model())),
    }


def test_combination_beats_rules_alone_on_the_test_split(heldout):
    rules, model = heldout["rules"].summary(), heldout["model"].summary()
    assert model["findings_f1"] > rules["findings_f1"]
    assert model["found_f1"] > rules["found_f1"]
    assert model["action_f1"] > rules["action_f1"]

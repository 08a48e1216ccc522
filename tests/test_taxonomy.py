"""Taxonomy files: the shipped one is valid and complete; user files extend it; bad files are rejected."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportmine.errors import TaxonomyError
from reportmine.extract import Extractor
from reportmine.io import Document
from reportmine.pipeline import process_document
from reportmine.taxonomy import default_taxonomy, load_taxonomy

CONTRACT_CATEGORIES = {
    "backlog", "forced_selling", "missing_date_stamp", "delivery_delay", "info_upload_delay", "misrouting",
    "lost_damaged", "newspaper_shortage", "complaint_handling", "service_attitude", "improper_fees",
    "equipment_failure", "capacity_shortage", "outlet_management", "internal_control", "acceptance_check",
    "not_delivered_to_door", "mail_security", "records_signature", "privacy_leak", "safety_hazard",
}
CONTRACT_ACTIONS = {
    "fine", "suspension", "warning", "training", "assessment", "rectification", "reinspection",
    "process_change", "resource_increase", "compensation", "administrative_penalty",
}


def test_shipped_taxonomy_has_the_contract_ids():
    tax = default_taxonomy()
    assert set(tax.categories) == CONTRACT_CATEGORIES
    assert set(tax.actions) == CONTRACT_ACTIONS
    assert all(e.label and e.cues for e in list(tax.categories.values()) + list(tax.actions.values()))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("name,text,line,words", [
    ("bad.yaml", "categories:\n  backlog:\n    cues: [a, b\n", 4, "invalid YAML"),
    ("unknown.yaml", "categories:\n  backlog:\n    cuez: [压件]\n", 3, "unknown key 'cuez'"),
    ("dup.yaml", "categories:\n  newcat:\n    label: 新\n  newcat:\n    label: 新2\n", 4, "duplicate key 'newcat'"),
    ("nolabel.yaml", "categories:\n  brand_new:\n    cues: [某词]\n", 2, "needs a 'label'"),
    ("badre.yaml", "categories:\n  backlog:\n    patterns: ['(未处理']\n", 3, "bad regex"),
    ("redos.yaml", "categories:\n  backlog:\n    patterns: ['(a|aa)+$']\n", 3, "catastrophic regex"),
    ("nested.yaml", "categories:\n  backlog:\n    patterns: ['(积压+)+']\n", 3, "catastrophic regex"),
    ("top.yaml", "categorys:\n  backlog: {}\n", 1, "unknown top-level key"),
    ("badid.yaml", "categories:\n  Bad-Id:\n    label: x\n    cues: [y]\n", 2, "bad category id"),
    ("nomacro.yaml", "categories:\n  backlog:\n    patterns: ['邮件{gapp}{0,4}未处理']\n", 3, "unknown macro '{gapp}'"),
    ("badmacro.yaml", "macros:\n  near: '[^，'\n", 2, "macros.near: bad regex"),
    ("macroname.yaml", "macros:\n  Near: 'x'\n", 2, "lower_snake_case"),
])
def test_invalid_files_name_file_and_line(tmp_path, name, text, line, words):
    path = _write(tmp_path, name, text)
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert words in str(err.value)


def test_invalid_toml_is_rejected_with_line(tmp_path):
    path = _write(tmp_path, "bad.toml", "[categories.backlog]\ncues = [\"a\"\ncues2 = 1\n")
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(path)
    assert err.value.line is not None and "TOML" in str(err.value)


def test_user_file_adds_a_category_and_cues(tmp_path):
    path = _write(tmp_path, "mine.yaml",
                  "categories:\n  misleading_sales:\n    label: 误导销售\n    cues: [混淆宣传]\n"
                  "  backlog:\n    cues: [压件不报]\n")
    tax = load_taxonomy(path)
    assert tax.label("misleading_sales") == "误导销售"
    assert "压件不报" in tax.categories["backlog"].cues and "积压" in tax.categories["backlog"].cues
    doc = Document("t.txt", "自查报告\n检查发现营业员存在混淆宣传的问题。\n某局\n2020年1月2日\n", "utf-8", "txt")
    for model in (None, "default"):
        res = process_document(doc, extractor=Extractor(tax, model=model))
        cats = {(f.category, f.polarity) for e in res.extractions for f in e.findings}
        assert ("misleading_sales", "found") in cats


def test_macros_expand_in_patterns(tmp_path):
    """{gap} (shipped) and a user's own macro expand in the user's patterns; the package's are expanded too."""
    tax = default_taxonomy()
    assert not any("{gap}" in p for e in tax.categories.values() for p in e.patterns)
    assert any("(?![无没未]|不存在)" in p for p in tax.categories["delivery_delay"].patterns)
    path = _write(tmp_path, "mine.yaml",
                  "macros:\n  near: '[^，。；]{0,3}'\n"
                  "categories:\n  backlog:\n    patterns: ['邮袋{gap}{0,4}没人拆', '报纸{near}堆在门口']\n")
    pats = load_taxonomy(path).categories["backlog"].patterns
    assert "邮袋(?:(?![无没未]|不存在)[^，。；]){0,4}没人拆" in pats and "报纸[^，。；]{0,3}堆在门口" in pats
    assert not any("{near}" in p or "{gap}" in p for p in pats)


def test_toml_file_works(tmp_path):
    path = _write(tmp_path, "mine.toml", '[categories.misleading_sales]\nlabel = "误导销售"\ncues = ["混淆宣传"]\n')
    assert "misleading_sales" in load_taxonomy(path).categories


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(tmp_path / "absent.yaml")
    assert "absent.yaml" in str(err.value)

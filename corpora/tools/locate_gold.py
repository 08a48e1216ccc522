"""Validate gold JSONL files and fill character offsets from quotes.

Usage: python corpora/tools/locate_gold.py corpora/gold/a.jsonl [more.jsonl ...]
Offsets are into the decoded text of the report file (as reportmine reads it).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "reports"

CATEGORIES = {
    "backlog", "forced_selling", "missing_date_stamp", "delivery_delay", "info_upload_delay",
    "misrouting", "lost_damaged", "newspaper_shortage", "complaint_handling", "service_attitude",
    "improper_fees", "equipment_failure", "capacity_shortage", "outlet_management", "internal_control",
    "acceptance_check", "not_delivered_to_door", "mail_security", "records_signature", "privacy_leak",
    "safety_hazard",
}
POLARITIES = {"found", "not_found", "requirement"}
ACTIONS = {
    "fine", "suspension", "warning", "training", "assessment", "rectification", "reinspection",
    "process_change", "resource_increase", "compensation", "administrative_penalty",
}
DOC_TYPES = {"inspection_summary", "regulation", "essay", "other"}
REPORT_KEYS = {"file", "report", "title", "org", "date", "doc_type", "script", "findings", "actions"}
FINDING_KEYS = {"category", "polarity", "quote", "n", "start", "end"}
ACTION_KEYS = {"type", "quote", "n", "start", "end", "amount_yuan", "party", "planned", "answers"}


def read_text(path: Path) -> str:
    try:
        from reportmine.io import read_document  # type: ignore

        return read_document(path).text
    except ImportError:
        return path.read_bytes().decode("utf-8-sig")


def locate(text: str, quote: str, n: int | None, where: str) -> tuple[int, int]:
    hits = []
    i = text.find(quote)
    while i >= 0:
        hits.append(i)
        i = text.find(quote, i + 1)
    if not hits:
        raise ValueError(f"{where}: quote not found: {quote!r}")
    if n is None:
        if len(hits) > 1:
            raise ValueError(f"{where}: quote {quote!r} occurs {len(hits)} times; add \"n\"")
        n = 1
    if not 1 <= n <= len(hits):
        raise ValueError(f"{where}: n={n} but quote {quote!r} occurs {len(hits)} times")
    return hits[n - 1], hits[n - 1] + len(quote)


def check_file(gold: Path) -> int:
    errors: list[str] = []
    out_lines = []
    texts: dict[str, str] = {}
    mentions = 0
    for lineno, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{gold}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: bad JSON: {exc}")
            continue
        unknown = set(rec) - REPORT_KEYS
        if unknown:
            errors.append(f"{where}: unknown keys {sorted(unknown)}")
        if rec.get("doc_type") not in DOC_TYPES:
            errors.append(f"{where}: bad doc_type {rec.get('doc_type')!r}")
        path = REPORTS / rec.get("file", "")
        if not path.is_file():
            errors.append(f"{where}: no such report file {rec.get('file')!r}")
            out_lines.append(line)
            continue
        text = texts.setdefault(rec["file"], read_text(path))
        for f in rec.get("findings", []):
            mentions += 1
            if set(f) - FINDING_KEYS:
                errors.append(f"{where}: unknown finding keys {sorted(set(f) - FINDING_KEYS)}")
            if f.get("category") not in CATEGORIES:
                errors.append(f"{where}: unknown category {f.get('category')!r}")
            if f.get("polarity") not in POLARITIES:
                errors.append(f"{where}: unknown polarity {f.get('polarity')!r}")
            if rec.get("doc_type") in {"regulation", "essay"} and f.get("polarity") == "found":
                errors.append(f"{where}: 'found' in a {rec['doc_type']}: {f.get('quote')!r}")
            try:
                f["start"], f["end"] = locate(text, f["quote"], f.get("n"), where)
            except (ValueError, KeyError) as exc:
                errors.append(str(exc))
        for a in rec.get("actions", []):
            mentions += 1
            if set(a) - ACTION_KEYS:
                errors.append(f"{where}: unknown action keys {sorted(set(a) - ACTION_KEYS)}")
            if a.get("type") not in ACTIONS:
                errors.append(f"{where}: unknown action type {a.get('type')!r}")
            if a.get("answers") not in CATEGORIES | {None}:
                errors.append(f"{where}: unknown answers {a.get('answers')!r}")
            if not isinstance(a.get("planned"), bool):
                errors.append(f"{where}: action needs planned true/false: {a.get('quote')!r}")
            amt = a.get("amount_yuan")
            if amt is not None and not isinstance(amt, (int, float)):
                errors.append(f"{where}: amount_yuan must be a number or null")
            try:
                a["start"], a["end"] = locate(text, a["quote"], a.get("n"), where)
            except (ValueError, KeyError) as exc:
                errors.append(str(exc))
        out_lines.append(json.dumps(rec, ensure_ascii=False))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(f"{gold}: {len(errors)} error(s); file not rewritten", file=sys.stderr)
        return 1
    gold.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    print(f"{gold}: {len(out_lines)} reports, {mentions} mentions, offsets written")
    return 0


if __name__ == "__main__":
    sys.exit(max([check_file(Path(p)) for p in sys.argv[1:]] or [2]))

"""Evaluation against gold annotations: precision / recall / F1 of findings (per category and polarity)
and actions (per type), document-type accuracy and structure accuracy.

A predicted mention matches a gold one when the file, the id (category+polarity, or action type) agree
and the spans overlap; each gold mention is matched at most once.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from .errors import GoldError
from .extract import Extraction, Extractor
from .io import read_document
from .normalize import to_simplified
from .pipeline import process_document

__all__ = ["GoldReport", "load_gold", "score", "evaluate", "EvalResult", "format_eval", "Split"]

Split = Literal["all", "train", "test"]


@dataclass(frozen=True)
class GoldReport:
    """One gold record (a report of a file)."""

    file: str
    report: int
    doc_type: str
    title: str | None
    org: str | None
    date: str | None
    findings: tuple[tuple[str, str, int, int], ...]  # (category, polarity, start, end)
    actions: tuple[tuple[str, int, int, bool, float | None], ...]  # (type, start, end, planned, amount)

    @classmethod
    def from_record(cls, r: dict) -> "GoldReport":
        """A gold record as read from a gold JSONL line (KeyError, ValueError or TypeError if malformed)."""
        return cls(
            r["file"], int(r["report"]), r["doc_type"], r.get("title"), r.get("org"), r.get("date"),
            tuple((x["category"], x["polarity"], int(x["start"]), int(x["end"])) for x in r.get("findings", [])),
            tuple((x["type"], int(x["start"]), int(x["end"]), bool(x.get("planned")), x.get("amount_yuan")) for x in r.get("actions", [])),
        )


def _split_files(gold_dir: Path) -> set[str] | None:
    p = gold_dir.parent / "split.json"
    if p.is_file():
        return set(json.loads(p.read_text(encoding="utf-8"))["test"])
    return None


def load_gold(path: str | Path, *, split: Split = "all") -> tuple[list[GoldReport], Path]:
    """Gold records from a JSONL file or a directory of them, and the folder of the report files."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files:
        raise GoldError(path, "no gold files (*.jsonl) found")
    gold_dir = path if path.is_dir() else path.parent
    test = _split_files(gold_dir)
    if split != "all" and test is None:
        raise GoldError(gold_dir.parent / "split.json", "no split file: cannot select the train/test split")
    out = []
    for f in files:
        for lineno, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                rec = GoldReport.from_record(r)
            except (ValueError, KeyError, TypeError) as exc:
                raise GoldError(f, f"bad gold record: {exc!r}", line=lineno) from None
            if split == "all" or (split == "test") == (rec.file in test):
                out.append(rec)
    return out, gold_dir.parent / "reports"


@dataclass
class EvalResult:
    """Counts behind every figure, so that totals can be recomputed."""

    findings: dict = field(default_factory=lambda: defaultdict(Counter))  # (cat, pol) -> tp/fp/fn
    actions: dict = field(default_factory=lambda: defaultdict(Counter))  # type -> tp/fp/fn
    doc_type: Counter = field(default_factory=Counter)  # correct / total
    structure: Counter = field(default_factory=Counter)
    planned: Counter = field(default_factory=Counter)
    amount: Counter = field(default_factory=Counter)
    n_reports: int = 0

    @staticmethod
    def prf(c: Counter) -> tuple[float, float, float]:
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def micro(self, kind: str, polarity: str | None = None) -> tuple[float, float, float]:
        table = self.findings if kind == "findings" else self.actions
        total: Counter = Counter()
        for key, c in table.items():
            if polarity is None or (isinstance(key, tuple) and key[1] == polarity):
                total.update(c)
        return self.prf(total)

    def summary(self) -> dict:
        """Headline figures: found / not_found / requirement / all findings F1, action F1, doc_type accuracy."""
        out = {f"{p}_f1": round(self.micro("findings", p)[2], 4) for p in ("found", "not_found", "requirement")}
        out["findings_f1"] = round(self.micro("findings")[2], 4)
        out["action_f1"] = round(self.micro("actions")[2], 4)
        out["doc_type_accuracy"] = round(self.doc_type["correct"] / max(1, self.doc_type["total"]), 4)
        out["reports"] = self.n_reports
        return out


def _match(gold: list[tuple], pred: list[tuple], key_len: int) -> tuple[list[tuple], list[tuple], list[tuple[tuple, tuple]]]:
    """Greedy span-overlap matching; returns (unmatched gold, unmatched pred, matched pairs)."""
    used = set()
    pairs = []
    fn = []
    for g in gold:
        best = None
        for j, p in enumerate(pred):
            if j in used or p[:key_len] != g[:key_len]:
                continue
            gs, ge = g[key_len], g[key_len + 1]
            ps, pe = p[key_len], p[key_len + 1]
            if ps < ge and gs < pe:
                dist = abs(ps - gs)
                if best is None or dist < best[0]:
                    best = (dist, j)
        if best is None:
            fn.append(g)
        else:
            used.add(best[1])
            pairs.append((g, pred[best[1]]))
    fp = [p for j, p in enumerate(pred) if j not in used]
    return fn, fp, pairs


def score(gold: Iterable[GoldReport], predicted: dict[str, list[Extraction]], result: EvalResult | None = None) -> EvalResult:
    """Compare gold records with extractions keyed by gold file name."""
    res = result or EvalResult()
    by_file: dict[str, list[GoldReport]] = defaultdict(list)
    for g in gold:
        by_file[g.file].append(g)
    for fname, golds in by_file.items():
        exs = predicted.get(fname, [])
        res.n_reports += len(golds)
        gf = [f for g in golds for f in g.findings]
        pf = [(f.category, f.polarity, f.start, f.end) for e in exs for f in e.findings]
        fn, fp, pairs = _match(gf, pf, 2)
        for g in fn:
            res.findings[g[:2]]["fn"] += 1
        for p in fp:
            res.findings[p[:2]]["fp"] += 1
        for g, _p in pairs:
            res.findings[g[:2]]["tp"] += 1
        ga = [a for g in golds for a in g.actions]
        pa = [(a.type, a.start, a.end, a.planned, a.amount_yuan) for e in exs for a in e.actions]
        fn, fp, pairs = _match(ga, pa, 1)
        for g in fn:
            res.actions[g[0]]["fn"] += 1
        for p in fp:
            res.actions[p[0]]["fp"] += 1
        for g, p in pairs:
            res.actions[g[0]]["tp"] += 1
            res.planned["correct" if g[3] == p[3] else "wrong"] += 1
            if g[4] is not None or p[4] is not None:
                res.amount["correct" if g[4] is not None and p[4] is not None and float(g[4]) == float(p[4]) else "wrong"] += 1
        res.structure["files"] += 1
        res.structure["split_ok"] += int(len(exs) == len(golds))
        for g in golds:
            e = exs[g.report] if g.report < len(exs) else None
            res.doc_type["total"] += 1
            res.doc_type["correct"] += int(e is not None and e.doc_type == g.doc_type)
            res.structure["reports"] += 1
            res.structure["date_ok"] += int(e is not None and e.report.date == g.date)
            gold_org = to_simplified(g.org.strip()) if g.org else None
            res.structure["org_ok"] += int(e is not None and (e.report.org or None) == gold_org)
    return res


def evaluate(gold_path: str | Path, *, split: Split = "all", extractor: Extractor | None = None) -> EvalResult:
    """Run the pipeline on every report file the gold names and score it."""
    gold, reports_dir = load_gold(gold_path, split=split)
    ex = extractor or Extractor()
    predicted: dict[str, list[Extraction]] = {}
    for fname in sorted({g.file for g in gold}):
        doc = read_document(reports_dir / fname)
        predicted[fname] = list(process_document(doc, extractor=ex).extractions)
    return score(gold, predicted)


def format_eval(res: EvalResult, *, label=lambda x: x) -> str:
    """A plain-text report of an EvalResult."""
    lines = [f"{'category':<24}{'polarity':<13}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}"]
    for key in sorted(res.findings):
        c = res.findings[key]
        p, r, f = res.prf(c)
        lines.append(f"{key[0]:<24}{key[1]:<13}{p:7.3f}{r:7.3f}{f:7.3f}{c['tp'] + c['fn']:6d}{c['tp'] + c['fp']:6d}")
    lines.append("")
    for pol in ("found", "not_found", "requirement", None):
        p, r, f = res.micro("findings", pol)
        lines.append(f"{'micro findings':<24}{pol or 'all':<13}{p:7.3f}{r:7.3f}{f:7.3f}")
    lines.append("")
    lines.append(f"{'action':<37}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}")
    for key in sorted(res.actions):
        c = res.actions[key]
        p, r, f = res.prf(c)
        lines.append(f"{key:<37}{p:7.3f}{r:7.3f}{f:7.3f}{c['tp'] + c['fn']:6d}{c['tp'] + c['fp']:6d}")
    p, r, f = res.micro("actions")
    lines.append(f"{'micro actions':<37}{p:7.3f}{r:7.3f}{f:7.3f}")
    tot = max(1, res.planned["correct"] + res.planned["wrong"])
    lines.append(f"planned flag accuracy on matched actions: {res.planned['correct'] / tot:.3f}")
    tot = max(1, res.amount["correct"] + res.amount["wrong"])
    lines.append(f"fine amount accuracy on matched actions with an amount: {res.amount['correct'] / tot:.3f}")
    lines.append("")
    d = res.doc_type
    lines.append(f"doc_type accuracy: {d['correct'] / max(1, d['total']):.3f} ({d['correct']}/{d['total']})")
    s = res.structure
    lines.append(
        f"structure: report split {s['split_ok']}/{s['files']} files, date {s['date_ok']}/{s['reports']}, "
        f"signing unit {s['org_ok']}/{s['reports']}"
    )
    return "\n".join(lines)

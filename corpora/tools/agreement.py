"""Agreement of a blind second annotation with the gold (and, with --tool, reportmine's score on the same files).

Usage: python corpora/tools/agreement.py corpora/agreement/session12.jsonl [--tool]

Mentions match as in ``reportmine eval`` (same category and polarity, or action type; overlapping spans),
and again with every span widened to its sentence (two quotes of one sentence agree).
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from reportmine.evaluate import GoldReport, _match, load_gold
from reportmine.io import read_document

ROOT = Path(__file__).resolve().parents[1]
_END = re.compile(r"[。！？；!?;\n]")


def _sentence(text: str, a: int, b: int) -> tuple[int, int]:
    start = max([m.end() for m in _END.finditer(text, 0, a)] + [0])
    m = _END.search(text, max(b - 1, 0))
    return start, max(m.end() if m else len(text), b)


def _pool(records, texts, widen: bool) -> dict:
    """file -> (findings, actions) as (id..., start, end), all reports of a file together."""
    out = defaultdict(lambda: ([], []))
    for r in records:
        span = (lambda a, b: _sentence(texts[r.file], a, b)) if widen else (lambda a, b: (a, b))
        out[r.file][0].extend((c, p, *span(a, b)) for c, p, a, b in r.findings)
        out[r.file][1].extend((t, *span(a, b)) for t, a, b, *_ in r.actions)
    return out


def _prf(c: Counter) -> str:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f} R {r:.3f} F1 {f:.3f} (gold {c['tp'] + c['fn']})"


def compare(ref: dict, other: dict, files, label: str) -> None:
    cnt: dict[str, Counter] = defaultdict(Counter)
    for f in files:
        fn, fp, pairs = _match(ref[f][0], other[f][0], 2)
        for pol in ("found", "not_found", "requirement"):
            cnt[pol].update(tp=sum(g[1] == pol for g, _ in pairs), fn=sum(g[1] == pol for g in fn),
                            fp=sum(p[1] == pol for p in fp))
        fn, fp, pairs = _match(ref[f][1], other[f][1], 1)
        cnt["actions"].update(tp=len(pairs), fn=len(fn), fp=len(fp))
    print(label)
    for k, c in cnt.items():
        print(f"  {k:<12} {_prf(c)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("second", help="JSONL of the second annotation (gold record format)")
    ap.add_argument("--tool", action="store_true", help="also score reportmine (rules+model) on the same files")
    args = ap.parse_args()
    second = [GoldReport.from_record(json.loads(line)) for line in Path(args.second).read_text(encoding="utf-8").splitlines() if line.strip()]
    files = sorted({r.file for r in second})
    gold = [g for g in load_gold(ROOT / "gold")[0] if g.file in files]
    texts = {f: read_document(ROOT / "reports" / f).text for f in files}
    print(f"{len(files)} files, {len(gold)} gold reports, {len(second)} second-annotation reports")
    for widen, how in ((False, "overlapping spans"), (True, "same sentence")):
        compare(_pool(gold, texts, widen), _pool(second, texts, widen), files, f"second annotator vs gold, {how}")
    if args.tool:
        from reportmine.pipeline import process_document
        from reportmine.extract import Extractor

        ex = Extractor()
        tool = defaultdict(lambda: ([], []))
        for f in files:
            for e in process_document(read_document(ROOT / "reports" / f), extractor=ex).extractions:
                tool[f][0].extend((x.category, x.polarity, x.start, x.end) for x in e.findings)
                tool[f][1].extend((x.type, x.start, x.end) for x in e.actions)
        compare(_pool(gold, texts, False), tool, files, "reportmine (rules+model) vs gold, as reportmine eval matches")
        wide = {f: ([(c, p, *_sentence(texts[f], a, b)) for c, p, a, b in fs], [(t, *_sentence(texts[f], a, b)) for t, a, b in acts])
                for f, (fs, acts) in tool.items()}
        compare(_pool(gold, texts, True), defaultdict(lambda: ([], []), wide), files, "reportmine (rules+model) vs gold, same sentence")


if __name__ == "__main__":
    main()

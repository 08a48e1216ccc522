#!/usr/bin/env python3
"""Benchmark: reportmine's extract pipeline against a naive pipeline, on a generated corpus of N MB.

    python bench/bench.py --mb 20                 # build 20 MB, run jobs 1 and 2, stages, naive, segmenters
    python bench/bench.py --mb 100 --jobs 2 --no-stages
    python bench/bench.py --mb 20 --json out.json # also write the figures as JSON

The corpus is built from ``corpora/reports`` (text and html files) by simple substitutions: years and
months, the place names of units, script (a share converted to traditional with OpenCC s2t), noise (site
boilerplate, hard line breaks, spaces between characters, full-width digits) and encodings (UTF-8,
GB18030, Big5). Every configuration runs in a fresh process so that its peak RSS is its own.

Figures: wall time, CPU time (the process and its workers), MB/s of input (wall and per CPU-second),
reports/s, peak RSS (largest process, and the sampled total of the process tree), time per stage (read,
normalize, structure, extract, unmatched, write; measured in process on a sample), and the same for a
naive pipeline (opencc-python-reimplemented t2s, jieba.lcut, one ``re`` per taxonomy cue), which runs in
its own virtual environment (``bench/.naive-venv``, created on first use, since the two OpenCC packages
install into the same import folder). Finally jieba and rjieba are compared on the normalized corpus
(speed and token agreement).

This is a benchmark, not a test: nothing here asserts, and pytest does not collect it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCE_DIR = ROOT / "corpora" / "reports"
NAIVE_VENV = HERE / ".naive-venv"
NAIVE_PACKAGES = ["opencc-python-reimplemented==0.1.7", "jieba==0.42.1"]

# --------------------------------------------------------------------------- corpus

PLACES = [
    "榆林", "会宁", "保德", "富平", "洛阳", "益阳", "宜宾", "临沂", "弥勒", "敦化", "长汀", "淳安", "遂宁", "奎屯", "西吉",
    "互助", "河曲", "郸城", "桐城", "绵阳", "大理", "瑞金", "平南", "海伦", "莒县", "霍邱", "桑植", "威宁", "鄂尔多斯", "晋中",
    "宝鸡", "涞水", "徐州", "牡丹江", "温州", "吕梁", "潍坊", "郑州", "于都", "宜昌", "遵义", "龙岩", "大连", "邢台", "邯郸",
]
BOILERPLATE_HEAD = ["来源：互联网  发布时间：{y}-0{m}-1{d}  浏览次数：{n}", "本文由网友上传，仅供参考学习", "【导读】以下是小编整理的工作总结范文"]
BOILERPLATE_TAIL = ["（本文来源于网络，版权归原作者所有，如有侵权请联系删除）", "相关推荐：自查报告范文大全  更多精彩内容请访问本站",
                    "下载文档到电脑，查找使用更方便"]
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _source_texts() -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from reportmine.io import read_document

    texts = []
    for p in sorted(SOURCE_DIR.iterdir()):
        if p.suffix.lower() in (".txt", ".html", ".htm"):
            try:
                texts.append(read_document(p).text)
            except Exception:
                pass
    return texts


def _vary(text: str, rng: random.Random, s2t) -> tuple[str, str]:
    """A variant of one report and the encoding to store it in."""
    text = re.sub(r"(?:19|20)\d{2}(?=\s*年)", lambda m: str(rng.randint(2005, 2024)), text)
    text = re.sub(r"(?<!\d)(?:1[0-2]|[1-9])(?=\s*月)", lambda m: str(rng.randint(1, 12)), text)
    place = rng.choice(PLACES)
    text = re.sub(r"[\u4e00-\u9fff]{2}(?=(?:县|市|区)(?:邮政|分公司|局))", place, text)
    r = rng.random()
    if r < 0.15:
        text = s2t.convert(text)
    elif r < 0.25:
        head = rng.choice(BOILERPLATE_HEAD).format(y=rng.randint(2010, 2023), m=rng.randint(1, 9), d=rng.randint(0, 9), n=rng.randint(10, 9999))
        text = f"{head}\n{text}\n{rng.choice(BOILERPLATE_TAIL)}\n"
    elif r < 0.33:  # text as extracted from a PDF: hard line breaks
        width = rng.randint(28, 40)
        text = "\n".join(line[i:i + width] for line in text.split("\n") for i in range(0, max(len(line), 1), width))
    elif r < 0.40:  # spaces between characters on some lines
        lines = text.split("\n")
        for i in range(1, len(lines), 3):
            lines[i] = " ".join(lines[i])
        text = "\n".join(lines)
    elif r < 0.47:
        text = text.translate(_FULLWIDTH)
    traditional = r < 0.15 or any(ch in text[:400] for ch in "與於為這發現檢查郵")
    e = rng.random()
    enc = "utf-8"
    if traditional and e < 0.3:
        enc = "big5"
    elif not traditional and e < 0.12:
        enc = "gb18030"
    try:
        text.encode(enc if enc != "big5" else "cp950")
    except UnicodeEncodeError:
        enc = "utf-8"
    return text, enc


def build_corpus(out: Path, mb: float, seed: int = 0) -> dict:
    """Write about ``mb`` MB of report files into ``out`` (100 files per sub-folder)."""
    import opencc

    rng = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    texts = _source_texts()
    target = int(mb * 1_000_000)
    total = n = 0
    t0 = time.perf_counter()
    encs: dict[str, int] = {}
    while total < target:
        text, enc = _vary(rng.choice(texts), rng, s2t)
        data = text.encode(enc if enc != "big5" else "cp950")
        sub = out / f"{n // 100:05d}"
        if n % 100 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"r{n:07d}.txt").write_bytes(data)
        total += len(data)
        n += 1
        encs[enc] = encs.get(enc, 0) + 1
    return {"files": n, "bytes": total, "encodings": encs, "seconds": round(time.perf_counter() - t0, 1)}


# --------------------------------------------------------------------------- measuring


class TreeRSS:
    """Samples the summed memory of this process and its children (psutil) every ``interval`` s: PSS
    (proportional set size: pages shared by forked workers counted once overall) where the system tells
    it, else RSS (which counts shared pages once per process)."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me] + me.children(recursive=True)
                rss = 0
                for p in procs:
                    try:
                        info = p.memory_full_info()
                        rss += getattr(info, "pss", None) or info.rss
                    except psutil.Error:
                        try:
                            rss += p.memory_info().rss
                        except psutil.Error:
                            pass
                self.peak = max(self.peak, rss)
            except Exception:
                pass
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _maxrss_mb() -> tuple[float, float]:
    """(this process, the largest finished child) peak RSS in MB (Linux reports KiB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def child_run(corpus: Path, jobs: int, use_model: bool, out: str) -> dict:
    """One reportmine run, as ``reportmine extract --format jsonl`` does it: results streamed to JSONL."""
    sys.path.insert(0, str(ROOT / "src"))
    from reportmine.pipeline import run

    if use_model:
        from reportmine.model_cache import default_model

        t = time.perf_counter()
        default_model()  # trained or loaded before timing (a one-off per machine, cached on disk)
        model_s = time.perf_counter() - t
    else:
        model_s = 0.0
    n_bytes = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    cpu0, t0 = _cpu(), time.perf_counter()
    files = reports = skipped = findings = 0
    with TreeRSS() as tree, open(out, "w", encoding="utf-8") as fh:
        for res in run([corpus], jobs=jobs, timeout=300 if jobs > 1 else None, use_model=use_model):
            files += 1
            if res.skipped is not None:
                skipped += 1
                continue
            for e in res.extractions:
                reports += 1
                findings += len(e.findings)
                fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    own, child = _maxrss_mb()
    from reportmine.cache import file_digest

    return {"engine": "reportmine", "jobs": jobs, "model": use_model, "files": files, "skipped": skipped,
            "output_sha256": file_digest(out),
            "reports": reports, "findings": findings, "mb": n_bytes / 1e6, "wall_s": wall, "cpu_s": cpu,
            "mb_per_s": n_bytes / 1e6 / wall, "mb_per_cpu_s": n_bytes / 1e6 / cpu, "reports_per_s": reports / wall,
            "peak_rss_mb": max(own, child), "peak_tree_rss_mb": tree.peak / 2**20, "model_load_s": model_s}


def child_stages(corpus: Path, use_model: bool, sample_mb: float) -> dict:
    """Time per stage, in process, on the first ``sample_mb`` MB of the corpus (the steps of
    ``pipeline.process_document`` called one by one)."""
    sys.path.insert(0, str(ROOT / "src"))
    from reportmine.discovery import problem_sentences
    from reportmine.extract import Extractor
    from reportmine.io import read_document
    from reportmine.normalize import normalize
    from reportmine.structure import iter_reports

    ex = Extractor(model="default" if use_model else None)
    if use_model:
        ex.model  # noqa: B018 (load before timing)
    paths = sorted(p for p in corpus.rglob("*") if p.is_file())
    times = dict.fromkeys(("read", "normalize", "structure", "extract", "unmatched", "write"), 0.0)
    n_bytes = n_reports = 0
    pc = time.perf_counter
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for p in paths:
            if n_bytes >= sample_mb * 1e6:
                break
            n_bytes += p.stat().st_size
            t = pc()
            doc = read_document(p)
            t1 = pc()
            norm = normalize(doc.text)
            t2 = pc()
            reps = list(iter_reports(doc, norm=norm))
            t3 = pc()
            exs = [ex.extract(r) for r in reps]
            t4 = pc()
            for e in exs:
                list(problem_sentences(e))
            t5 = pc()
            for e in exs:
                sink.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
            t6 = pc()
            n_reports += len(reps)
            for k, a, b in (("read", t, t1), ("normalize", t1, t2), ("structure", t2, t3), ("extract", t3, t4),
                            ("unmatched", t4, t5), ("write", t5, t6)):
                times[k] += b - a
    total = sum(times.values())
    return {"sample_mb": n_bytes / 1e6, "reports": n_reports, "seconds": times, "total_s": total,
            "mb_per_s": {k: (n_bytes / 1e6 / v if v else None) for k, v in times.items()},
            "share": {k: v / total for k, v in times.items()}}


def child_segmenters(corpus: Path, sample_mb: float) -> dict:
    """jieba vs rjieba (reportmine.segment, with the postal dictionary) on normalized text: MB/s and
    agreement of the token lists, per line."""
    sys.path.insert(0, str(ROOT / "src"))
    from reportmine.io import read_document
    from reportmine.normalize import normalize
    from reportmine.segment import segmenter

    lines: list[str] = []
    n = 0
    for p in sorted(q for q in corpus.rglob("*") if q.is_file()):
        if n >= sample_mb * 1e6:
            break
        text = normalize(read_document(p).text).text
        n += len(text.encode("utf-8"))
        lines.extend(line for line in text.split("\n") if line.strip())
    mb = sum(len(x.encode("utf-8")) for x in lines) / 1e6
    out: dict = {"sample_mb": mb, "lines": len(lines)}
    toks = {}
    for backend in ("jieba", "rjieba"):
        try:
            seg = segmenter(backend)
        except Exception as exc:  # rjieba not installed
            out[backend] = {"error": str(exc)}
            continue
        seg.cut("预热")
        t = time.perf_counter()
        toks[backend] = [seg.cut(x) for x in lines]
        dt = time.perf_counter() - t
        out[backend] = {"seconds": dt, "mb_per_s": mb / dt, "tokens": sum(map(len, toks[backend]))}
    if len(toks) == 2:
        same = sum(1 for a, b in zip(toks["jieba"], toks["rjieba"]) if a == b)
        diffs = [(a, b) for a, b in zip(toks["jieba"], toks["rjieba"]) if a != b]
        out["identical_lines"] = same / len(lines)
        out["speedup"] = out["jieba"]["seconds"] / out["rjieba"]["seconds"]
        examples = []
        for a, b in diffs[:200]:
            sa, sb = set(a), set(b)
            examples.append(("|".join(t for t in a if t not in sb)[:60], "|".join(t for t in b if t not in sa)[:60]))
        out["difference_examples"] = examples[:8]
        # without HMM: rjieba must give jieba's tokens exactly
        import jieba  # noqa: F401

        j = segmenter("jieba")._impl
        r = segmenter("rjieba")._impl
        sample = lines[: min(len(lines), 5000)]
        same_nohmm = sum(1 for x in sample if list(j.cut(x, HMM=False)) == list(r.cut(x, False)))
        out["identical_lines_hmm_off"] = same_nohmm / max(1, len(sample))
    return out


# --------------------------------------------------------------------------- naive pipeline

NAIVE_SCRIPT = r'''
import json, os, re, resource, sys, time
from opencc import OpenCC
import jieba, logging
jieba.setLogLevel(logging.WARNING)
corpus, cues_file = sys.argv[1], sys.argv[2]
cues = json.load(open(cues_file, encoding="utf-8"))
pats = [(cid, re.compile(re.escape(c))) for cid, c in cues]
cc = OpenCC("t2s")
jieba.initialize()
paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(corpus) for f in fs)
t = dict(read=0.0, convert=0.0, segment=0.0, match=0.0)
pc = time.perf_counter
cpu0 = time.process_time(); t0 = pc()
n_bytes = n_tokens = n_hits = 0
with open(os.devnull, "w") as sink:
    for p in paths:
        a = pc()
        data = open(p, "rb").read()
        n_bytes += len(data)
        for enc in ("utf-8", "gb18030", "big5"):
            try:
                text = data.decode(enc); break
            except UnicodeDecodeError:
                continue
        else:
            text = data.decode("utf-8", "replace")
        b = pc(); text = cc.convert(text)
        c = pc(); tokens = jieba.lcut(text)
        d = pc()
        counts = {}
        for cid, pat in pats:
            k = len(pat.findall(text))
            if k:
                counts[cid] = counts.get(cid, 0) + k
        sink.write(json.dumps({"source": p, "tokens": len(tokens), "counts": counts}, ensure_ascii=False) + "\n")
        e = pc()
        n_tokens += len(tokens); n_hits += sum(counts.values())
        t["read"] += b - a; t["convert"] += c - b; t["segment"] += d - c; t["match"] += e - d
wall = pc() - t0; cpu = time.process_time() - cpu0
print(json.dumps({"engine": "naive", "jobs": 1, "files": len(paths), "mb": n_bytes / 1e6, "wall_s": wall, "cpu_s": cpu,
                  "mb_per_s": n_bytes / 1e6 / wall, "mb_per_cpu_s": n_bytes / 1e6 / cpu, "reports_per_s": len(paths) / wall,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "stages": t,
                  "cues": len(pats), "tokens": n_tokens, "cue_hits": n_hits}))
'''


def naive_python(venv: Path) -> Path:
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"creating the naive pipeline's venv in {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *NAIVE_PACKAGES], check=True)
    return py


def run_naive(corpus: Path, venv: Path, tmp: Path) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from reportmine.taxonomy import default_taxonomy

    tax = default_taxonomy()
    cues = sorted({(e.id, w) for entries in (tax.categories, tax.actions) for e in entries.values() for w in (*e.cues, *e.topics)})
    cues_file = tmp / "cues.json"
    cues_file.write_text(json.dumps(cues, ensure_ascii=False), encoding="utf-8")
    script = tmp / "naive.py"
    script.write_text(NAIVE_SCRIPT, encoding="utf-8")
    py = naive_python(venv)
    out = subprocess.run([str(py), str(script), str(corpus), str(cues_file)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- driver


def _child(kind: str, **kw) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", kind, "--_args", json.dumps(kw)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "os": platform.platform(), "load_avg_1m": os.getloadavg()[0]}


def _fmt_run(r: dict) -> str:
    return (f"{r['engine']:<10} jobs={r['jobs']}  {r['mb']:.1f} MB in {r['wall_s']:.1f} s (cpu {r['cpu_s']:.1f} s): "
            f"{r['mb_per_s']:.3f} MB/s, {r['mb_per_cpu_s']:.3f} MB/cpu-s, {r['reports_per_s']:.1f} reports/s, "
            f"peak RSS {r['peak_rss_mb']:.0f} MB" + (f" (all processes, PSS {r['peak_tree_rss_mb']:.0f} MB)" if 'peak_tree_rss_mb' in r else ""))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=20, help="corpus size in MB (default 20)")
    ap.add_argument("--jobs", default="1,2", help="worker counts to run, comma-separated (default 1,2)")
    ap.add_argument("--no-model", action="store_true", help="rules only")
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--no-stages", action="store_true")
    ap.add_argument("--no-segmenters", action="store_true")
    ap.add_argument("--stage-mb", type=float, default=2.0, help="sample for the per-stage times and segmenters")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", help="use (or build once into) this folder instead of a temporary one")
    ap.add_argument("--naive-venv", default=str(NAIVE_VENV))
    ap.add_argument("--json", help="also write all figures to this JSON file")
    ap.add_argument("--_child")
    ap.add_argument("--_args")
    args = ap.parse_args(argv)

    if args._child:
        kw = json.loads(args._args)
        kw["corpus"] = Path(kw["corpus"])
        fn = {"run": child_run, "stages": child_stages, "segmenters": child_segmenters}[args._child]
        print(json.dumps(fn(**kw)))
        return

    figures: dict = {"machine": machine(), "runs": []}
    print(f"machine: {figures['machine']}", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix="reportmine-bench-"))
    try:
        corpus = Path(args.corpus) if args.corpus else tmp / "corpus"
        if not corpus.exists() or not any(corpus.iterdir()):
            corpus.mkdir(parents=True, exist_ok=True)
            figures["corpus"] = build_corpus(corpus, args.mb, args.seed)
            print(f"corpus: {figures['corpus']}", file=sys.stderr)
        use_model = not args.no_model
        for j in [int(x) for x in args.jobs.split(",") if x]:
            r = _child("run", corpus=str(corpus), jobs=j, use_model=use_model, out=str(tmp / f"out{j}.jsonl"))
            figures["runs"].append(r)
            print(_fmt_run(r), file=sys.stderr)
        if not args.no_naive:
            r = run_naive(corpus, Path(args.naive_venv), tmp)
            figures["runs"].append(r)
            print(_fmt_run(r) + "  stages " + ", ".join(f"{k} {v:.1f}s" for k, v in r["stages"].items()), file=sys.stderr)
        if not args.no_stages:
            figures["stages"] = _child("stages", corpus=str(corpus), use_model=use_model, sample_mb=args.stage_mb)
            st = figures["stages"]
            print(f"stages on {st['sample_mb']:.1f} MB ({st['reports']} reports), jobs=1: " + ", ".join(
                f"{k} {v:.1f}s ({st['share'][k]:.0%})" for k, v in st["seconds"].items()), file=sys.stderr)
        if not args.no_segmenters:
            figures["segmenters"] = _child("segmenters", corpus=str(corpus), sample_mb=args.stage_mb)
            print(f"segmenters: {json.dumps(figures['segmenters'], ensure_ascii=False)}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ours = {r["jobs"]: r for r in figures["runs"] if r["engine"] == "reportmine"}
    naive = next((r for r in figures["runs"] if r["engine"] == "naive"), None)
    print("\n| run | MB | wall s | cpu s | MB/s | MB/cpu-s | reports/s | peak RSS MB (largest process) | peak PSS MB (all processes) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in figures["runs"]:
        name = f"{r['engine']} jobs={r['jobs']}"
        print(f"| {name} | {r['mb']:.1f} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['mb_per_s']:.3f} | "
              f"{r['mb_per_cpu_s']:.3f} | {r['reports_per_s']:.1f} | {r['peak_rss_mb']:.0f} | "
              f"{r.get('peak_tree_rss_mb', r['peak_rss_mb']):.0f} |")
    if 1 in ours and 2 in ours:
        figures["speedup_1_to_2"] = ours[1]["wall_s"] / ours[2]["wall_s"]
        same = len({r["output_sha256"] for r in ours.values()}) == 1
        figures["outputs_identical"] = same
        print(f"\nspeed-up jobs 1 -> 2: {figures['speedup_1_to_2']:.2f}x; JSONL outputs identical: {same}")
    if naive:
        for j, r in ours.items():
            ratio = r["mb_per_s"] / naive["mb_per_s"]
            figures[f"ratio_vs_naive_jobs{j}"] = ratio
            print(f"reportmine jobs={j} / naive (wall MB/s): {ratio:.2f}x;  per CPU-second: "
                  f"{r['mb_per_cpu_s'] / naive['mb_per_cpu_s']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Properties over arbitrary and report-like text (hypothesis): structure and extraction raise nothing,
every emitted offset maps into the original text and quotes it, normalization is idempotent under every
option, and output is identical across runs and across ``jobs``.

tests/test_normalize.py has the properties of the normalized-to-original map itself; these extend them to
structure (reports, sections, sentences) and extraction (findings, actions).
"""
from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportmine.extract import Extractor
from reportmine.io import Document
from reportmine.normalize import normalize, to_simplified
from reportmine.pipeline import run
from reportmine.structure import iter_reports, split_reports, split_sentences, structure_report

# --------------------------------------------------------------------------- strategies

# lines as they come in reports, in both scripts, with the noise normalization removes
_LINES = [
    "邮政服务质量专项检查工作总结", "郵政服務質量專項檢查工作總結", "关于服务质量检查情况的通报", "第一篇:检查报告", "第二篇：整改报告",
    "市局检查服务部：", "各支局：", "一、检查发现进口的邮件无投递日戳，要求加盖投递日戳。", "二、特快邮件上网不及时。",
    "(一)窗口服务", "（二）投递质量", "1.营业员服务态度差，未执行首问负责制。", "(1)对责任人给予200元罚款。", "第一条 严禁搭售。",
    "第二章 整改措施", "檢查發現郵件積壓，已責令限期整改。", "未发现强迫用户使用高资费业务现象。", "今后，我们将加强检查力度。",
    "保德县邮政局", "二〇〇八年十二月三日", "二00八年十二月三號", "2021年5月20日", "遵邮管〔2021〕52号", "时间：2022-06-28 04:49:53",
    "来源：新华网", "字号 大 中 小", "服(fú)务(wù)质量", "邮 政 服 务", "ＡＢＣ１２３", "检查发现", "的问题，", "", " ", "\u3000",
]
_GLUE = ["\n", "\n", "\n", "\r\n", "\n\n", "", " ", "\u2028", "\t"]
REPORTISH = st.lists(
    st.one_of(st.sampled_from(_LINES), st.sampled_from(_GLUE), st.text(max_size=4)), max_size=40
).map("".join)
CLEAN = st.lists(  # report-like lines without boilerplate
    st.one_of(st.sampled_from([x for x in _LINES if not re.search("来源|字号|时间：", x)]), st.sampled_from(_GLUE)), max_size=40
).map("".join)
ANY_UNICODE = st.text(alphabet=st.characters(exclude_categories=()), max_size=120)  # lone surrogates too
TEXTS = st.one_of(REPORTISH, ANY_UNICODE)
OPTIONS = st.fixed_dictionaries({
    "convert": st.sampled_from(["tw2s", "hk2s", "t2s", "none"]),
    "fullwidth": st.booleans(), "pinyin": st.booleans(), "boilerplate": st.booleans(),
    "cjk_spaces": st.booleans(), "rejoin": st.booleans(),
})
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _reports(text: str):
    return list(iter_reports(Document("mem.txt", text, "utf-8", "txt")))


# --------------------------------------------------------------------------- structure


@PROPS
@given(TEXTS)
def test_structure_raises_nothing_and_every_offset_maps_into_the_original(text):
    n = normalize(text)
    spans = split_reports(n.text)
    assert all(0 <= a <= b <= len(n.text) for a, b in spans)
    assert [a for a, _ in spans] == sorted(a for a, _ in spans)
    reports = _reports(text)
    assert len(reports) == max(1, len(spans))
    for r in reports:
        assert 0 <= r.start <= r.end <= len(text)
        json.dumps(r.to_dict(), ensure_ascii=False)  # serializable
        for s in r.sections:
            assert 0 <= s.start <= s.end <= len(text)
            assert 0 <= s.nstart <= s.nend <= len(r.norm.text)
            assert r.start <= s.start and s.end <= r.end
            for t in s.sentences:
                assert 0 <= t.start <= t.end <= len(text)
                assert s.nstart <= t.nstart <= t.nend <= s.nend
                assert r.norm.text[t.nstart:t.nend] == t.text  # the sentence is its span of normalized text
                assert (t.start, t.end) == r.norm.to_original(t.nstart, t.nend)
                if t.text.strip():
                    assert t.start < t.end  # non-empty text comes from non-empty original text


def _key(s: str) -> str:
    """Text modulo whitespace and script: what a sentence and its original span must share."""
    return squash(to_simplified(s))


def _subsequence(a: str, b: str) -> bool:
    it = iter(b)
    return all(ch in it for ch in a)


@PROPS
@given(TEXTS)
def test_sentences_come_from_their_original_span(text):
    """Each sentence's characters come from original[start:end], in order (modulo whitespace and script):
    normalization only deletes (pinyin, spaces, boilerplate) and converts character for character."""
    for r in _reports(text):
        for s in r.sections:
            for t in s.sentences:
                original = text[t.start:t.end]
                assert _subsequence(_key(t.text), _key(normalize(original, boilerplate=False).text)), (original, t.text)


@PROPS
@given(CLEAN)
def test_sentences_normalize_back_from_their_original_span(text):
    """Without boilerplate, original[start:end] normalizes back to the sentence, modulo whitespace and
    script (whether a short traditional passage is converted depends on the text around it, which the
    span alone does not have; boilerplate is recognised by whole lines, likewise)."""
    for r in _reports(text):
        for s in r.sections:
            for t in s.sentences:
                original = text[t.start:t.end]
                assert _key(normalize(original).text) == _key(t.text), (original, t.text)


@PROPS
@given(ANY_UNICODE, st.integers(0, 200), st.integers(0, 200))
def test_split_sentences_any_bounds_in_range(text, a, b):
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    spans = list(split_sentences(text, a, b))
    assert all(a <= x <= y <= b for x, y in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


@PROPS
@given(TEXTS, st.data())
def test_structure_report_on_any_span(text, data):
    n = normalize(text)
    a = data.draw(st.integers(0, len(n.text)))
    b = data.draw(st.integers(a, len(n.text)))
    r = structure_report(n, (a, b), source="mem.txt", index=0, encoding="utf-8")
    assert 0 <= r.start <= r.end <= len(text)
    for s in r.sections:
        assert a <= s.nstart <= s.nend <= b


# --------------------------------------------------------------------------- normalization


@PROPS
@given(TEXTS, OPTIONS)
def test_normalize_idempotent_under_every_option(text, options):
    once = normalize(text, **options).text
    assert normalize(once, **options).text == once


@PROPS
@given(TEXTS, OPTIONS)
def test_normalize_map_in_bounds_under_every_option(text, options):
    n = normalize(text, **options)
    assert len(n.starts) == len(n.ends) == len(n.text)
    assert all(0 <= s < e <= len(text) for s, e in zip(n.starts.tolist(), n.ends.tolist()))
    a, b = n.to_original(0, len(n.text))
    assert 0 <= a <= b <= len(text)


# --------------------------------------------------------------------------- extraction

_RULES = Extractor(model=None)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTS)
def test_extraction_raises_nothing_and_quotes_its_evidence_exactly(text):
    for r in _reports(text):
        e = _RULES.extract(r)
        d = e.to_dict()
        json.dumps(d, ensure_ascii=False)
        for item in d["findings"] + d["actions"]:
            assert 0 <= item["start"] <= item["end"] <= len(text)
            assert text[item["start"]:item["end"]] == item["original"]
            assert r.start <= item["start"] and item["end"] <= r.end
        for f in d["findings"]:
            assert f["section"] is None or 0 <= f["section"] < len(r.sections)
        for a in d["actions"]:
            assert a["finding"] is None or 0 <= a["finding"] < len(d["findings"])


# --------------------------------------------------------------------------- determinism


def _corpus(tmp_path, seed: int = 7, n: int = 14) -> list[str]:
    """Report-like files from a fixed seed, in the encodings reportmine meets, plus two broken ones."""
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        lines = [rng.choice(_LINES[:4])] + [rng.choice(_LINES) for _ in range(rng.randint(3, 25))]
        text = "\n".join(lines) + "\n"
        enc = rng.choice(["utf-8", "gb18030", "utf-16", "utf-8-sig"])
        p = tmp_path / f"r{i:02d}.txt"
        p.write_bytes(text.encode(enc))
        paths.append(p)
    (tmp_path / "x_empty.txt").write_bytes(b"")
    (tmp_path / "x_binary.txt").write_bytes(bytes(range(256)) * 8)
    return [str(tmp_path)]


def _plain(results) -> list:
    out = []
    for res in results:
        out.append((res.source, res.encoding, res.skipped and (res.skipped.stage, res.skipped.reason),
                    [e.to_dict() for e in res.extractions], [[(f.cue, f.score) for f in e.findings] for e in res.extractions]))
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("generated"))


@pytest.mark.parametrize("use_model", [False, True], ids=["rules", "model"])
def test_output_identical_across_runs_and_jobs(generated, use_model):
    first = _plain(run(generated, jobs=1, use_model=use_model))
    assert len(first) == 16 and sum(r[2] is not None for r in first) == 2
    assert any(r[3] and r[3][0]["findings"] for r in first)
    assert _plain(run(generated, jobs=1, use_model=use_model)) == first
    assert _plain(run(generated, jobs=2, timeout=120, use_model=use_model)) == first
    assert _plain(run(generated, jobs=1, timeout=120, use_model=use_model)) == first  # SIGALRM path

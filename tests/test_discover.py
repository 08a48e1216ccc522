"""Discovery of problems the taxonomy does not name, and the segmenter it uses."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import reportmine as rm
from reportmine import discovery
from reportmine.cli import cli
from reportmine.errors import ReportmineError

from test_aggregate import write_corpus

ORGS = {1: ("保德县邮政分公司", 2019), 2: ("河曲县邮政分公司", 2020), 3: ("偏关县邮政分公司", 2021), 4: ("神池县邮政分公司", 2022)}


def uniform_report(i: int) -> str:
    """Two problems no category names (uniforms; hall hygiene), one named problem (backlog), one negated."""
    org, year = ORGS[i]
    return f"""{year}年营业服务检查报告

一、检查情况
{year}年3月，我公司对各营业网点进行了服务检查，未发现营业员着装不整齐现象。
二、存在的问题
检查发现，第{i}营业厅营业员穿着便服上岗，工作服和工号牌放在更衣柜里。
营业厅环境卫生较差，地面杂物较多，卫生死角清扫不彻底。
检查还发现，城区投递部存在邮件积压问题。

{org}
{year}年4月{i}日
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("uniform"), {f"r{i}.txt": uniform_report(i) for i in ORGS})


@pytest.fixture(scope="module")
def corpus(folder):
    # rules only: what is "unnamed" is what the taxonomy's cues do not name; the learned model may give a
    # category to a sentence without a cue (one trained model took 未佩戴工号牌 for internal_control)
    return rm.load(folder, use_model=False)


@pytest.mark.parametrize(
    "sentence, cue",
    [
        ("检查发现，营业员未按规定穿着工作服。", "检查发现"),
        ("营业厅环境卫生较差。", "较差"),
        ("部分网点报刊分发不及时。", "不及时"),
        ("个别支局存在账目登记混乱的问题。", "存在账目登记混乱的问题"),
        ("未发现营业员着装不规范现象。", None),  # negated
        ("严禁营业员着装不规范。", None),  # requirement
        ("为解决投递不及时的问题，我局开展了专项检查。", None),  # purpose clause
        ("二、存在的问题", None),  # heading
        ("对整改不到位的单位，将予以通报。", None),  # conditional rule
        ("本季度申诉47件，较上季度下降12%。", None),  # not a problem
    ],
)
def test_problem_cue(sentence, cue):
    assert discovery.problem_cue(sentence) == cue


def test_unmatched_sentences_are_the_unnamed_problems(corpus):
    u = corpus.unmatched
    assert len(u) == 8  # per report: uniforms and hygiene; backlog is a category, the negation is none
    assert set(u.groupby("report_id").size()) == {2}
    assert not u["text"].str.contains("积压").any() and not u["text"].str.contains("未发现").any()
    for r in u.itertuples():
        assert Path(r.source).read_text(encoding="utf-8")[r.start:r.end] == r.original


def test_worker_processes_give_the_same_unmatched_sentences(folder, corpus):
    pooled = rm.load(folder, jobs=2, use_model=False)
    cols = ["source", "start", "end", "original", "cue"]
    pd.testing.assert_frame_equal(pooled.unmatched[cols], corpus.unmatched[cols])
    pd.testing.assert_frame_equal(pooled.findings, corpus.findings)


def test_discover_separates_the_two_problems(corpus):
    found = rm.discover(corpus, k=2)
    c = found.clusters
    assert tuple(c.columns) == discovery.CLUSTER_COLUMNS
    assert list(c["size"]) == [4, 4] and list(c["reports"]) == [4, 4] and list(c["n_units"]) == [4, 4]
    terms = [set(t) for t in c["terms"]]
    uniform = next(i for i, t in enumerate(terms) if "工作服" in t)
    hygiene = 1 - uniform
    assert {"工号牌", "便服"} <= terms[uniform] and "卫生死角" in terms[hygiene]
    assert not terms[uniform] & terms[hygiene]
    assert all("工作服" in q for q in c["examples"][uniform])
    assert set(c["units"][uniform]) == {f"{org} (1)" for org, _ in ORGS.values()}
    s = found.sentences
    assert len(s) == 8 and set(s.groupby("cluster").size()) == {4}
    assert s[s["cluster"] == uniform]["text"].str.contains("工作服").all()


def test_discover_chooses_k_and_supports_nmf(corpus):
    assert len(rm.discover(corpus).clusters) == 2  # chosen by silhouette
    nmf = rm.discover(corpus, k=2, method="nmf")
    assert sorted(nmf.clusters["size"]) == [4, 4]
    by_year = rm.discover(corpus, k=2, by="year")
    assert set(by_year.clusters["units"][0]) == {"2019 (1)", "2020 (1)", "2021 (1)", "2022 (1)"}


def test_a_cluster_becomes_a_taxonomy_entry(folder, corpus, tmp_path):
    found = rm.discover(corpus, k=2)
    uniform = next(row.cluster for row in found.clusters.itertuples() if "工作服" in row.terms)
    yaml_text = found.entry(uniform, id="staff_uniform", label="着装不规范", n_cues=3)
    path = tmp_path / "extra.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    extended = rm.load(folder, taxonomy=path, use_model=False)
    t = rm.frequency(extended)
    row = t[t["category"] == "staff_uniform"].iloc[0]
    assert (row["label"], row["reports"]) == ("着装不规范", 4)
    assert len(extended.unmatched) == 4  # only the hygiene sentences are left
    with pytest.raises(ReportmineError):
        found.entry(9, id="x_y", label="x")


def test_discover_small_or_bad_input(tmp_path, corpus):
    empty = rm.discover(rm.load(tmp_path / "none"))
    assert empty.clusters.empty and tuple(empty.clusters.columns) == discovery.CLUSTER_COLUMNS
    assert "cluster" in empty.sentences.columns
    for kwargs in ({"method": "lda"}, {"by": "colour"}, {"k": 0}):
        with pytest.raises(ReportmineError):
            rm.discover(corpus, **kwargs)


def test_cli_discover(folder, tmp_path):
    res = CliRunner().invoke(cli, ["discover", str(folder), "-k", "2", "-q", "--jobs", "1", "--no-model"], catch_exceptions=False)
    assert res.exit_code == 0
    assert res.stdout.count("cluster ") == 2 and "4 sentences in 4 reports" in res.stdout
    assert "工作服" in res.stdout and "「" in res.stdout
    out = tmp_path / "d.xlsx"
    res = CliRunner().invoke(cli, ["discover", str(folder), "-k", "2", "--format", "xlsx", "-o", str(out), "-q", "--jobs", "1", "--no-model"])
    from openpyxl import load_workbook

    assert load_workbook(out).sheetnames == ["clusters", "sentences"]


# --------------------------------------------------------------------------- segmentation


def test_postal_dictionary_is_well_formed():
    from reportmine.segment import domain_words

    words = domain_words()
    assert len(words) >= 300
    assert len({w for w, _, _ in words}) == len(words)
    assert all(freq and freq > 0 and tag for _, freq, tag in words)
    for term in ("投递日戳", "特快专递", "给据邮件", "委代办", "报刊", "11185", "村邮站", "接转点", "快递柜", "实名收寄",
                 "收寄验视", "缺报短刊", "投递段道", "妥投率"):
        assert term in {w for w, _, _ in words}


def _backends() -> list[str]:
    out = ["jieba"]
    try:
        import rjieba  # noqa: F401

        out.append("rjieba")
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("backend", _backends())
def test_domain_terms_stay_whole(backend):
    from reportmine.segment import cut

    tokens = cut("检查发现投递日戳不清，缺报短刊现象突出，村邮站和接转点实名收寄不落实，11185热线妥投率低。", backend=backend)
    for term in ("投递日戳", "缺报短刊", "村邮站", "接转点", "实名收寄", "11185", "妥投率"):
        assert term in tokens, (term, tokens)


def test_segmenter_is_private_quiet_and_caches_in_its_dir(tmp_path):
    code = (
        "import jieba\n"
        "from reportmine.segment import cut, segmenter\n"
        "print(cut('村邮站管理', backend='jieba'))\n"
        "assert segmenter('jieba') is segmenter('jieba')\n"
        "assert not jieba.dt.initialized, 'the global jieba tokenizer was touched'\n"
    )
    env = {**os.environ, "REPORTMINE_CACHE": str(tmp_path)}
    for _ in range(2):  # builds the cache, then reads it
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr
        assert res.stderr == ""  # jieba's logger stays quiet
        assert "村邮站" in res.stdout
    assert (tmp_path / "reportmine-jieba.cache").is_file()


def test_unknown_backend():
    from reportmine.segment import segmenter

    with pytest.raises(ReportmineError):
        segmenter("pkuseg")

"""Discovery of problems the taxonomy does not name.

A sentence that reports a problem (存在…问题, 检查发现…, 不及时, 不规范, 不到位, 未按规定 …) in a clause
where no category was found is where a new recurring problem hides. :func:`problem_sentences` finds them
while a corpus is built (``Corpus.unmatched``); :func:`discover` clusters them (TF-IDF over jieba tokens
with the postal dictionary, then k-means or NMF) so an analyst can turn a cluster into a taxonomy entry.

Tables
------
``Discovery.clusters`` (one row per cluster, largest first)
    cluster (int, 0 = largest), size (sentences), reports (distinct reports), n_units (distinct units),
    terms (tuple of key terms, most weighted first), units (tuple of ``"unit (n)"``, most frequent first),
    examples (tuple of original quotes, most typical first), sources (tuple: the file of each example).
``Discovery.sentences`` (one row per problem sentence)
    the columns of ``Corpus.unmatched``, then cluster (int) and weight (float: similarity to the cluster's
    centre, or NMF loading).
"""
from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Literal

from .errors import ReportmineError

if TYPE_CHECKING:
    import pandas as pd

    from .aggregate import Corpus
    from .extract import Extraction
    from .normalize import Normalized

__all__ = ["Discovery", "discover", "problem_sentences", "problem_cue", "CLUSTER_COLUMNS"]

log = logging.getLogger(__name__)

CLUSTER_COLUMNS = ("cluster", "size", "reports", "n_units", "terms", "units", "examples", "sources")

_PROBLEM = re.compile(
    r"存在(?!的|问题的)[^。；，,]{1,30}?(?:问题|现象|情况|隐患|不足|漏洞|差距)"
    # every alternative opens with a literal character, so that ``re`` skips ahead to the characters that
    # can start one (about 25 times faster than trying each alternative everywhere)
    + "".join(f"|{w}中?发现(?!的|问题)" for w in ("检查", "督查", "抽查", "暗访", "自查", "核查", "稽查", "巡查")) +
    r"|不及时|不规范|不到位|不严格|不严谨|不完善|不健全|不齐全|不完整|不准确|不清晰|不清楚|不符合|不符|不达标|不统一|不落实"
    r"|不按规定|不按要求|不认真|不熟练|不一致|不明确|不合理"
    r"|未按(?:规定|要求|时|址|频次|标准|流程)|未及时|未落实|未执行|未严格|未建立|未配备|未开展|未做到|未能"
    r"|较差|薄弱|滞后|混乱|随意|欠缺|缺乏|缺失|违规|违反|差错|漏洞|偏低|较低|偏少|过长|参差不齐|流于形式|时有发生|屡有发生"
    r"|不熟悉|意见较大|反映强烈|不满意|超出限额|超过规定|超时|逾期|擅自|私自|涂改|漏登|遗漏|出错|错误"
    r"|故障|损坏|失灵|停机|瘫痪|中断|失效|不畅|无法|难以|仍有|仍存在|经常出现|时常"
)
_NEGATED = re.compile(r"(?:未发现|没有发现|未见|未出现|没有出现|未发生|没有发生|不存在|无|杜绝|避免|防止|减少|排除)[^，。；]{0,12}$")
# a requirement: a sentence opening with 要/应/需/须, or one of these anywhere (every alternative opens
# with a literal character, so that ``re`` skips ahead to the characters that can start one)
_REQUIREMENT_OPENING = re.compile(r"^(?:要|应|需|须)")
_REQUIREMENT_ANYWHERE = re.compile(
    r"严禁|禁止|不得|杜绝|必须|务必|应当|要求各|确保|力争|一经发现|一经查实|如发现|若发现|凡发现|一旦发现|如再|"
    r"要加强|应加强|需加强|进一步加强|"
    r"对[^，。；]{2,20}的[^，。；]{0,8}[，,]|"
    r"对[^，。；]{0,14}的(?:单位|企业|网点|人员|个人|员工|支局|部门)[^，。；]{0,8}(?:将|要|予以|给予|依法|一律|纳入)|将于|将在"
)


def _requirement(text: str) -> bool:
    """The sentence states a requirement (严禁…, 要加强…, 对…的单位将…)."""
    return bool(_REQUIREMENT_OPENING.match(text) or _REQUIREMENT_ANYWHERE.search(text))


_PURPOSE = re.compile(r"^(?:为了?|根据|按照|依据|针对|对照|围绕|结合|通过)")
_CLAUSE = re.compile(r"[^，,；;：:。！？!?]+")
_MIN_CHARS = 8


def _cues(text: str) -> Iterator[tuple[re.Match, tuple[int, int]]]:
    """Problem wordings of a sentence with the span they speak of: their clause, or their clause and the
    next when the wording only leads in (检查发现，…). Negated wordings (未发现…, 不存在…) and wordings in a
    purpose clause (为…, 针对…) are left out; requirements are the caller's concern."""
    clauses = starts = None  # computed at the first wording that is not negated
    for m in _PROBLEM.finditer(text):
        if _NEGATED.search(text[max(0, m.start() - 16): m.start()]):
            continue
        if clauses is None:
            clauses = [(c.start(), c.end()) for c in _CLAUSE.finditer(text)]
            starts = [a for a, _ in clauses]
        i = bisect.bisect_right(starts, m.start()) - 1  # clauses are sorted and disjoint: one search, not a scan
        if i < 0 or m.start() >= clauses[i][1]:
            continue
        ca, cb = clauses[i]
        if _PURPOSE.match(text[ca:cb].lstrip()):
            continue
        if len(text[m.end():cb].strip()) < 2 and i + 1 < len(clauses):
            cb = clauses[i + 1][1]
        yield m, (ca, cb)


def problem_cue(text: str) -> str | None:
    """The first problem wording of a sentence that is not a requirement, not negated and not in a
    purpose clause, or None."""
    if _requirement(text):
        return None
    return next((m.group(0) for m, _ in _cues(text)), None)


def problem_sentences(ex: "Extraction", *, norm: "Callable[[], Normalized | None] | None" = None) -> Iterator[dict]:
    """Sentences of a report that state a problem in a clause where no finding (of any category or
    polarity) and no remedial action lies: ``{section, text, original, start, end, cue}`` (offsets into
    the original file). Lead-ins (…存在以下问题：), requirements and reports of type regulation or essay
    are left out.

    The report's normalized text maps clauses to original offsets; a report that came from a worker
    process has none, and ``norm()`` is asked for it (only when a sentence qualifies)."""
    if ex.doc_type in ("regulation", "essay"):
        return  # rules and reflections state no observed problems
    rep = ex.report
    spans = [(f.start, f.end) for f in ex.findings] + [(a.start, a.end) for a in ex.actions]
    mapping = rep.norm
    for si, section in enumerate(rep.sections):
        for sent in section.sentences:
            text = sent.text
            if len(text) < _MIN_CHARS or text.rstrip()[-1:] in "：:" or _requirement(text):
                continue
            for m, (ca, cb) in _cues(text):
                if mapping is None:
                    mapping = norm() if norm is not None else None
                    if mapping is None:
                        log.debug("%s: no normalized text; problem sentences left out", rep.source)
                        return
                oa, ob = mapping.to_original(sent.nstart + ca, sent.nstart + cb)
                if any(a < ob and oa < b for a, b in spans):
                    continue  # a category was found (or ruled out) or a remedy named in this clause
                yield {"section": si, "text": text, "original": mapping.original[sent.start: sent.end],
                       "start": sent.start, "end": sent.end, "cue": m.group(0)}
                break


# --------------------------------------------------------------------------- clustering

_STOP = frozenset("""
存在 问题 现象 情况 发现 检查 督查 抽查 自查 暗访 核查 稽查 巡查 一些 部分 个别 少数 有的 有些 一定 方面 工作 进行 开展 我们
我局 我县 我市 我区 我公司 公司 分公司 支局 邮政局 邮政 单位 部门 企业 其中 以及 及其 等等 主要 没有 还有 仍然 仍 依然 比较
较为 较 有所 时有 发生 屡有 一是 二是 三是 四是 五是 同时 但是 但 而且 并且 对于 关于 通过 由于 因为 所以 如果 因此 本次 此次
这次 该 其 这 那 此 些 个 项 次 名 家 处 起 件 份 月 日 年 今年 去年 上半年 下半年 目前 当前 现在 已经 已 尚 还 也 都 均 又
再 就 才 被 把 将 对 在 于 与 和 及 或 等 的 了 着 过 是 有 无 不 未 能 会 要 应 可 可以 需要 一个 这些 那些 方面 环节 人员
及时 按时 规定 按规定 要求 按要求 规范 不规范 不到位 不及时 到位 严格 不严格 落实 不落实 执行 违规 违反 薄弱 缺失 欠缺 缺乏
混乱 随意 较差 滞后 偏低 较低 偏少 漏洞 差错 擅自 私自 管理 措施 改善 处理 整改 问题 现象 情况 导致 造成 影响
检查发现 存在问题 主要问题 薄弱环节 无法 难以 仍有 仍存在 时常 经常 出现 错误 出错 超时
""".split())
_DATE_TOKEN = re.compile(r"^[〇零一二两三四五六七八九十百\d]+[年月日号]$|^[上中下]旬$")
_TOKEN_OK = re.compile(r"^(?:[\u4e00-\u9fff]{2,}|[A-Za-z]{2,}|1\d{4})$")


def _tokens(text: str, backend: str) -> list[str]:
    from .segment import cut

    return [t for t in cut(text, backend=backend) if _TOKEN_OK.match(t) and t not in _STOP and not _DATE_TOKEN.match(t)]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


@dataclass(frozen=True, eq=False)
class Discovery:
    """Clusters of problem sentences that match no category (columns: see the module docstring)."""

    clusters: "pd.DataFrame"
    sentences: "pd.DataFrame"

    def entry(self, cluster: int, *, id: str, label: str, n_cues: int = 5) -> str:
        """A draft taxonomy entry (YAML for ``rm.load(..., taxonomy=...)``) from a cluster's key terms;
        review the cues before use: single words may match too much."""
        import yaml

        row = self.clusters[self.clusters["cluster"] == cluster]
        if row.empty:
            raise ReportmineError("", f"no cluster {cluster} (clusters: 0..{len(self.clusters) - 1})", stage="discover")
        cues = list(row.iloc[0]["terms"][:n_cues])
        return yaml.safe_dump({"categories": {id: {"label": label, "cues": cues}}}, allow_unicode=True, sort_keys=False)


def discover(
    corpus: "Corpus",
    *,
    k: int | None = None,
    method: Literal["kmeans", "nmf"] = "kmeans",
    by: str = "org",
    n_terms: int = 8,
    n_examples: int = 3,
    seed: int = 0,
    backend: Literal["auto", "jieba", "rjieba"] = "auto",
) -> Discovery:
    """Cluster ``corpus.unmatched`` into ``k`` groups (chosen by silhouette among 2..12 when None).

    Each cluster lists its key terms, size, the units (``by``) it occurs in and its most typical quotes.
    Fewer than four sentences, or too little shared vocabulary, give an empty cluster table."""
    import numpy as np
    import pandas as pd

    from .aggregate import BY_COLUMNS, UNMATCHED_COLUMNS

    if method not in ("kmeans", "nmf"):
        raise ReportmineError("", f"unknown method {method!r} (choose from: kmeans, nmf)", stage="discover")
    if by not in BY_COLUMNS:
        raise ReportmineError("", f"cannot list units by {by!r} (choose from: {', '.join(BY_COLUMNS)})", stage="discover")
    if k is not None and k < 1:
        raise ReportmineError("", "k must be a positive number of clusters", stage="discover")
    sents = corpus.unmatched.drop_duplicates(subset=["report_id", "start"]).reset_index(drop=True)
    empty = Discovery(pd.DataFrame({c: pd.Series(dtype="object") for c in CLUSTER_COLUMNS}),
                      sents.iloc[0:0].assign(cluster=pd.Series(dtype="int64"), weight=pd.Series(dtype="float64")))
    if len(sents) < 4:
        return empty
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [_tokens(t, backend) for t in sents["text"]]
    vec = TfidfVectorizer(analyzer=_identity, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        X = vec.fit_transform(docs)
    except ValueError:  # no term occurs in two sentences
        return empty
    keep = np.asarray(X.sum(axis=1)).ravel() > 0
    if keep.sum() < 4:
        return empty
    sents, X = sents[keep].reset_index(drop=True), X[keep]
    terms = np.array(vec.get_feature_names_out())
    n = X.shape[0]
    if k is None:
        k = _choose_k(X, seed)
    k = max(1, min(k, n))
    if method == "nmf":
        from sklearn.decomposition import NMF

        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=600)
        W = model.fit_transform(X)
        labels = W.argmax(axis=1)
        weight = W[np.arange(n), labels]
        centres = model.components_
    else:
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X)
        labels = model.labels_
        centres = model.cluster_centers_
        weight = np.asarray((X.multiply(centres[labels])).sum(axis=1)).ravel()
    # renumber: largest cluster first
    sizes = np.bincount(labels, minlength=k)
    order = [c for c in sorted(range(k), key=lambda c: (-sizes[c], c)) if sizes[c] > 0]
    new_id = {old: new for new, old in enumerate(order)}
    sents = sents.assign(cluster=[new_id[c] for c in labels], weight=weight.astype(float))
    rows = []
    for old in order:
        cid = new_id[old]
        members = sents[sents["cluster"] == cid].sort_values("weight", ascending=False, kind="stable")
        top = [str(terms[i]) for i in np.argsort(-centres[old], kind="stable")[:n_terms] if centres[old][i] > 0]
        units = members[by].dropna().astype(str).value_counts()
        examples = members.drop_duplicates(subset=["text"]).head(n_examples)
        rows.append({
            "cluster": cid, "size": len(members), "reports": members["report_id"].nunique(), "n_units": len(units),
            "terms": tuple(top), "units": tuple(f"{u} ({c})" for u, c in units.items()),
            "examples": tuple(examples["original"]), "sources": tuple(examples["source"]),
        })
    clusters = pd.DataFrame(rows, columns=list(CLUSTER_COLUMNS))
    sentences = sents[[*UNMATCHED_COLUMNS, "cluster", "weight"]].sort_values(["cluster", "weight"], ascending=[True, False], kind="stable")
    return Discovery(clusters, sentences.reset_index(drop=True))


def _choose_k(X, seed: int) -> int:
    """The k in 2..12 (at most n/3) with the best cosine silhouette; 1 when there are too few rows."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = X.shape[0]
    hi = min(12, n // 3)
    if hi < 2:
        return 1
    best_k, best = 2, -2.0
    for k in range(2, hi + 1):
        labels = KMeans(n_clusters=k, n_init=5, random_state=seed).fit_predict(X)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(X, labels, metric="cosine", random_state=seed)
        if score > best + 1e-9:
            best_k, best = k, score
    return best_k

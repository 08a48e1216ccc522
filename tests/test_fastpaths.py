"""The fast paths of the rules pipeline give exactly what the plain code they replace gives.

Each speed-up (a regex rewritten so that ``re`` can skip ahead, a pattern tried only where a match can
start, a prefilter on words every match needs, a count done with numpy ...) is checked here against a
reference implementation written the plain way (the code before the speed-up), on arbitrary and on
report-like text (hypothesis).
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportmine import (cleaning, discovery, doctype, extract, line_kinds, normalize, numbering, polarity, script, sections,
                        structure, taxonomy)
from reportmine.dates import DATE_RE
from reportmine.edits import _apply_edits
from reportmine.extract import Extractor, Finding

PROPS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

# characters the rules look at, plus noise: CJK words of the cue lists and patterns, brackets, quotes,
# sentence ends, spaces of every kind, digits, pinyin, line breaks
_ALPHABET = (
    "检查发现存在问题邮件包裹未没有不无及时投递延误处理罚款元给予要求严禁应当是否有无今后将下一步第一二三章节条篇"
    "年月日号〇零时间来源字号大中小服务质量用户投诉情况现象的了为对整改上述该中华民国"
    "（）()《》“”‘’「」『』。，、；：！？;:!?,.-—–>»›&gt /|｜©"
    "  \t\u00a0\u3000\n\r"
    "0123456789０１２３ＡＢabcdezhüāáǎàōòūù?？\ufffd"
)
TEXT = st.text(alphabet=_ALPHABET, max_size=200)
WORDS = st.lists(st.sampled_from([
    "检查发现", "存在以下问题", "未按规定", "不及时", "邮件", "积压", "服(fú)务(wù)", "我 的 是", "一、", "（二）", "1.", "2.3",
    "第三章", "第九条", "第二篇：", "关于检查情况的通报", "二〇〇八年十二月三日", "2021年5月20日", "时间：2022-06-28", "字号 大 中 小", "首页 > 新闻",
    "。", "；", "\n", "\n\n", " ", "  ", "\u3000", "“", "”", "《规定》", "给予罚款200元", "不存在", "要加强", "应", "是否",
]), max_size=30).map("".join)
TEXTS = st.one_of(TEXT, WORDS)


# --------------------------------------------------------------------------- normalize


@PROPS
@given(TEXTS)
def test_pinyin_edits_are_the_pattern_matches(text):
    assert cleaning._edits_remove_pinyin(text) == [(m.start(), m.end(), "") for m in cleaning._PINYIN_RE.finditer(text)]


_CJK = script.CJK
_CJK_SPACE_OLD = re.compile(  # the pattern with its look-behinds before the space
    f"(?<=[{_CJK}，。、；：！？“”（）《》,;:?!])(?<![ \t\u00a0\u3000][ \t\u00a0])[ \t\u00a0](?![ \t\u00a0\u3000])(?=[{_CJK}，。、；：！？“”《》])"
)


@PROPS
@given(TEXTS)
def test_cjk_space_edits_as_before(text):
    expected = []
    for m in _CJK_SPACE_OLD.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].strip():
            expected.append((m.start(), m.end(), ""))
    assert cleaning._edits_remove_cjk_spaces(text) == expected


@PROPS
@given(st.one_of(st.text(max_size=300), st.text(alphabet=st.characters(exclude_categories=()), max_size=60)))  # surrogates too
def test_script_counts_are_the_character_counts(text):
    trad, simp = script._script_sets()
    assert script._script_counts(text) == (sum(c in trad for c in text), sum(c in simp for c in text))


@PROPS
@given(st.lists(st.sampled_from(["郵政服務", "邮政服务", "檢查發現", "显著", "隨著", "的", "，", "。", "\n", "\n\n", "abc"]), max_size=20).map("".join))
def test_convert_lines_converts_the_lines_mostly_traditional(text):
    trad, simp = script._script_sets()

    def balance(s):
        return sum(c in trad for c in s) - sum(c in simp for c in s)

    def clauses(line):  # mostly traditional clauses whole, elsewhere traditional-only characters alone
        out = line
        for m in re.finditer(r"[^。！？；，、：:;,!?]+[。！？；，、：:;,!?]*", line):
            a, b = m.span()
            seg = normalize.to_simplified(line[a:b]) if balance(line[a:b]) > 0 else "".join(
                normalize.to_simplified(c) if c in trad else c for c in line[a:b])
            out = out[:a] + seg + out[b:]
        return out

    expected = "\n".join(normalize.to_simplified(line) if balance(line) > 0 else clauses(line) for line in text.split("\n"))
    assert script._convert_lines(text, "tw2s") == expected


@PROPS
@given(st.text(alphabet="ab\n\r\x0b\x0c\x1c\u2028\u2029\x85", max_size=40))
def test_lines_are_splitlines_with_offsets(text):
    pos, expected = 0, []
    for line in text.splitlines(keepends=True):
        expected.append((pos, pos + len(line), line))
        pos += len(line)
    assert cleaning._lines(text) == expected


def _apply_edits_plain(text, edits):
    kept_edits, pos = [], 0
    for a, b, rep in edits:
        if a >= pos:
            kept_edits.append((a, b, rep))
            pos = b
    parts, pos = [], 0
    for a, b, rep in kept_edits:
        parts += [text[pos:a], rep]
        pos = b
    parts.append(text[pos:])
    n = len(text)
    cuts = np.zeros(n + 1, dtype=np.int64)
    np.add.at(cuts, np.array([e[0] for e in kept_edits], dtype=np.int64), 1)
    np.add.at(cuts, np.array([e[1] for e in kept_edits], dtype=np.int64), -1)
    kept = np.flatnonzero(np.cumsum(cuts)[:n] == 0)
    reps = [(a, b, rep) for a, b, rep in kept_edits if rep]
    if not reps:
        return "".join(parts), kept, kept + 1
    rep_start = np.array([a for a, b, rep in reps for _ in rep], dtype=np.int64)
    rep_end = np.array([max(b, a + 1) for a, b, rep in reps for _ in rep], dtype=np.int64)
    order = np.argsort(np.concatenate([kept * 2 + 1, rep_start * 2]), kind="stable")
    return "".join(parts), np.concatenate([kept, rep_start])[order], np.concatenate([kept + 1, rep_end])[order]


@PROPS
@given(st.text(alphabet="abc", max_size=30),
       st.lists(st.tuples(st.integers(0, 30), st.integers(0, 4), st.sampled_from(["", "x", "yz"])), min_size=1, max_size=8))
def test_apply_edits_as_with_add_at(text, raw):
    edits = sorted((min(a, len(text)), min(a + w, len(text)), rep) for a, w, rep in raw)
    got, want = _apply_edits(text, edits), _apply_edits_plain(text, edits)
    assert got[0] == want[0] and got[1].tolist() == want[1].tolist() and got[2].tolist() == want[2].tolist()


def test_boilerplate_gates_need_the_words():
    res = cleaning._boilerplate_res(())
    block_re, inline_re, tail_re = res.block, res.inline, res.tail
    assert not cleaning._may_match(block_re, "邮政服务质量检查")
    assert cleaning._may_match(block_re, "相关文档")
    assert cleaning._may_match(inline_re, "标题 字号：大 中 小")
    assert not cleaning._may_match(tail_re, "邮政服务质量检查")
    assert cleaning._may_match(tail_re, "网友评论(3)")


# --------------------------------------------------------------------------- structure


def _split_sentences_plain(text, start, end):
    pos = depth = 0
    pos = i = start
    while i < end:
        ch = text[i]
        if ch in sections._OPEN_Q:
            depth += 1
        elif ch in sections._CLOSE_Q:
            depth = max(0, depth - 1)
        if ch == "\n" or (depth == 0 and ch in "。！？；!?;"):
            j = i + 1
            while j < end and text[j] in "。！？；!?;”’」』":
                j += 1
            if ch == "\n":
                depth, j, stop = 0, i + 1, i
            else:
                stop = j
            a, b = pos, stop
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                yield a, b
            pos = i = j
            continue
        i += 1
    a, b = pos, end
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        yield a, b


@PROPS
@given(TEXTS, st.integers(0, 10), st.integers(0, 10))
def test_split_sentences_as_the_character_loop(text, cut_a, cut_b):
    start, end = min(cut_a, len(text)), max(min(cut_a, len(text)), len(text) - cut_b)
    assert list(structure.split_sentences(text, start, end)) == list(_split_sentences_plain(text, start, end))


@PROPS
@given(TEXTS)
def test_date_line_as_a_search(text):
    for line in text.split("\n") + [text]:
        m = DATE_RE.search(line)
        expected = bool(m) and m.start() <= 2 and len(line.strip()) - (m.end() - m.start()) <= 3
        assert line_kinds._is_date_line(line) == expected


@PROPS
@given(TEXTS)
def test_number_at_as_trying_every_style(text):
    for line in text.split("\n"):
        s = line.lstrip()
        expected = None
        for style, pat in numbering._NUMBER_STYLES:
            m = pat.match(s)
            if m and (style != "cn" or not re.match(rf"[{numbering._CN}]+[是般要]", s)):
                rest = s[m.end():]
                if rest[:1] in "》」”』)）":
                    continue
                if style == "num" and rest.startswith(numbering._UNITS) or style == "num2" and rest.startswith(numbering._UNITS2):
                    continue
                expected = (style, m.span())
                break
        got = numbering._number_at(line)
        assert (got and (got[0], got[1].span())) == expected


@PROPS
@given(TEXTS)
def test_line_pieces_as_with_every_break_searched(text):
    for a, b in numbering._lines(text, 0, len(text)):
        cuts = [a] + [a + m.start() for m in numbering._INLINE_BREAK.finditer(text[a:b]) if m.start() > 0] + [b]
        expected = []
        for x, y in zip(cuts, cuts[1:]):
            m = numbering._HEAD_THEN_ITEM.match(text[x:y])
            if m and x + m.end() < y:
                mid = x + m.end()
                expected.append((x, mid))
                while mid < y and text[mid].isspace():
                    mid += 1
                x = mid
            if y > x:
                expected.append((x, y))
        assert numbering._line_pieces(text, a, b) == expected


def _split_reports_plain(text):
    lines = numbering._lines(text, 0, len(text))
    marks = [a for a, b in lines if numbering.PIECE_MARK.match(text[a:b])]
    cuts = []
    if marks:
        dated = any(line_kinds._is_date_line(text[a:b]) for a, b in lines if b <= marks[0])
        cuts = marks if len(text[: marks[0]].strip()) > 80 and dated else marks[1:]
    else:
        nonblank = [(a, b) for a, b in lines if text[a:b].strip()]
        for i, (a, b) in enumerate(nonblank[:-1]):
            na, nb = nonblank[i + 1]
            if line_kinds._repeated_title(text[a:b], text[na:nb]):
                cuts.append(a)
                continue
            if not line_kinds._is_date_line(text[a:b]):
                continue
            j = i + 1
            while j < len(nonblank) and line_kinds._CLOSING_TAIL.match(text[nonblank[j][0]: nonblank[j][1]]):
                j += 1
            if j >= len(nonblank):
                break
            na, nb = nonblank[j]
            rest = text[na:]
            if line_kinds._title_like(text[na:nb]) and len(rest.strip()) >= 150 and DATE_RE.search(rest):
                cuts.append(na)
        kept = []
        for c in sorted(set(cuts)):
            if c > 0 and structure._substantial(text[(kept[-1] if kept else 0): c]):
                kept.append(c)
        cuts = kept
    bounds = [0] + sorted(set(cuts)) + [len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()] or [(0, len(text))]


_DATED = st.lists(st.sampled_from(["关于检查情况的通报", "二〇〇八年十二月三日", "2021年5月20日", "抄送：市局", "第一篇", "\n", "\n",
                                   "检查发现邮件积压，投递不及时，已责令整改。" * 4, "  "]), max_size=40).map("".join)


@PROPS
@given(st.one_of(TEXTS, _DATED))
def test_split_reports_as_before(text):
    assert structure.split_reports(text) == _split_reports_plain(text)


def test_split_reports_at_a_date_then_a_title():
    body = "检查发现邮件积压，投递不及时，已责令整改。" * 4
    text = f"关于检查情况的通报\n{body}\n2021年5月20日\n关于检查情况的通报\n{body}\n{body}\n二〇〇八年十二月三日\n"
    assert structure.split_reports(text) == _split_reports_plain(text) == [(0, 106), (106, len(text))]


@PROPS
@given(TEXTS)
def test_logical_lines_with_a_memo_as_without(text):
    memo: dict = {}
    for start in (0, len(text) // 3, len(text) // 2):
        assert numbering._logical_lines(text, start, len(text), memo) == numbering._logical_lines(text, start, len(text))


# --------------------------------------------------------------------------- discovery and polarity

_PROBLEM_OLD = re.compile(discovery._PROBLEM.pattern.replace(
    "".join(f"|{w}中?发现(?!的|问题)" for w in ("检查", "督查", "抽查", "暗访", "自查", "核查", "稽查", "巡查")),
    "|(?:检查|督查|抽查|暗访|自查|核查|稽查|巡查)中?发现(?!的|问题)",
))
_REQUIREMENT_OLD = re.compile(
    r"严禁|禁止|不得|杜绝|必须|务必|应当|要求各|确保|力争|一经发现|一经查实|如发现|若发现|凡发现|一旦发现|如再|"
    r"^(?:要|应|需|须)|[要应需]加强|进一步加强|"
    r"对[^，。；]{2,20}的[^，。；]{0,8}[，,]|"
    r"对[^，。；]{0,14}的(?:单位|企业|网点|人员|个人|员工|支局|部门)[^，。；]{0,8}(?:将|要|予以|给予|依法|一律|纳入)|将于|将在"
)


def test_problem_pattern_rewrite_is_the_same_alternation():
    assert _PROBLEM_OLD.pattern != discovery._PROBLEM.pattern
    assert "(?:检查|督查" in _PROBLEM_OLD.pattern


@PROPS
@given(TEXTS)
def test_problem_and_requirement_patterns_as_before(text):
    assert [m.span() for m in discovery._PROBLEM.finditer(text)] == [m.span() for m in _PROBLEM_OLD.finditer(text)]
    assert discovery._requirement(text) == bool(_REQUIREMENT_OLD.search(text))


@PROPS
@given(TEXTS)
def test_firm_requirement_is_the_clause_context_one(text):
    assert polarity.firm_requirement(text) == polarity.clause_context(text).firm_req


# --------------------------------------------------------------------------- taxonomy patterns


def _all_patterns():
    tax = taxonomy.default_taxonomy()
    return [(cid, pat) for kind in ("categories", "actions") for cid, pat in tax.compiled_patterns(kind)]


@PROPS
@given(st.lists(st.sampled_from(
    ["邮件", "包裹", "未", "没有", "及时", "处理", "投递", "延误", "3天", "才投", "给予", "罚款", "200元", "行政处罚", "依据《邮政法》",
     "投诉", "超过", "时限", "，", "。", "的", "日戳", "不清", "系统", "签收", "但", "设备", "故障", "缺", "2人", "签字", "收取“", "费”"]
), max_size=14).map("".join))
def test_required_literals_hold_for_every_match(text):
    for _cid, pat in _all_patterns():
        groups = taxonomy.required_literals(pat.pattern)
        for m in pat.finditer(text):
            assert all(any(w in m.group(0) for w in g) for g in groups), pat.pattern


def test_gated_matches_are_all_the_matches():
    text = "检查发现邮件积压3天未处理，投递不及时，包裹破损；依据《邮政法》给予罚款200元的行政处罚。系统显示签收但实际未投。"
    ex = Extractor(model=None)
    auto, gated = extract._automaton(ex.taxonomy)
    found = {(m[0], m[1], m[3]) for m in ex._matches(text, 0, len(text)) if m[4] == "cue"}
    for kind in ("categories", "actions"):
        for cid, pat, _need, _other in gated[kind]:
            for m in pat.finditer(text):
                assert any(s <= m.start() and m.end() <= e and c == cid for s, e, c in found), (cid, m.group(0))


@pytest.mark.parametrize("pattern,groups", [
    ("(未|没有)(?:加盖|盖)[^，]{0,6}(?:日戳|邮戳)", (("未", "没有"), ("加盖", "盖"), ("日戳", "邮戳"))),
    ("x(?=y)z", (("x",), ("z",))),
    ("a?b+c*", (("b",),)),
    ("(?:foo){e<=1}", ()),  # regex's fuzzy matching: the standard parser would read literals
    ("[[:alpha:]]x", ()),
    ("(?i)abc", ()),
    ("a(?i:b)", ()),
    (r"\p{Han}x", ()),
])
def test_required_literals(pattern, groups):
    assert taxonomy.required_literals(pattern) == groups


def test_required_literals_of_re_patterns_read_punctuation_and_skip_case_folding():
    assert taxonomy.required_literals("ab(?i:cd)ef", flavour="re") == (("ab",), ("ef",))
    assert taxonomy.required_literals("a[-x]b", flavour="re") == (("a",), ("-", "x"), ("b",))
    assert taxonomy.required_literals("a[-x]b") == ()


# --------------------------------------------------------------------------- extraction


def _link_plain(findings, section_index, sent_span, action_start):
    sa, sb = sent_span
    same_sentence = [i for i, f in enumerate(findings) if sa <= f.start < sb and f.start <= action_start and f.polarity == "found"]
    if same_sentence:
        return same_sentence[-1]
    same_section = [i for i, f in enumerate(findings) if f.section == section_index and f.polarity == "found" and f.start <= action_start]
    return same_section[-1] if same_section else None


@PROPS
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["found", "not_found", "requirement"]), st.integers(0, 3)), max_size=12),
       st.integers(0, 3), st.integers(0, 40), st.integers(0, 20), st.integers(0, 45))
def test_linker_as_the_scan(raw, section, sa, width, action_start):
    findings = sorted((Finding("c", pol, "", "", s, s + 1, sec, "") for s, pol, sec in raw), key=lambda f: (f.start, f.category, f.polarity))
    link = Extractor._linker(findings)
    assert link(section, (sa, sa + width), action_start) == _link_plain(findings, section, (sa, sa + width), action_start)


@PROPS
@given(st.lists(st.sampled_from(["关于", "检查", "报告", "通报", "管理办法", "办法", "心得体会", "（2021）", "【通报】", "的", "总结",
                                  "检查检查", "整改", "方案", "整改方案", "工作"]), max_size=8).map("".join), st.booleans())
def test_doc_type_by_title_as_every_word_searched(title, signed):
    t = doctype._PAREN.sub("", title).strip()
    best = None
    cues = polarity.cue_lists()
    lists = [cues["doc_type_title"]] + ([cues["doc_type_title_signed"]] if signed else [])
    for table in lists:
        for dtype, words in table.items():
            for w in words:
                for m in re.finditer(re.escape(w), t):
                    key = (m.end(), len(w), dtype)
                    if best is None or key[:2] > best[:2]:
                        best = key
    assert doctype.doc_type_by_title(title, signed=signed) == (best[2] if best else None)


def test_candidates_are_the_rows():
    from reportmine.io import Document
    from reportmine.structure import iter_reports

    text = "检查发现：一、邮件积压未处理，投递不及时；二、未发现强迫用户使用高资费业务现象。对责任人给予200元罚款。\n今后将加强管理。"
    ex = Extractor(model=None)
    for r in iter_reports(Document("m.txt", text, "utf-8", "txt")):
        rows = list(ex._candidate_rows(r))
        assert rows and [tuple(c.__dict__.values()) for c in ex.candidates(r, "other")] == rows

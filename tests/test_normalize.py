"""reportmine.normalize: each cleaning step, script conversion, and the offset map (with properties)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportmine.errors import ReportmineError
from reportmine.normalize import (
    detect_script,
    fullwidth_to_halfwidth,
    normalize,
    rejoin_lines,
    remove_cjk_spaces,
    remove_pinyin,
    strip_boilerplate,
    to_simplified,
)

# --------------------------------------------------------------------------- pinyin


@pytest.mark.parametrize(
    "text, expected",
    [
        ("加強服務(wù)質量", "加強服務質量"),
        ("郵(yóu)件", "郵件"),
        ("版權(quán)說(shuō)明", "版權說明"),
        ("文檔簡(jiǎn)介", "文檔簡介"),
        ("我们的(de)工作", "我们的工作"),
        ("简（jiǎn）介", "简介"),
        ("服(wù)(wù)务", "服务"),  # a run of annotations goes at once
        ("律(lǜ)师", "律师"),
        ("確??蛻粜畔ⅰI(yè)務", "確??蛻粜畔ⅰI務"),  # mojibake: toned pinyin after a Latin letter
        ("反饋?zhàn)R別", "反饋?R別"),  # mojibake ate the opening bracket
    ],
)
def test_remove_pinyin(text, expected):
    assert remove_pinyin(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "第(一)部分",
        "管理办法(討論稿)",
        "储蓄活期存折(卡)账户",
        "通知(2008)",
        "客户关系管理系统(CRM)",
        "六西格玛(SixSigma)",
        "hello (world)",
        "see (de) here",  # toneless syllable not after a CJK character
        "Le Café (café)",  # accented word after a space
        "支局(所)长",
        "（一）检查情况",
    ],
)
def test_keep_brackets_that_are_not_pinyin(text):
    assert remove_pinyin(text) == text


# --------------------------------------------------------------------------- spaces


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我们 的服务", "我们的服务"),
        ("随着市场竞争 的日益激烈, “服务是影响顾客 的关键因素”", "随着市场竞争的日益激烈,“服务是影响顾客的关键因素”"),
        ("当 我们走进", "当我们走进"),
        ("服务\t质量", "服务质量"),
        ("感 谢 信", "感谢信"),
        ("hello world", "hello world"),
        ("邮政 APP 服务", "邮政 APP 服务"),
        ("共 8 个要素", "共 8 个要素"),
        ("  我们的服务", "  我们的服务"),  # indentation stays
        ("会宁县邮政分公司  投递员  李建军", "会宁县邮政分公司  投递员  李建军"),  # deliberate separators
        ("南关支局\u3000投递员\u3000张建军", "南关支局\u3000投递员\u3000张建军"),
    ],
)
def test_remove_cjk_spaces(text, expected):
    assert remove_cjk_spaces(text) == expected


# --------------------------------------------------------------------------- line rejoining


@pytest.mark.parametrize(
    "text, expected",
    [
        # a sentence broken in the middle is rejoined (the first line is the title and stays)
        ("标题\n检查发现进口的邮件无投递日戳，要求对进口的信件和包裹\n详情单加盖投递日戳。", "标题\n检查发现进口的邮件无投递日戳，要求对进口的信件和包裹详情单加盖投递日戳。"),
        ("标题\n4.稽核检查。储汇稽查按规定的频次对中间业务稽\n查，填写稽查报告书。", "标题\n4.稽核检查。储汇稽查按规定的频次对中间业务稽查，填写稽查报告书。"),
        ("标题\n4.稽核。按频次对业务稽\n查。", "标题\n4.稽核。按频次对业务稽查。"),  # short, but a sentence inside
        ("标题\n第三条\n各盟市分公司应根据本办法制定管理办法。", "标题\n第三条各盟市分公司应根据本办法制定管理办法。"),
        ("标题\nThe inspection found that the\nwindow was closed.", "标题\nThe inspection found that the window was closed."),
    ],
)
def test_rejoin_broken_lines(text, expected):
    assert rejoin_lines(text) == expected


@pytest.mark.parametrize(
    "next_line",
    [
        "一、加强管理",
        "（一）建立健全内控制度",
        "(二)业务管理",
        "1.账务管理。",
        "2、人员配备。",
        "(3)城市投递部每周检查。",
        "第二条 营业、投递是邮政两大基础服务平台。",
        "第二章 监督检查体系",
        "第二篇:邮政服务质量管理专项检查工作总结",
        "保德县邮政局",
        "二〇〇八年十二月三日",
        "2008年12月3日",
        "中華民國113年5月17日",
        "遵邮管〔2021〕52号",
        "各快递企业遵义分公司：",
        "- 相关文档",
    ],
)
def test_no_rejoin_before_heading_item_signature_or_date(next_line):
    text = "标题\n检查发现进口的邮件无投递日戳，要求对进口的信件和包裹加盖日戳后\n" + next_line
    assert rejoin_lines(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "一篇很长的文章标题没有任何标点符号也有二十五个字以上的长度呢\n正文从这里开始，继续写下去。",  # first line = title
        "标题\n(三)、银行账户管理\n我局拟在城市信用社开立保险代理业务资金专用账户。",  # a short numbered heading
        "标题\n存在的问题\n窗口搭售贺卡。",  # a short label
        "标题\n检查发现进口的邮件无投递日戳。\n要求加盖日戳。",  # sentence ended
        "标题\n检查发现：\n一是日戳不清。",
        # rows of a list with the same label (a Word table copied as lines), each without a full stop
        "标题\n检查项目：营业时间　检查结果：8个网点均按公示时间开门营业\n检查项目：资费执行　检查结果：未发现超标准收费",
        "标题\n问题：部分快件未按址投递，直接放在驿站\n问题：面单信息未做隐私处理",
        # fields of a form, each a short label and value (a signature block, a record's header)
        "标题\n检查人：陈○○、林○○\n受检单位主管：黄○○",
        "标题\n约谈人：市场监管科科长黄某\n被约谈人：某某快递柳州分公司总经理陈某\n记录人：覃某",
    ],
)
def test_no_rejoin_after_title_label_or_sentence_end(text):
    assert rejoin_lines(text) == text


# --------------------------------------------------------------------------- boilerplate

BODY_TOP = "保德县邮政局服务质量自查报告"
BODY = "一、检查发现进口的邮件无投递日戳，已责令整改。"


@pytest.mark.parametrize(
    "junk",
    [
        "時間:2022-06-28 04:49:53",
        "时间：2022-06-28",
        "導語:郵政局提高服務質量實施意見一文來源於網友上傳，不代表本站觀點。",
        "来源：XX文秘网",
        "字号：大 中 小",
        "字號 【大】【中】【小】",
        "发布时间：2022-08-03 16:22:48",
        "温馨提示：",
        "2、下载文档前请自行甄别文档内容的完整性，平台不提供额外的编辑服务。",
        "- 2、“仅部分预览”的文档，不可在线预览部分如存在完整性等问题，可反馈申请退款。",
        "3、如文档侵犯您的权益，请联系客服反馈，我们会尽快为您处理。",
        "时间：xxxx-xx-xx　　作者：佚名　　栏目：自查报告",
        "范文网 >> 工作报告 >> 自查报告",
        "xx范文网 - 范文大全_工作总结_心得体会_整改报告",
        "本文由某某范文网整理发布，转载请注明出处。",
        "本文来源于某某范文网，欢迎转载，转载请注明出处。",
        "【本文由本站用户整理上传，下载后可自由编辑】",
        "下载提示：本文为网友分享，仅供学习参考，请勿照搬照抄。",
        "点击下载本文Word文档 ▶　　复制本文链接",
        "本文共1页，约1400字　｜　上传者：xx　｜　下载积分：2",
        "2022-xx-xx　　本文已影响2408人",
        "评论 0/150",
        "扫一扫在手机打开当前页",
        "版權(quán)說(shuō)明：本文檔由用戶提供並上傳，收益歸屬內容提供方",
        "文档简介：按照分公司统一部署，我部于12月1日至10日对投递段进行了自查…",
        "格式：DOC  上传日期：2022-11-02 09:13:45",
        "首页 > 工作总结 > 自查报告",
        "Copyright © 2016-2021 邮政文档分享网 All Rights Reserved",
        "下面是小编为大家整理的(心得体会)邮政企业提高服务质量心得体会(全文),供大家参考。",
        "- 12 -",
        "当前位置：首页 > 政务公开 > 监管动态",
        "利川市邮政分公司 > 工作动态",
        "中 小",
        "首页 | 机构概况 | 政务公开 | 行业监管 | 网上办事 | 公众参与",
        "首页   寄件服务   运费时效   网点查询   新闻中心   关于我们",
        "国家邮政局　|　某省邮政管理局　|　某市人民政府　|　12305邮政业用户申诉",
        "信息来源：县邮政分公司　　发布日期：2022-11-08 09:31　　浏览量：431",
        "发布单位:消费者保护官室   发布日期:112-10-26   点阅次数:2,315",
        "【我要纠错】　【打印】　【关闭】",
        "[ 大中小 ]  [ 打印 ]  [ 关闭 ]",
        "【上一篇】某县召开安全生产会议【下一篇】某县开展宣传活动",
        "湘ICP备xxxxxxxx号   技术支持:某某网络科技有限公司",
        "主办：某县人民政府办公室　　承办：某县融媒体中心",
        "建议使用1024×768分辨率浏览  网站维护:某某信息技术有限公司",
        "某市政府版权所有 © 2023 某市政府",
        "索　引　号：xxxxxxxxx/2021-xxxxx",
        "索引号：xxxxxxxxx/2024-xxxxxx　　　　信息分类：交通运输",
        "发文日期：2024-11-29　　　　主题分类：邮政快递",
        "文号：剑邮〔2024〕xx号　　　　是否有效：是",
        "关键词：营业窗口；代理金融；自查",
        "相关链接：某县人民政府　|　某州人民政府　|　中国政府网",
        "回到页首",
        "声明：本站所有文章资源内容，如无特殊说明，均为网友投稿或采集网络资源。版权所有 © xxxx 某某范文网",
        "【免责声明】本站内容均来源于网络，仅供学习参考，如有侵权请联系删除。",
        "本文由网友投稿，如有侵权请联系删除。Copyright © xxxx 某某范文网 版权所有",
        "某某范文网 > 工作报告 > 自查报告 > 邮政营业所服务规范自查自纠报告",
        "（本文来源于网络，如有侵权请联系删除）",
        "(本文内容来自网络整理，如有侵权请及时联系删除)",
        "↓↓↓ 点击下方“继续阅读”查看更多营业所自查报告 ↓↓↓",
        "展开阅读全文",
        "导读：自查报告怎么写？下面是小编整理的邮政网点自查报告，欢迎阅读。",
        "邮政网点服务质量自查报告_某某文库",
        "4.8分（96人评价）　　3.5万次阅读　　812次下载",
        "下载文档需要3个下载券，VIP会员免费下载",
        "标签：自查报告　邮政　营业所",
        "本文链接：http://www.example.com/fanwen/123.html",
        "（本文仅供参考，未经允许不得转载）",
        "喜欢这篇文章？点个赞吧（15）",
        "本文共计约1800字，预计阅读时间5分钟",
    ],
)
def test_strip_boilerplate_lines(junk):
    out = normalize(f"{BODY_TOP}\n{junk}\n{BODY}").text
    assert out == f"{BODY_TOP}\n{BODY}"


@pytest.mark.parametrize(
    "block",
    [
        "最新文档\n- 2022~2023测绘职业技能鉴定考试题库及答案第876期\n- 职业健康科普传播的媒介选择策略-1\n"
        "- 黄冈2025年湖北麻城市城区学校选调乡镇教师150人笔试历年参考题库附带答案详解\n- 兒童出入境委託書",
        "最新文档\n· 2022年邮政网点服务质量提升方案\n· 县邮政分公司年度工作报告",
        "温馨提示\n- 1. 本站所有资源如无特殊说明，都需要本地电脑安装OFFICE2007和PDF阅读器。\n- 2. 本站的文档不包含任何第三方提供的附件图纸等。",
        "温馨提示：\n1、本文档内容由用户上传，如有侵权请联系删除。\n2、下载文档前请自行甄别文档内容的完整性。\n扫一扫在手机打开当前页\n评论 0/150",
        "评论\n0/150\n提交评论",
        "首页\n工作总结\n工作计划\n述职报告\n登录\n注册",
        "相关链接：\n·县邮政分公司开展宣传周活动\n·关于公布营业时间的公告",
        "相关文档推荐:\n· 快递网点安全生产自查报告范文\n· 寄递渠道安全管理工作汇报(3篇)",
        "猜你喜欢：\n邮政网点服务自查报告　｜　营业员个人工作总结　｜　优质服务心得体会范文\n本站文章均来自网络，仅供参考。",
        "网友评论(2)    我要评论\n用户甲  2024-04-12 19:03\n早就该查了，上个月多收了我纸箱钱。\n用户乙  2024-04-13 08:41\n希望其他营业部也查一查。",
    ],
)
def test_strip_boilerplate_blocks_at_the_end(block):
    text = f"{BODY_TOP}\n{BODY}\n保德县邮政局\n二〇〇八年十二月三日\n{block}\n"
    assert normalize(text).text.rstrip("\n") == f"{BODY_TOP}\n{BODY}\n保德县邮政局\n二〇〇八年十二月三日"


@pytest.mark.parametrize("before", ["", "相关链接：\n·县邮政分公司开展宣传周活动\n"])  # a link list open above
def test_comments_end_where_a_next_document_begins(before):
    comments = "网友评论(1)\n用户甲  2024-04-12 19:03\n早就该查了。\n"
    nxt = "关于邮件积压问题的通报\n一、检查发现邮件积压。"
    text = f"{BODY_TOP}\n{BODY}\n{before}{comments}{nxt}"
    assert normalize(text).text == f"{BODY_TOP}\n{BODY}\n{nxt}"


@pytest.mark.parametrize("marker", ["篇二：某某快递某某网点服务质量自查报告", "【第2篇】", "范文三", "第二篇：营业所自查报告"])
def test_a_next_documents_marker_ends_a_link_list(marker):
    links = "【相关推荐】\n·乡镇邮政支局自查报告\n·村邮站运行情况汇报\n更多相关范文请点击：自查报告专题\n"
    text = f"{BODY_TOP}\n{BODY}\n{links}{marker}\n{BODY}"
    assert normalize(text).text == f"{BODY_TOP}\n{BODY}\n{marker}\n{BODY}"


def test_strip_boilerplate_inline_font_size():
    assert strip_boilerplate("邮政局服务质量实施意见 字号：大 中 小\n正文。") == "邮政局服务质量实施意见 \n正文。"


def test_extra_boilerplate_patterns_extend_the_list():
    text = f"{BODY_TOP}\n本页由某某站点自动生成\n{BODY}"
    assert normalize(text).text == text
    assert normalize(text, extra_boilerplate=[r"本页由.{0,10}生成"]).text == f"{BODY_TOP}\n{BODY}"


def test_bad_extra_boilerplate_pattern_is_a_reportmine_error():
    with pytest.raises(ReportmineError) as info:
        normalize("正文。", extra_boilerplate=["(unclosed"])
    assert "regex" in info.value.reason


# --------------------------------------------------------------------------- full width, script


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ＡＢＣ１２３ｘｙｚ", "ABC123xyz"),
        ("第１２条", "第12条"),
        ("，。：；（）！？“”【】　", "，。：；（）！？“”【】　"),  # CJK punctuation and U+3000 untouched
        ("２００８年１２月", "2008年12月"),
    ],
)
def test_fullwidth_to_halfwidth(text, expected):
    assert fullwidth_to_halfwidth(text) == expected


@pytest.mark.parametrize(
    "text, script",
    [
        ("邮政服务质量专项检查工作总结，检查发现问题。", "simplified"),
        ("郵政服務質量專項檢查工作總結，檢查發現問題。", "traditional"),
        ("邮政服务质量专项检查。郵政服務質量專項檢查。", "mixed"),
        ("Inspection report 2008", "unknown"),
        ("显著提高，著名的邮局", "simplified"),  # 著 is a simplified character too
        ("检查发现", "simplified"),
    ],
)
def test_detect_script(text, script):
    assert detect_script(text) == script


@pytest.mark.parametrize(
    "text, expected",
    [
        ("隨著市場競爭的日益激烈", "随着市场竞争的日益激烈"),
        ("他穿著製服", "他穿着制服"),
        ("保德縣郵政局", "保德县邮政局"),
        ("中華民國一〇四年", "中华民国一〇四年"),
    ],
)
def test_default_conversion_is_tw2s(text, expected):
    n = normalize(text)
    assert n.text == expected
    assert n.script == "traditional"
    assert to_simplified(text) == expected


def test_traditional_passage_in_a_simplified_file_is_converted_alone():
    text = "邮政服务质量显著提高，检查发现问题。\n郵政管理機構要加強對企業的監管。\n著名的邮局。"
    assert normalize(text).text == "邮政服务质量显著提高，检查发现问题。\n邮政管理机构要加强对企业的监管。\n著名的邮局。"


# --------------------------------------------------------------------------- switches

SWITCH_TEXT = (
    "郵政服務(wù)質量實施意見\n"
    "来源：XX文秘网\n"
    "我们 的检查发现进口的邮件无投递日戳，要求对进口的信件和包裹\n"
    "详情单加盖投递日戳ＡＢ１２。\n"
)


@pytest.mark.parametrize(
    "option, kept",
    [
        ({"pinyin": False}, "(wù)"),
        ({"boilerplate": False}, "来源：XX文秘网"),
        ({"cjk_spaces": False}, "我们 的"),
        ({"rejoin": False}, "包裹\n详情单"),
        ({"fullwidth": False}, "ＡＢ１２"),
        ({"convert": "none"}, "郵政服務"),
    ],
)
def test_each_step_can_be_switched_off(option, kept):
    assert kept not in normalize(SWITCH_TEXT).text
    assert kept in normalize(SWITCH_TEXT, **option).text


def test_all_steps_together():
    assert normalize(SWITCH_TEXT).text == (
        "邮政服务质量实施意见\n我们的检查发现进口的邮件无投递日戳，要求对进口的信件和包裹详情单加盖投递日戳AB12。\n"
    )


# --------------------------------------------------------------------------- offset map


def test_original_text_of_a_normalized_span():
    text = "標題\n來源：XX網\n我們 的服務(wù)質量\n有待提高，檢查發現郵件\n積壓。"
    n = normalize(text)
    i = n.text.index("我们的服务质量")
    a, b = n.to_original(i, i + len("我们的服务质量"))
    assert text[a:b] == "我們 的服務(wù)質量"
    j = n.text.index("邮件积压")
    assert n.original_text(j, j + 4) == "郵件\n積壓"


@pytest.mark.parametrize("span", [(-1, 2), (3, 2), (0, 10_000)])
def test_to_original_rejects_spans_outside(span):
    n = normalize("检查发现问题。")
    with pytest.raises(ValueError):
        n.to_original(*span)


# --------------------------------------------------------------------------- properties

_PIECES = st.one_of(
    st.sampled_from(list("我们的邮政服务质量检查发现问题局县市号")),
    st.sampled_from(list("郵政檢查發現問題隨著服務質與為們這顯著乾後")),
    st.sampled_from(["(wù)", "(yóu)", "(de)", "（jiǎn）", "(lǐ)", "zhàn)", "?", "I", "(一)", "(2008)", "(討論稿)"]),
    st.sampled_from([" ", "  ", "\u3000", "\t", "\n", "\r\n", "\n\n", "\u2028"]),
    st.sampled_from([
        "\n时间：2022-06-28 04:49:53\n", "\n導語：某某\n", "来源：新华网", "字号 大 中 小", "\n最新文档\n", "\n- 某文档\n",
        "\n温馨提示\n", "评论", "0/150", "下载文档前请自行甄别", "扫一扫在手机打开", "发布时间", "首页", "\n1、",
        " > 工作动态", "中 小", "当前位置：", "（供稿）",
    ]),
    st.sampled_from(list("ＡＢｃ１２３０")),
    st.sampled_from(list("，。、；：！？“”（）()《》,.;:")),
    st.sampled_from(["一、", "(一)", "1.", "第一条", "第二章", "第一篇", "保德县邮政局", "二〇〇八年十二月三日", "hello", "world",
                     "遵邮管〔2021〕52号", "各支局："]),
    st.text(max_size=3),
)
MESSY = st.lists(_PIECES, max_size=40).map("".join)
ANY_UNICODE = st.text(alphabet=st.characters(exclude_categories=()), max_size=80)  # surrogates included
PROPS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


def _same_modulo_conversion(norm_ch: str, orig_ch: str) -> bool:
    if norm_ch == " " and orig_ch in "\r\n":
        return True  # rejoining a line between Latin words turns its line break into one space, on purpose
    return norm_ch in {orig_ch, fullwidth_to_halfwidth(orig_ch), to_simplified(orig_ch)}


@PROPS
@given(MESSY, st.data())
def test_property_to_original_in_bounds_monotone_and_faithful(text, data):
    n = normalize(text)
    size = len(n.text)
    i = data.draw(st.integers(0, size))
    j = data.draw(st.integers(i, size))
    k = data.draw(st.integers(j, size))
    a, b = n.to_original(i, j)
    c, d = n.to_original(j, k)
    assert 0 <= a <= b <= len(text)
    assert 0 <= c <= d <= len(text)
    if i < j < k:
        assert b <= c  # disjoint normalized spans map to ordered, disjoint original spans
    if i < j:
        assert a < b
    # spans of unchanged characters quote the same text, modulo script conversion and full width
    for p in range(i, j):
        s, e = n.to_original(p, p + 1)
        if e - s == 1:
            assert _same_modulo_conversion(n.text[p], text[s])


@PROPS
@given(st.one_of(MESSY, ANY_UNICODE))
def test_property_never_raises_and_map_covers_text(text):
    n = normalize(text)
    assert n.original == text
    assert len(n.starts) == len(n.ends) == len(n.text)
    if n.text:
        assert all(0 <= s < e <= len(text) for s, e in zip(n.starts.tolist(), n.ends.tolist()))
        assert list(n.starts) == sorted(n.starts) and list(n.ends) == sorted(n.ends)


@PROPS
@given(st.one_of(MESSY, ANY_UNICODE))
def test_property_idempotent(text):
    once = normalize(text).text
    assert normalize(once).text == once


MIXED_LINES = [
    # a traditional passage quoted inside a simplified line is converted; the simplified clause keeps 显著
    ("检查发现显著问题；另有“郵件積壓嚴重”", "检查发现显著问题；另有“邮件积压严重”"),
    # a lone traditional-only character in a simplified clause is converted on its own
    ("郵件积压检查发现，显著", "邮件积压检查发现，显著"),
    # in a balanced clause only the traditional-only character changes (著 is also simplified)
    ("隨著显著的", "随著显著的"),
    # a simplified line without traditional-only characters is untouched
    ("取得显著成绩，著名", "取得显著成绩，著名"),
]


@pytest.mark.parametrize("text,expected", MIXED_LINES)
def test_mixed_lines_convert_traditional_passages(text, expected):
    n = normalize(text)
    assert n.text == expected
    assert n.original_text(0, len(n.text)) == text

"""reportmine.structure: reports in a file, title, addressee, numbered sections, sentences, closing."""
from __future__ import annotations

import re

import pytest

from reportmine.io import Document
from reportmine.normalize import normalize
from reportmine.structure import iter_reports, split_reports, split_sentences


def reports(text: str, **options):
    return list(iter_reports(Document("mem.txt", text, "utf-8", "txt"), **options))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


PIECES = """第一篇:保德縣郵政服務質量專項檢查工作總結
保德縣郵政服務質量專項檢查工作總結
市局檢查服務部:
為加快郵政企業的發展,我局對照視察函[2008]13號文件精神開展了一次郵政服務質量的專項檢查,具體情況匯報如下:
一、加強郵件的傳遞時限和管理:檢查發現進口的郵件無投遞日戳。要求加蓋投遞日戳。
二、特快郵件上網不及時。特快信息上網由專人負責登記。
今後,我們將加強檢查力度和頻次。
保德縣郵政局
二00八年十二月三號
第二篇:郵政服務質量管理專項檢查工作總結
郵政服務質量管理專項檢查工作總結
省公司市場經營部: 接省公司11月18日通知後,我局組成檢查組對所屬各縣局進行了專項檢查,現將此次檢查情況匯報如下:
一、檢查中未發現強迫用戶使用高資費業務現象,但窗口搭售賀卡偶有發生。
二、對11185臺設備時常出現故障的情況,已向設備維護部門建議從根本上解決。
榆林市郵政局
二00八年十二月十日
第三篇:郵政金融中間業務專項檢查工作總結
xx局郵政金融中間業務專項檢查工作總結
州局儲匯稽查室:
根據x郵金管[xxxx]10號通知精神,局領導高度重視,現將檢查情況總結匯報如下:
一、檢查依據及方法。根據檢查方案及相關管理規定進行檢查。
二、時間安排。檢查時間為xxxx年3月10日至4月20日。
xx縣郵政局
xxxx年5月20日
"""


def test_split_at_piece_markers_with_titles_units_dates():
    rs = reports(PIECES)
    assert [r.index for r in rs] == [0, 1, 2]
    assert [r.title for r in rs] == ["保德县邮政服务质量专项检查工作总结", "邮政服务质量管理专项检查工作总结", "邮政金融中间业务专项检查工作总结"]
    assert [r.addressee for r in rs] == ["市局检查服务部", "省公司市场经营部", "州局储汇稽查室"]
    assert [r.org for r in rs] == ["保德县邮政局", "榆林市邮政局", "xx县邮政局"]
    assert [r.date for r in rs] == ["2008-12-03", "2008-12-10", None]  # 视察函[2008]13号 is not a date
    assert rs[0].region == {"province": "山西省", "city": "忻州市", "county": "保德县"}
    assert rs[1].region == {"province": "陕西省", "city": "榆林市", "county": None}
    assert rs[2].region == {"province": None, "city": None, "county": None}
    assert all(r.script == "traditional" and r.encoding == "utf-8" and r.source == "mem.txt" for r in rs)
    assert len({r.report_id for r in rs}) == 3
    # spans are consecutive and cover the file
    assert rs[0].start == 0 and rs[-1].end <= len(PIECES)
    assert [r.end for r in rs[:-1]] == [r.start for r in rs[1:]]
    assert PIECES[rs[1].start:].startswith("第二篇")


def test_piece_marker_alone_on_its_line():
    text = PIECES.replace("第一篇:保德縣", "第一篇\n保德縣", 1)
    assert reports(text)[0].title == "保德县邮政服务质量专项检查工作总结"


_FANWEN_BODY = "某某快递营业部：\n一、检查发现场地西角还放着前两天到的小件，没有及时派送。\n二、已对责任人罚款200元。\n"


@pytest.mark.parametrize(
    "marks",
    [("篇一：", "篇二："), ("【第1篇】", "【第2篇】"), ("范文一\n", "范文二\n"), ("【篇一】", "【篇二】"), ("第一篇：", "第二篇：")],
)
def test_collection_page_of_a_model_essay_site(marks):
    """A page holding several documents under markers: the page's title and introduction are not the
    first document's title, and each document keeps its own title, unit and date."""
    text = ("快递网点自查报告（精选2篇）\n导读：快递网点自查报告怎么写？下面整理了两篇自查报告，仅供参考，希望对大家有所帮助。\n"
            f"{marks[0]}某某快递浏阳营业部旺季服务自查报告\n{_FANWEN_BODY}某某快递浏阳营业部\n2019年10月8日\n"
            f"{marks[1]}某某速运（湖南）有限公司浏阳分公司整改报告\n{_FANWEN_BODY}某某速运（湖南）有限公司浏阳分公司\n2019年11月2日\n")
    rs = reports(text)
    assert [r.title for r in rs] == ["某某快递浏阳营业部旺季服务自查报告", "某某速运（湖南）有限公司浏阳分公司整改报告"]
    assert [r.org for r in rs] == ["某某快递浏阳营业部", "某某速运（湖南）有限公司浏阳分公司"]
    assert [r.date for r in rs] == ["2019-10-08", "2019-11-02"]


@pytest.mark.parametrize("head", [
    "香港郵政\n郵務部港島及九龍區\n柴灣派遞局服務表現檢討報告（2023年第二季）\n",  # a period in brackets after the title
    "香港郵政\n內部審計科\n審計報告編號：IA/2023/xx\n\n柴灣派遞局服務表現檢討報告（2023年第二季）\n",  # a report number between
])
def test_two_issuer_lines_above_a_title(head):
    text = head + "一、檢查發現柴灣派遞局部分郵件積壓，未能即日派遞。\n二、已責令該局限期整改。\n香港郵政\n2023年9月5日\n"
    assert reports(text)[0].title == "柴湾派递局服务表现检讨报告（2023年第二季）"


def test_signed_and_dated_text_before_the_first_marker_is_a_report():
    text = ("关于旺季服务检查情况的通报\n各营业部：\n" + "检查发现部分网点快件积压，已责令整改。" * 5 + "\n浏阳市邮政管理局\n2019年10月8日\n"
            f"第一篇：某某快递营业部自查报告\n{_FANWEN_BODY}某某快递营业部\n2019年10月9日\n")
    assert [r.title for r in reports(text)] == ["关于旺季服务检查情况的通报", "某某快递营业部自查报告"]


CONSECUTIVE = """关于一季度投递服务质量检查情况的通报
各县区分公司：
一季度，市分公司对全市投递部进行了检查，发现部分投递段存在邮件积压、投递日戳不清等问题，已责令限期整改。
一、检查情况。本次共检查投递部12个，抽查平常信函300件。
二、存在问题。个别投递员未按频次投递，用户反映强烈。
宝鸡市邮政分公司
2020年4月10日
关于城庄支局问题整改情况复查的通报
各县（市、区）分公司：
10月下旬，市分公司对城庄支局整改情况进行了复查，现将复查情况通报如下：
一、整改情况。该支局已退还用户保险费用，对责任人给予罚款处理。
二、下一步要求。各单位要举一反三，杜绝强迫用户办理业务的现象。
吕梁市邮政分公司
2019年10月30日
"""


def test_split_reports_one_after_another():
    rs = reports(CONSECUTIVE)
    assert len(rs) == 2
    assert [(r.title, r.org, r.date) for r in rs] == [
        ("关于一季度投递服务质量检查情况的通报", "宝鸡市邮政分公司", "2020-04-10"),
        ("关于城庄支局问题整改情况复查的通报", "吕梁市邮政分公司", "2019-10-30"),
    ]
    assert rs[1].addressee == "各县（市、区）分公司"


ARTICLES = """如何提高邮政企业的服务质量
邮政合理化建议十条
邮政合理化建议十条1. 加强邮政网络覆盖，确保农村地区也能够使用邮政服务。
2. 制定邮政服务标准，包括邮件寄达时间、包裹收费等，提高服务质量。
3. 推动邮政与其他物流公司合作，实现包裹互通互寄。
如何提高邮政服务质量
如何提高邮政服务质量邮政服务已经成为人们生活中不可或缺的重要组成部分。为了满足人民群众日益增长的服务需求，提升服务质量已经成为各级邮政机构必须重视的目标。
一、优化服务流程。减少不必要的等待和繁琐的手续。
二、注重员工培训。提高从业人员的综合素质和服务能力。
"""


def test_split_articles_whose_title_repeats_at_the_start_of_the_body():
    rs = reports(ARTICLES)
    assert [r.title for r in rs] == ["邮政合理化建议十条", "如何提高邮政服务质量"]
    assert [s.number for s in rs[0].sections] == ["1.", "2.", "3."]
    first = rs[1].sections[0].sentences[0].text
    assert first == "邮政服务已经成为人们生活中不可或缺的重要组成部分。"  # the repeated title is not body


COVER = """关于{verb}《2023年农村投递服务专项整治方案》的通知
各县分公司：
现将《2023年农村投递服务专项整治方案》{verb}给你们，请认真贯彻落实。
某某市邮政分公司
2023年3月1日
{title}
为解决农村投递频次不足、不按址投递等问题，制定本方案。
一、整治目标。农村段道每周投递不少于三班，杜绝擅自减班。
二、工作步骤。各县分公司于4月底前完成自查，5月起集中整治，9月组织验收，对不达标的单位予以通报。
三、工作要求。各单位要明确专人负责，每月5日前报送上月整治进展，不得弄虚作假、隐瞒问题；对整治期间仍发生私拆、丢失邮件等严重问题的，依规追究当事人和单位负责人责任。
某某市邮政分公司
2023年3月1日
"""


@pytest.mark.parametrize("verb, title, n_reports", [
    ("印发", "2023年农村投递服务专项整治方案", 1),  # the notice and the document it issues: one report
    ("转发", "2023年农村投递服务专项整治方案", 1),
    ("印发", "关于城关支局投递质量检查情况的通报", 2),  # another document after the notice: two
])
def test_a_cover_notice_and_the_document_it_issues_are_one_report(verb, title, n_reports):
    rs = reports(COVER.format(verb=verb, title=title))
    assert len(rs) == n_reports
    assert rs[0].title == f"关于{verb}《2023年农村投递服务专项整治方案》的通知"


def test_a_heading_repeated_by_its_paragraph_does_not_split_a_report():
    text = "邮政服务质量心得体会\n服务质量\n服务质量是企业的生命线，我们要把每一件邮件都按时送到用户手中。\n总之，服务无止境。"
    assert len(reports(text)) == 1


@pytest.mark.parametrize(
    "text, title, addressee",
    [
        ("宝鸡市邮政分公司\n关于营业窗口服务质量暗访检查情况的通报\n宝邮司〔2020〕18号\n\n各县区分公司、市区各支局：\n为切实规范营业窗口服务行为，市分公司组成暗访组进行了检查。",
         "关于营业窗口服务质量暗访检查情况的通报", "各县区分公司、市区各支局"),
        ("通化市邮政分公司文件\n\n通邮〔2022〕15号\n\n关于举办营业窗口服务规范培训班的通知\n\n各县分公司：\n为提高窗口服务水平，决定举办培训班。",
         "关于举办营业窗口服务规范培训班的通知", "各县分公司"),
        ("大连市邮政管理局关于快递企业服务质量和寄递安全检查情况\n的通报\n各快递企业：\n二季度，我局对辖区快递企业进行了检查。",
         "大连市邮政管理局关于快递企业服务质量和寄递安全检查情况的通报", "各快递企业"),
        ("2021年9月6日\n\n遵义市邮政管理局关于快递服务问题整改复查情况的通报\n遵邮管〔2021〕52号\n\n各快递企业遵义分公司：\n按照要求，我局进行了复查。",
         None, None),  # a leading date line is not a title; checked further below
        ("中華郵政股份有限公司臺北郵局\n臺北郵局第二十二支局郵件投遞業務稽核報告\n\n受文者：臺北郵局投遞科\n發文字號：北郵稽字第1040000215號\n一、稽核發現郵件延誤。",
         "台北邮局第二十二支局邮件投递业务稽核报告", "台北邮局投递科"),
        ("郵政服務質量專項檢查工作總結\n市局檢查服務部:\n為加快郵政企業的發展,我局開展了專項檢查。",
         "邮政服务质量专项检查工作总结", "市局检查服务部"),
        # an issuer header that does not end like a unit (省区, 邮政, a name with brackets), then the title
        ("某某快递辽宁省区\n关于大连转运中心操作质量督查情况的通报\n\n辽省区质〔2017〕21号\n\n各网点：\n省区于10月对转运中心进行了督查。",
         "关于大连转运中心操作质量督查情况的通报", "各网点"),
        ("香港郵政\n大埔及北區鄉郊派遞服務巡查報告\n\n致：郵件派遞科總監督\n\n一、巡查發現部分郵件延誤。",
         "大埔及北区乡郊派递服务巡查报告", "邮件派递科总监督"),
        ("某某速遞（香港）有限公司\n葵涌轉運中心第四季營運巡查報告\n\n一、巡查發現部分郵件延誤。",
         "葵涌转运中心第四季营运巡查报告", None),
        # two issuer lines (the organisation, then its department) above the title
        ("香港郵政\n內部審計科\n\n內部審計報告：沙田派遞局郵件派遞及郵件保安\n\n報告編號：IA/xx/2024-25\n一、審計發現部分郵件延誤。",
         "内部审计报告：沙田派递局邮件派递及邮件保安", None),
        ("香港郵政\n郵務部新界東區\n沙田派遞局派遞服務內部檢討報告\n\n一、巡查發現部分郵件延誤。",
         "沙田派递局派递服务内部检讨报告", None),
        ("某某速遞（香港）有限公司\n內部審計部\n\n葵涌物流中心保安與收件程序審查報告\n\n一、審查發現部分快件未經驗視。",
         "葵涌物流中心保安与收件程序审查报告", None),
        # a document number with a placeholder year and OCR's O for 0, then a title broken over two lines
        ("衡 阳 市 邮 政 管 理 局 文 件\n\n衡邮管〔xxxx〕1O号\n\n衡阳市邮政管理局关于耒阳市快递市场\n旺季专项检查情况的通报\n\n"
         "各快递企业：\n我局对耒阳市快递企业进行了检查。", "衡阳市邮政管理局关于耒阳市快递市场旺季专项检查情况的通报", "各快递企业"),
        # a model-essay page's own heading, then the document's longer title and its addressee
        ("当前位置：首页 > 报告范文 > 自查报告\n\n邮政支局服务质量自查报告范文\n\n发布时间：xxxx-xx-xx　来源：网友投稿　浏览：1086次\n\n"
         "信阳市平桥区某某邮政支局关于服务质量自查情况的报告\n\n区邮政分公司：\n根据分公司通知，我支局开展了自查。",
         "信阳市平桥区某某邮政支局关于服务质量自查情况的报告", "区邮政分公司"),
        ("范文网 >> 工作报告 >> 自查报告\n\n邮件处理中心服务质量自查报告\n\n2022-xx-xx　　本文已影响2408人\n\n"
         "荆州市邮政分公司邮件处理中心服务质量自查报告\n\n市分公司：\n按照部署，我中心开展了自查。",
         "荆州市邮政分公司邮件处理中心服务质量自查报告", "市分公司"),
        # a page's heading, then the document's title that ends with it (no addressee follows)
        ("营业所服务规范自查情况汇报\n\n标签：自查报告　邮政\n\n大安市两家子邮政营业所服务规范自查情况汇报\n\n"
         "今年以来，我所开展了自查，现将情况汇报如下。", "大安市两家子邮政营业所服务规范自查情况汇报", None),
        # a Taiwan letter: the 函 line under the title is no title of its own
        ("屏東郵局一一一年度下半年自行查核報告\n\n屏東郵局　函\n受文者：中華郵政股份有限公司南區營運處\n主旨：檢陳本局查核報告，請鑒核。",
         "屏东邮局一一一年度下半年自行查核报告", "中华邮政股份有限公司南区营运处"),
        # a classification marking above the issuer and the title is not the title
        ("機密文件　只供內部傳閱\n\n某某速遞（香港）有限公司\n內部審核部\n\n葵涌分揀中心營運審核報告\n\n致：營運總監\n一、審核發現部分快件未經驗視。",
         "葵涌分拣中心营运审核报告", "营运总监"),
        ("内部资料　注意保存\n\n关于营业窗口服务质量检查情况的通报\n\n各县分公司：\n市分公司对营业窗口进行了检查。",
         "关于营业窗口服务质量检查情况的通报", "各县分公司"),
        # a short first line followed by a line that is no title stays the title
        ("邮政服务质量自查\n今年以来，我局按照要求开展了自查，现将情况报告如下。",
         "邮政服务质量自查", None),
    ],
)
def test_title_and_addressee(text, title, addressee):
    (r,) = reports(text)
    if title is not None:
        assert r.title == title
        assert r.addressee == addressee


def test_title_is_not_glued_to_its_document_number():
    text = "遵义市邮政管理局关于快递服务问题整改复查情况的通报\n遵邮管〔2021〕52号\n\n各快递企业遵义分公司：\n按照要求，我局对被通报的两家企业整改情况进行了复查。"
    (r,) = reports(text)
    assert r.title == "遵义市邮政管理局关于快递服务问题整改复查情况的通报"
    assert r.addressee == "各快递企业遵义分公司"


HIERARCHY = """邮政金融业务专项检查工作总结
州局储汇稽查室：
现将检查情况总结汇报如下：
一、检查项目内容：
（一）建立健全内控制度
1、内控制度。严格执行内控制度。
(1)人员配备。配备有兼职管理人员。
(2)报批报备。按照要求开办业务。
2、人员管理。定期轮岗。
(二)、业务管理
1.代收类业务。签订有效的合同。
二、存在的问题
从以上检查情况来看，还存在内控制度建设不力等问题。
xx县邮政局
2019年5月20日
"""


def test_numbered_sections_levels_and_parents():
    (r,) = reports(HIERARCHY)
    got = [(s.number, s.heading, s.level) for s in r.sections]
    assert got == [
        (None, None, 0),
        ("一、", "检查项目内容", 1),
        ("（一）", "建立健全内控制度", 2),
        ("1、", "内控制度", 3),
        ("(1)", "人员配备", 4),
        ("(2)", "报批报备", 4),
        ("2、", "人员管理", 3),
        ("(二)、", "业务管理", 2),
        ("1.", "代收类业务", 3),
        ("二、", "存在的问题", 1),
    ]
    parent = {i: s.parent for i, s in enumerate(r.sections)}
    assert parent[1] is None and parent[9] is None  # 一、 二、
    assert parent[2] == 1 and parent[7] == 1  # (一) (二) under 一、
    assert parent[3] == 2 and parent[6] == 2  # 1、 2、 under (一)
    assert parent[4] == 3 and parent[5] == 3  # (1) (2) under 1、
    assert parent[8] == 7  # 1. under (二)
    assert r.sections[0].sentences[0].text == "现将检查情况总结汇报如下："
    assert r.org == "xx县邮政局" and r.date == "2019-05-20"
    # the signature is not body text
    assert all("xx县邮政局" not in t.text for s in r.sections for t in s.sentences)


REGULATION = """内蒙古邮政营业服务质量监督检查办法(讨论稿)
内蒙古邮政营业服务质量监督检查管理办法
第一章 总则
第一条 为进一步加强全区邮政营业服务质量管理，特制定本办法。
第二条
各盟市分公司应根据本办法，制定本盟市的管理办法。
第二章 营业服务质量检查 第三条 检查内容
具体见检查考核办法。
第四条 支局长职责和检查频次 1.营业终了，检查营业人员收寄验视制度执行情况。
2.逐日检查有无拒办业务、搭售等问题。
(1)每日按时召开班前会。
第五条 本办法自印发之日起实施。
"""


def test_chapters_and_articles():
    (r,) = reports(REGULATION)
    assert r.title == "内蒙古邮政营业服务质量监督检查办法(讨论稿)"
    assert r.region["province"] == "内蒙古自治区"
    got = [(s.number, s.heading, s.level) for s in r.sections]
    assert got == [
        ("第一章", "总则", 1),
        ("第一条", None, 2),
        ("第二条", None, 2),
        ("第二章", "营业服务质量检查", 1),
        ("第三条", "检查内容", 2),
        ("第四条", "支局长职责和检查频次", 2),
        ("1.", None, 3),
        ("2.", "逐日检查有无拒办业务、搭售等问题", 3),
        ("(1)", "每日按时召开班前会", 4),
        ("第五条", "本办法自印发之日起实施", 2),
    ]
    assert [r.sections[i].parent for i in (1, 4, 6, 8, 9)] == [0, 3, 5, 7, 3]
    # the near-duplicate subtitle is not body text
    assert all(s.sentences[0].text != "内蒙古邮政营业服务质量监督检查管理办法" for s in r.sections)
    assert r.sections[2].sentences[0].text == "第二条各盟市分公司应根据本办法，制定本盟市的管理办法。"


@pytest.mark.parametrize(
    "line, is_section",
    [
        ("三是如出现邮件丢失问题时，要认真落实《国内邮件处理规则》第九章的规定，及时赔偿。", False),
        ("按照第九章规定，收寄局要及时赔偿。", False),
        ("3.5万件邮件已全部投出。", False),
        ("1.5%的用户表示不满意。", False),
        ("2、人员配备。配备有兼职管理人员。", True),
        ("3.1人员培训与考核。人员培训是确保服务质量的基础。", True),
    ],
)
def test_references_and_quantities_are_not_sections(line, is_section):
    text = f"检查情况通报\n各单位：\n一、检查情况。本次检查发现若干问题。\n{line}\n总之，要加强管理。"
    (r,) = reports(text)
    numbered = [s for s in r.sections if s.number]
    assert (len(numbered) == 2) is is_section


@pytest.mark.parametrize(
    "text, expected",
    [
        ("检查发现进口的邮件无投递日戳。要求加盖投递日戳！是否整改？已经整改；", ["检查发现进口的邮件无投递日戳。", "要求加盖投递日戳！", "是否整改？", "已经整改；"]),
        ("他说：“检查发现问题。要整改。”然后离开。", ["他说：“检查发现问题。要整改。”然后离开。"]),
        ("书名《问题。》很好。下一句。", ["书名《问题。》很好。", "下一句。"]),
        ("第一行没有句号\n第二行。", ["第一行没有句号", "第二行。"]),
        ("“未闭合的引号。\n新的一行。", ["“未闭合的引号。", "新的一行。"]),
        ("问题！！结束。", ["问题！！", "结束。"]),
        ("  前后空白。  ", ["前后空白。"]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == expected


SPANS = """郵政服務(wù)質量專項檢查工作總結
來源：XX文秘網
市局檢查服務部:
我們 的檢查發現進口的郵件無投遞日戳，要求對進口的信件和包裹
詳情單加蓋投遞日戳。他說：“已經整改。”
一、加強郵(yóu)件的傳遞時限：檢查發現東２段信件有積壓，對責任人給予200元罰款。
二、高度重視客戶投訴處理質量。
保德縣郵政局
二00八年十二月三號
"""


def test_every_span_maps_back_to_its_original_text():
    (r,) = reports(SPANS)
    sentences = [t for s in r.sections for t in s.sentences]
    assert len(sentences) == 4
    for t in sentences:
        original = SPANS[t.start:t.end]
        assert squash(normalize(original).text) == squash(t.text), (original, t.text)
        assert r.norm.text[t.nstart:t.nend] == t.text
    joined = sentences[0]
    assert SPANS[joined.start:joined.end] == "我們 的檢查發現進口的郵件無投遞日戳，要求對進口的信件和包裹\n詳情單加蓋投遞日戳。"
    assert joined.text == "我们的检查发现进口的邮件无投递日戳，要求对进口的信件和包裹详情单加盖投递日戳。"
    for s in r.sections:
        assert SPANS[s.start:s.end].strip() and squash(normalize(SPANS[s.start:s.end]).text) == squash(r.norm.text[s.nstart:s.nend])
    assert SPANS[r.start:r.end] == SPANS


HEADER = "关于邮政服务质量自查情况的报告\n发布时间：2022-06-28 04:49:53\n{body}\n"
BODY = "一、检查情况。本次共检查营业窗口7个，抽查进口平常信函312件，发现2件挂号信未加盖投递日戳。\n二、整改措施。对责任人给予罚款。"


@pytest.mark.parametrize("boilerplate", [True, False])
def test_web_upload_time_is_not_the_report_date(boilerplate):
    (r,) = reports(HEADER.format(body=BODY), boilerplate=boilerplate)
    assert r.date is None
    (r,) = reports(HEADER.format(body=BODY + "\n保德县邮政局\n2019年12月3日"), boilerplate=boilerplate)
    assert r.date == "2019-12-03" and r.org == "保德县邮政局"


def test_a_date_above_body_text_is_not_the_report_date():
    text = "检查情况通报\n2021年9月6日\n一、检查发现问题。\n二、整改措施。对责任人给予罚款。"
    (r,) = reports(text)
    assert r.date is None
    assert [s.number for s in r.sections if s.number] == ["一、", "二、"]


@pytest.mark.parametrize(
    "closing, org, date",
    [
        ("保德县邮政局\n二00八年十二月三号", "保德县邮政局", "2008-12-03"),
        ("保德县邮政局 二00八年十二月三号", "保德县邮政局", "2008-12-03"),
        ("南关支局\u3000投递员\u3000张建军\n二〇一三年十一月二十日", "南关支局", "2013-11-20"),
        ("（岳阳市邮政管理局 供稿  2021年4月13日）", "岳阳市邮政管理局", "2021-04-13"),
        ("作者单位：云南省曲靖市邮政管理局\n2022年9月", "云南省曲靖市邮政管理局", "2022-09"),
        ("客戶服務科\n2021年8月6日", "客户服务科", "2021-08-06"),
        ("新竹郵局查核小組\n105年8月12日", "新竹邮局查核小组", "2016-08-12"),
        ("2019年11月28日\n偏关县邮政分公司", "偏关县邮政分公司", "2019-11-28"),
        ("五寨县邮政分公司城区投递部 王建军\n2020年9月18日", "五寨县邮政分公司城区投递部", "2020-09-18"),
        ("霞浦縣郵政分公司 陳志明\n二〇二一年四月十二日", "霞浦县邮政分公司", "2021-04-12"),
        ("（梅河口市邮政分公司 供稿）\n2021年6月15日", "梅河口市邮政分公司", "2021-06-15"),
        ("xx县邮政局\nxxxx年5月20日", "xx县邮政局", None),
        ("保德县邮政局\n二00八年十二月三号\n抄送：市局检查服务部", "保德县邮政局", "2008-12-03"),
        # indented or centred with spaces, as a Word or scanned page copies
        ("                    保德县邮政局\n                    2008年12月3日", "保德县邮政局", "2008-12-03"),
        # a stamp mark on the unit's line or between unit and date; OCR's 曰 for 日 and O for 0
        ("    沁源县邮政分公司（盖章）\n    2022年11月25日", "沁源县邮政分公司", "2022-11-25"),
        ("        某某快递有限公司宿迁分公司\n           （盖 章）\n        2〇23年9月2O曰", "某某快递有限公司宿迁分公司", "2023-09-20"),
        # web page furniture after the signature: buttons, a previous/next line, related links, comments, footer
        ("保德县邮政局\n2008年12月3日\n【打印本页】　【关闭窗口】\n【上一篇】某县召开安全生产会议【下一篇】某县开展宣传活动",
         "保德县邮政局", "2008-12-03"),
        ("保德县邮政局\n2008年12月3日\n相关链接：\n·县邮政分公司开展宣传周活动\n·关于公布营业时间的公告\n"
         "主办：某县人民政府办公室　　技术支持：某某网络科技有限公司", "保德县邮政局", "2008-12-03"),
        ("赣州市邮政管理局\n2023年4月7日\n【相关链接】\n· 赣州市邮政管理局2022年第四季度行政处罚案件信息公开\n"
         "主办单位：赣州市邮政管理局　　地址：赣州市章贡区某某路xx号　　邮编：341000", "赣州市邮政管理局", "2023-04-07"),
        # an express company's provincial office (省区) signs
        ("某某快递有限公司辽宁省区\n2021年11月29日", "某某快递有限公司辽宁省区", "2021-11-29"),
        ("保德县邮政局\n2008年12月3日\n网友评论(2)    我要评论\n用户甲  2008-12-04 19:03\n早就该查了，上个月多收了我纸箱钱。\n"
         "用户乙  2008-12-05 08:41\n希望其他支局也查一查。\n版权所有 © 2008 某某网", "保德县邮政局", "2008-12-03"),
    ],
)
def test_signing_unit_and_date(closing, org, date):
    text = f"服务质量自查报告\n市分公司：\n一、检查发现进口的邮件无投递日戳，已责令整改。\n二、今后将加强管理。\n{closing}\n"
    (r,) = reports(text)
    assert (r.org, r.date) == (org, date)
    body = [t.text for s in r.sections for t in s.sentences]
    assert body[-1] == "二、今后将加强管理。"  # the closing is not body text


@pytest.mark.parametrize("heading", ["附件", "附件：各网点检查情况", "附件1：各网点检查情况", "附表：各网点检查得分"])
def test_attachments_after_the_signature_are_body_text_and_the_closing_is_above_them(heading):
    text = ("服务质量检查通报\n各网点：\n一、检查发现部分网点邮件积压。\n二、今后将加强管理。\n"
            f"        保德县邮政局\n        2008年12月3日\n{heading}\n城关网点：邮件积压两天，扣5分。\n")
    (r,) = reports(text)
    assert (r.org, r.date) == ("保德县邮政局", "2008-12-03")
    body = [t.text for s in r.sections for t in s.sentences]
    assert "城关网点：邮件积压两天，扣5分。" in body
    assert not any("保德县邮政局" in t or "2008年12月3日" in t for t in body)


def test_an_attachment_list_above_the_signature_is_not_an_attachment():
    text = "服务质量检查通报\n一、检查发现部分网点邮件积压。\n附件：各网点检查情况\n保德县邮政局\n2008年12月3日\n"
    (r,) = reports(text)
    assert (r.org, r.date) == ("保德县邮政局", "2008-12-03")


def test_speech_byline_with_post_and_date_under_it():
    text = "在全市邮政服务质量工作会议上的讲话\n六安市邮政分公司副总经理 周宏\n（2021年1月22日）\n\n同志们：\n今天召开会议，主要任务是总结去年的服务质量工作。\n一、要在基础管理上下功夫。各单位要坚持日清日结。"
    (r,) = reports(text)
    assert (r.title, r.org, r.date) == ("在全市邮政服务质量工作会议上的讲话", "六安市邮政分公司", "2021-01-22")
    assert r.addressee == "同志们"
    assert r.sections[0].sentences[0].text == "今天召开会议，主要任务是总结去年的服务质量工作。"


def test_web_page_breadcrumbs_and_tags_are_not_the_title():
    text = ("海东市邮政管理局\n当前位置：首页 > 政务公开 > 监管动态\n【督查通报】海东市邮政管理局关于8月份寄递渠道安全检查情况的通报\n"
            "发布时间：2020-09-16   来源：市场监管科   字号：大 \n中 小\n\n东邮管〔2020〕33号\n各寄递企业：\n8月，我局对辖区寄递企业进行了检查。")
    (r,) = reports(text)
    assert r.title == "海东市邮政管理局关于8月份寄递渠道安全检查情况的通报"
    assert r.addressee == "各寄递企业"


def test_essay_byline_gives_the_unit():
    text = "做好农村邮政投递工作的几点心得体会\n\n会宁县邮政分公司  投递员  李建军\n\n    我在这条邮路上跑了十一年，没有丢失过一件邮件。\n    第一，邮件再少也要当天投完。\n\n二〇一九年八月\n"
    (r,) = reports(text)
    assert r.title == "做好农村邮政投递工作的几点心得体会"
    assert r.org == "会宁县邮政分公司"
    assert r.date == "2019-08"
    assert r.region["county"] == "会宁县"
    assert r.sections[0].sentences[0].text.startswith("我在这条邮路上")


def test_to_dict_contract_fields():
    (r,) = reports(HIERARCHY)
    d = r.to_dict()
    for key in ("report_id", "source", "index", "encoding", "script", "title", "addressee", "org", "region", "date", "sections"):
        assert key in d
    assert set(d["region"]) == {"province", "city", "county"}
    sec = d["sections"][1]
    assert {"number", "heading", "start", "end", "sentences"} <= set(sec)
    assert {"text", "start", "end"} <= set(sec["sentences"][0])


def test_split_reports_on_plain_text_without_any_marker():
    text = "检查发现问题。"
    assert split_reports(text) == [(0, len(text))]
    assert split_reports("") == [(0, 0)]


def test_empty_and_whitespace_documents_give_one_empty_report():
    for text in ("", "\n\n  \n"):
        (r,) = reports(text)
        assert r.title is None and r.sections == () and r.date is None

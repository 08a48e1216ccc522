"""What a line of a report is: a date, a title, a document number or red header, an addressee, a
signature or byline naming the signing unit, a closing tail (抄送, 附件 ...)."""
from __future__ import annotations

import difflib
import re

from .dates import DATE_FIRST as _DATE_FIRST, DATE_RE
from .normalize import Normalized
from .numbering import _number_at

__all__: list[str] = []  # package-internal: the line tests of reportmine.structure

_DOCNO_RE = re.compile(
    r"^\s*(?:\S{0,12}[〔\[【(（]\s*(?:(?:19|20)\d{2}|[xX×]{4})\s*[〕\]】)）]\s*\d[\dOo]*\s*号"
    r"|(?:发文字号|文号|字号|[^\s：:，。]{0,6}编号)\s*[:：]\s*\S{2,40})\s*$"
)
_RED_HEADER_RE = re.compile(r"^\s*\S{2,40}(?:文件|简报|通讯|快报)\s*$")  # 通化市邮政分公司文件
# a classification marking above the title: 机密文件　只供内部传阅, 内部资料　注意保存, 密级：秘密★1年
_SECRECY_RE = re.compile(
    r"^\s*(?:(?:密级|保密级别)\s*[:：]\s*\S{1,12}"
    r"|(?:(?:绝密|机密|秘密|内部)(?:文件|资料|材料)?|(?:只供|仅供|限)内部(?:传阅|使用|参阅|参考)|注意(?:保存|保密))"
    r"(?:[\s★☆]*(?:\d{1,2}\s*年|长期|(?:只供|仅供|限)内部(?:传阅|使用|参阅|参考)|注意(?:保存|保密)|(?:严禁|不得)外传))*)[\s★☆]*$"
)
_ADDRESSEE_RE = re.compile(
    r"^\s*(?:(?:受文者|受文单位|主送|致)\s*[:：]\s*([^：:，。]{2,40}?)\s*$"
    r"|((?:各[^：:，。]{1,20}|同志们|[^：:，。\s]{2,30}?(?:部|局|室|处|科|司|中心|所|站|委|办|会|组|网点|单位|部门|支局|营业所|同志们?)"
    r"(?:[、，,][^：:，。]{2,30})*))\s*[:：])"
)
_ORG_SUFFIX = r"(?:局|公司|分公司|支局|中心|部|处|室|科|所|站|网点|委员会|办公室|小组|组|分部|营业部|省区|大区|片区|邮局|稽查室|(?:投递|营业|揽投|分拣|转运|押运)班)"
# a character of a unit's name: no spaces, punctuation or brackets
_UNIT_CHAR = r"[^\s，。；:：,（()）【】\[\]]"
# a signing unit's name: those characters, and a region in brackets (某某速运（四川）有限公司)
_UNIT_CHARS = rf"(?:{_UNIT_CHAR}|[（(]{_UNIT_CHAR}{{2,6}}[)）](?=\S))"
_ORG_RE = re.compile(rf"^\s*({_UNIT_CHARS}{{2,40}}?{_ORG_SUFFIX})\s*$")
# a signature or byline: the unit, then a post and/or a person's name (会宁县邮政分公司  投递员  李建军)
# (the unit is the longest prefix ending like a unit; a post may follow it: 六安市邮政分公司副总经理 周宏)
_BYLINE_RE = re.compile(
    rf"^\s*(?:[^\s：:，。]{{1,4}}[:：]\s*)?({_UNIT_CHAR}{{2,40}}{_ORG_SUFFIX})[^\s，。；:：,]{{0,6}}"
    rf"(?:[ \t\u3000]+[^\s，。；:：,]{{2,8}}){{1,2}}\s*$"
)
_PAREN_DATE_RE = re.compile(r"^\s*[（(]\s*([^（()）]{4,20})\s*[)）]\s*$")  # （2021年1月22日） under a speech's byline
# a labelled unit: 作者单位：云南省曲靖市邮政管理局, （作者单位：山东省莒县邮政分公司）
_LABELED_ORG_RE = re.compile(
    rf"^\s*[（(]?\s*(?:作者单位|单位|供稿单位|报送单位|填报单位|建议人|作者|撰稿人?)\s*[:：]\s*"
    rf"({_UNIT_CHAR}{{2,40}}?{_ORG_SUFFIX})(?:[ \t\u3000]+[^\s，。；:：,()（）]{{2,8}}){{0,2}}\s*[)）]?\s*$"
)
# a news credit closing an article: （岳阳市邮政管理局 供稿  2021年4月13日）
_CREDIT_RE = re.compile(rf"^\s*[（(]\s*({_UNIT_CHAR}{{2,40}}?{_ORG_SUFFIX})\s*(?:供稿|稿|报送|撰稿|整理|通讯员\S{{0,4}})?\s*(.*?)\s*[)）]\s*$")
_CLOSING_TAIL = re.compile(r"^\s*[（(]?\s*(?:抄送|抄报|附件|主题词|印发|联系人|签发|此件|本件|共印|打印|校对|（此件)")
_STAMP_RE = re.compile(r"\s*[（(]\s*(?:[盖公印签]\s*)?章\s*[)）]\s*$")  # 沁源县邮政分公司（盖章）
_TAGGED_TITLE = re.compile(r"^[【\[][^】\]]{1,8}[】\]]\s*(.+)$")  # 【督查通报】关于…的通报
# the head noun that ends a title (a title broken over two lines ends with one of these)
_TITLE_HEADS = ("通报", "报告", "总结", "通知", "意见", "办法", "规定", "细则", "方案", "决定", "纪要", "体会",
                "计划", "简报", "汇报", "请示", "批复", "函", "制度", "规范", "要点", "说明")
_TRAILING_PAREN = re.compile(r"[（(][^（()）]{1,20}[)）]$")
_HEAD_FIRST = re.compile(r"[^：:，。]{0,10}(?:通报|报告|总结|纪要|简报)[：:][^：:。]{4,40}$")


def _ends_like_title(line: str) -> bool:
    """The line ends with a title's head noun, a period in brackets after it allowed (…检讨报告（2023年第二季）),
    or puts the head noun first, before a colon (内部审计报告：沙田派递局邮件派递及邮件保安)."""
    s = line.strip()
    return _TRAILING_PAREN.sub("", s).endswith(_TITLE_HEADS) or bool(_HEAD_FIRST.match(s))


def _issuer_like(line: str) -> bool:
    """A short header line naming who issues the document (某某快递辽宁省区, 香港郵政, 某某速递（香港）有限公司),
    not itself a title: it is skipped when a title (关于…, …报告) follows it."""
    s = line.strip()
    return 2 <= len(s) <= 24 and not any(p in s for p in "。；，：:、") and _number_at(s) is None \
        and "关于" not in s and not any(h in s for h in _TITLE_HEADS if len(h) > 1)


def _is_date_line(line: str) -> bool:
    """A line that is a date (at most 3 other characters): the first date of the line starts within its
    first 3 characters (tried there only: a search would be answered at the same place)."""
    for p in range(min(3, len(line))):
        if line[p] not in _DATE_FIRST:
            continue
        m = DATE_RE.match(line, p)
        if m:
            return len(line.strip()) - (m.end() - m.start()) <= 3
    return False


def _title_like(line: str) -> bool:
    s = line.strip()
    return (
        2 <= len(s) <= 60
        and not any(p in s for p in "。；，")
        and not _CLOSING_TAIL.match(s)
        and _number_at(s) is None
        and not _is_date_line(s)
    )


def _repeated_title(line: str, nxt: str) -> bool:
    """``line`` is a title that the next line repeats at its start, glued to the body (scraped articles:
    如何提高邮政服务质量 / 如何提高邮政服务质量2023年了，…)."""
    s, n = line.strip(), nxt.strip()
    return (
        len(s) >= 6 and n.startswith(s) and len(n) >= len(s) + 10 and n[len(s)] not in "，,。；;：:、）)》”"
        and _title_like(s)
    )


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.6


def _strip_docno(title: str) -> str:
    stripped = _TRAILING_DOCNO.sub("", title).strip()
    return stripped or title


_TRAILING_DOCNO = re.compile(r"\S{0,8}[〔\[【]\s*(?:19|20)\d{2}\s*[〕\]】]\s*\d+\s*号\s*$")


def _with_deleted_spaces(norm: Normalized, a: int, b: int) -> str:
    """Normalized text of [a, b) with a space where normalization deleted spaces inside the line."""
    out = []
    for p in range(a, b):
        if p > a:
            gap = norm.original[int(norm.ends[p - 1]): int(norm.starts[p])]
            if gap and gap.isspace() and "\n" not in gap:
                out.append(" ")
        out.append(norm.text[p])
    return "".join(out)


def _closing_like(line: str) -> bool:
    s = line.strip()
    return len(s) <= 40 and not any(p in s for p in "。；;！？!?")


def _org_of(line: str) -> str | None:
    """The unit of a signature line: the whole line, or the unit before a post and a name (a stamp mark
    after it, （盖章）, is not part of it)."""
    line = _STAMP_RE.sub("", line)
    m = _ORG_RE.match(line) or _BYLINE_RE.match(line) or _LABELED_ORG_RE.match(line) or _CREDIT_RE.match(line)
    return m.group(1) if m else None

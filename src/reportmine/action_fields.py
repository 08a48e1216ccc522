"""The details of a remedial action: its fine amount in yuan (Chinese numerals through cn2an) and the party
acted on, as written."""
from __future__ import annotations

import functools
import re

__all__ = ["parse_money", "party_of"]

_MONEY = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*|[零〇一二两三四五六七八九十百千万壹贰叁参肆伍陆柒捌玖拾佰仟萬]+)\s*(?P<wan>万|萬)?\s*(?:元|块)"
)
#: the verbs of a fine or a deduction, in both patterns below
_FINE_VERB = r"罚款?|扣罚?|扣款"
#: a bare amount right after a penalty verb, without 元 (发现一次罚100, 店长扣200); not points, days, items
_BARE = re.compile(rf"(?:{_FINE_VERB})\s*(?P<num>\d+(?:\.\d+)?)(?P<wan>)(?![\d.万萬元块分天日次件票个人名%％])")
#: which money expression of a clause is the fine, most telling first: a total (按每张50元扣罚，共计350元), an
#: amount just after a penalty word (没收违法所得55929元、罚款人民币五万元), then the first one
_TOTAL = re.compile(r"(?:共计|合计|总计|累计)[^，。；,;]{0,6}$")
_PENALTY = re.compile(rf"(?:{_FINE_VERB}|处以|违约金|罚金|罚没)[^，。；,;、]{{0,8}}$")
_NUMERALS = str.maketrans({"参": "叁"})  # 參 (traditional 叁) becomes 参 after script conversion
_PARTY = re.compile(
    r"(?:对|给予|将)(?P<p>[^，。；,;:：]{1,18}?)(?:分别)?(?:给予|予以|处以|进行|作出|作|扣|罚|通报|实行|处|停|调|辞|下岗|约谈|警告|批评|作了)"
)
_PARTY_LEAD = re.compile(r"^(?:上述|该|以上|有关)?(?:问题的?)?")
_NOT_PARTY = re.compile(r"问题|情况|工作|检查|整改")
_PARTY_WORDS = re.compile(
    r"(责任人|当事人|直接责任人|柜台人员|营业员|投递员[\u4e00-\u9fff]?某?|快递员[\u4e00-\u9fff]?某?|揽投员[\u4e00-\u9fff]?某?|"
    r"收件员[\u4e00-\u9fff]?某?|相关人员|相关责任人|网点负责人|支局长|班组长|该网点|该企业|该公司|涉事[\u4e00-\u9fff]{1,6})"
)


def parse_money(text: str) -> float | None:
    """Amount in yuan of the fine in ``text`` (200元, 五百元, 1万元, 叁佰元整, 罚100): a total first, then the
    amount nearest after a penalty word, else the first money expression; None where there is none."""
    found = sorted([*_MONEY.finditer(text), *_BARE.finditer(text)], key=lambda m: m.start())
    for prefer in (_TOTAL, _PENALTY):
        for m in found:
            if prefer.search(text, 0, m.start()):
                return _money_value(m)
    return _money_value(found[0]) if found else None


def _money_value(m: re.Match) -> float | None:
    num = m.group("num").replace(",", "")
    try:
        value = float(num) if num[0].isdigit() else _cn_number(num.translate(_NUMERALS))
    except (ValueError, KeyError, IndexError):
        return None
    if m.group("wan"):
        value *= 10000
    return int(value) if value == int(value) else value


@functools.lru_cache(maxsize=4096)
def _cn_number(num: str) -> float:
    """A Chinese numeral's value (cn2an, slow: memoized per distinct numeral)."""
    import cn2an

    return float(cn2an.cn2an(num, "smart"))


def party_of(text: str) -> str | None:
    """Who an action is taken against, as written (责任人, 投递员王某, 对…给予…), or None."""
    m = _PARTY.search(text)
    if m:
        p = m.group("p").strip()
        p = _PARTY_LEAD.sub("", p) or p
        if 1 < len(p) <= 18 and not _NOT_PARTY.search(p):
            return p
    m = _PARTY_WORDS.search(text)
    return m.group(1) if m else None


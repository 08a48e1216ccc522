"""Report dates: Chinese numerals with any mix of 0/〇/零/O, Arabic and full-width digits, ROC years
(民国99年, 中华民国一〇四年, and three-digit years such as 105年), year-month only, and placeholders
(xxxx年5月20日 gives None, never the current year), and the OCR misreading 曰 for the day's 日. Document
numbers ([2008]13号) are not dates."""
from __future__ import annotations

import datetime as _dt
import re

__all__ = ["DATE_RE", "DATE_FIRST", "parse_date", "find_date"]

_D = "0-9０-９〇零○OoＯ一二两三四五六七八九十"
_X = "xXｘＸ×＊*"
#: the prefixes of a Republic of China year (民国99年, 中華民國一〇四年)
ROC_PREFIX = "中华民国|民国|中華民國|民國"
DATE_RE = re.compile(
    rf"(?:(?P<roc>{ROC_PREFIX})\s*)?(?<![0-9０-９])(?P<y>[{_D}百]{{2,4}}|[{_X}]{{2,4}})\s*年\s*"
    rf"(?:(?P<m>[{_D}]{{1,3}}|[{_X}]{{1,2}})\s*月\s*(?:(?P<d>[{_D}]{{1,3}}|[{_X}]{{1,2}})\s*[日号號曰])?)?"
    r"|(?<![\d.])(?P<iy>(?:19|20)\d{2})[-/.](?P<im>\d{1,2})(?:[-/.](?P<id>\d{1,2}))?(?![\d:])"
)
#: the characters a match of DATE_RE can start with (ROC prefix, year digits or placeholders, 19xx/20xx)
DATE_FIRST = frozenset("中民" + "0123456789０１２３４５６７８９〇零○OoＯ一二两三四五六七八九十" + "百" + _X)
_DIGITS = {c: str(i % 10) for i, c in enumerate("0123456789")}
_DIGITS.update({c: str(i) for i, c in enumerate("０１２３４５６７８９")})
_DIGITS.update({c: "0" for c in "〇零○OoＯ"})
_DIGITS.update({c: str(i) for i, c in enumerate("一二三四五六七八九", 1)})
_DIGITS["两"] = "2"


def _number(s: str) -> int | None:
    """Chinese or Arabic numeral to int; digit-by-digit unless it uses 十/百 (positional)."""
    if not s or any(c in "xXｘＸ×＊*" for c in s):
        return None
    if "十" in s or "百" in s:
        import cn2an

        try:
            return int(cn2an.cn2an(s.replace("两", "二"), "smart"))
        except (ValueError, KeyError):
            return None
    try:
        return int("".join(_DIGITS[c] for c in s))
    except KeyError:
        return None


def _from_match(m: re.Match) -> str | None:
    if m.group("iy"):
        y, mo, d = int(m.group("iy")), int(m.group("im")), m.group("id")
        return _fmt(y, mo, int(d) if d else None)
    y = _number(m.group("y"))
    if y is None:
        return None
    if m.group("roc") or 100 <= y < 1000:  # 民国99年; 105年 can only be an ROC year
        y += 1911
    elif y < 100:  # two-digit years are not report dates we can place
        return None
    mo = _number(m.group("m")) if m.group("m") else None
    if m.group("m") and mo is None:
        return _fmt(y, None, None)
    d = _number(m.group("d")) if m.group("d") else None
    return _fmt(y, mo, d)


def _fmt(y: int, mo: int | None, d: int | None) -> str | None:
    if not 1900 <= y <= 2100:
        return None
    if mo is None or not 1 <= mo <= 12:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{mo:02d}"
    try:
        return _dt.date(y, mo, d).isoformat()
    except ValueError:
        return f"{y:04d}-{mo:02d}"


def parse_date(text: str) -> str | None:
    """Parse the first date in ``text`` into ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or None."""
    m = DATE_RE.search(text)
    return _from_match(m) if m else None


def find_date(text: str) -> tuple[str | None, int, int] | None:
    """Find the first date expression: ``(value, start, end)`` (value None for placeholders)."""
    m = DATE_RE.search(text)
    if not m:
        return None
    return _from_match(m), m.start(), m.end()

"""Province / city / county of a unit name, through the cpca gazetteer (simplified names)."""
from __future__ import annotations

import functools
import logging
import math

__all__ = ["Region", "locate_region"]

log = logging.getLogger(__name__)
Region = dict  # {"province": str|None, "city": str|None, "county": str|None}
_EMPTY = {"province": None, "city": None, "county": None}


def _clean(v: object) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


@functools.lru_cache(maxsize=65536)
def _locate(name: str) -> tuple[str | None, str | None, str | None]:
    import cpca  # loads its data once, on first use

    one = getattr(cpca, "_get_one_addr", None)
    if one is not None:  # the per-address matcher behind cpca.transform, without building a DataFrame
        row = one(name, False, {})
    else:
        row = cpca.transform([name]).iloc[0]
    levels = [_clean(row.get("省")), _clean(row.get("市")), _clean(row.get("区"))]
    # Keep the lowest level actually named in the input and the ancestors cpca infers from it;
    # cpca can guess from a bare suffix (xx县 -> 重庆市/县), which must stay unknown.
    for i in (2, 1, 0):
        if levels[i] and _named_in(levels[i], name):
            return tuple(levels[: i + 1] + [None] * (2 - i))  # type: ignore[return-value]
    return None, None, None


_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区",
             "省", "市", "县", "区", "盟", "旗")


def _named_in(level: str, name: str) -> bool:
    if len(level) < 2:
        return False
    if level in name:
        return True
    for suf in _SUFFIXES:
        if level.endswith(suf):
            short = level[: -len(suf)]
            return len(short) >= 2 and short in name
    return False


def _named_at_start(level: str, name: str) -> bool:
    """The place (full or without its suffix) opens ``name``."""
    if name.startswith(level):
        return True
    for suf in _SUFFIXES:
        if level.endswith(suf):
            short = level[: -len(suf)]
            if len(short) >= 2 and name.startswith(short):
                return True
    return False


def locate_region(*names: str | None, prefix: bool = False) -> Region:
    """Region of the first name the gazetteer recognises; all None when none is known.

    With ``prefix`` only a place named at the start of the text counts (for titles: 内蒙古邮政…管理办法,
    not the 高邮 inside 提高邮政).
    """
    for name in names:
        if not name:
            continue
        if prefix:
            name = name.removeprefix("关于")[:12]
            prov, city, county = _locate(name)
            lowest = county or city or prov
            if not lowest or not _named_at_start(lowest, name):
                continue
        prov, city, county = _locate(name)
        if prov or city or county:
            return {"province": prov, "city": city, "county": county}
    return dict(_EMPTY)

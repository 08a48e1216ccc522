"""reportmine.region: province / city / county of a signing unit through the cpca gazetteer."""
from __future__ import annotations

import pytest

from reportmine.normalize import normalize
from reportmine.region import locate_region


@pytest.mark.parametrize(
    "name, expected",
    [
        ("保德县邮政局", ("山西省", "忻州市", "保德县")),
        ("榆林市邮政局", ("陕西省", "榆林市", None)),
        ("内蒙古邮政", ("内蒙古自治区", None, None)),
        ("偏关县邮政分公司", ("山西省", "忻州市", "偏关县")),
        ("延边朝鲜族自治州邮政分公司", ("吉林省", "延边朝鲜族自治州", None)),
    ],
)
def test_known_units(name, expected):
    r = locate_region(name)
    assert (r["province"], r["city"], r["county"]) == expected


@pytest.mark.parametrize("name", ["保德縣郵政局", "內蒙古郵政"])
def test_traditional_names_after_conversion(name):
    simplified = normalize(name).text
    assert locate_region(simplified)["province"] is not None


@pytest.mark.parametrize(
    "name",
    ["xx县邮政局", "县邮政局", "内部审计组", "检查组", "市局检查服务部", "", None],
)
def test_unknown_stays_none(name):
    assert locate_region(name) == {"province": None, "city": None, "county": None}


def test_first_known_name_wins():
    assert locate_region(None, "xx县邮政局", "榆林市邮政局")["city"] == "榆林市"


@pytest.mark.parametrize(
    "title, province",
    [
        ("内蒙古邮政营业、投递服务质量监督检查办法(讨论稿)", "内蒙古自治区"),
        ("关于保德县邮政服务质量的报告", "山西省"),
        ("关于提高邮政服务质量的意见", None),  # 高邮 inside 提高邮政 is not a place
        ("邮政局提高服务质量实施意见", None),
    ],
)
def test_place_at_the_start_of_a_title(title, province):
    assert locate_region(title, prefix=True)["province"] == province

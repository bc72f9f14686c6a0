"""Which sampling 大类 an enterprise can be sampled for: a small table owned by sampling (docs/sampling-targeting.md §2).

The registry records licence / operating food categories (``enterprises.FoodCategory``, codes P01…, S01…, C01…) and a
business type; the sampling catalogue (``standards.SamplingCategory``, level 1 = 大类) is a different list. This table
maps the first to the second **by 大类 name**, so it does not depend on how the catalogue numbers its codes; a name
that the catalogue does not (yet) hold is skipped, and the weights page lists such names (``mapping_gaps``).

- ``FOOD_CATEGORY_MAJORS``: food category code → the 大类 an enterprise holding it can be sampled for. Production
  licence categories have the same names as the national 大类; sales and catering categories name the 大类 usually
  sampled there.
- ``BUSINESS_TYPE_MAJORS``: business type code → 大类 added whatever food categories the enterprise holds (catering
  is sampled as 餐饮食品; a stall or small grocery sells 食用农产品). A type's parent counts too.
- An enterprise with neither gets no suggestion (nothing tells what it sells).
"""

from __future__ import annotations

from collections.abc import Iterable

FOOD_CATEGORY_MAJORS: dict[str, tuple[str, ...]] = {
    # 生产（食品生产许可类别 = 抽检大类）
    "P01": ("粮食加工品",),
    "P02": ("食用油、油脂及其制品",),
    "P03": ("调味品",),
    "P04": ("肉制品",),
    "P05": ("乳制品",),
    "P06": ("饮料",),
    "P07": ("方便食品",),
    "P08": ("饼干",),
    "P09": ("罐头",),
    "P10": ("冷冻饮品",),
    "P11": ("速冻食品",),
    "P12": ("薯类和膨化食品",),
    "P13": ("糖果制品",),
    "P14": ("茶叶及相关制品",),
    "P15": ("酒类",),
    "P16": ("蔬菜制品",),
    "P17": ("水果制品",),
    "P18": ("炒货食品及坚果制品",),
    "P19": ("蛋制品",),
    "P20": ("可可及焙烤咖啡产品",),
    "P21": ("食糖",),
    "P22": ("水产制品",),
    "P23": ("淀粉及淀粉制品",),
    "P24": ("糕点",),
    "P25": ("豆制品",),
    "P26": ("蜂产品",),
    "P27": ("保健食品",),
    "P28": ("特殊医学用途配方食品",),
    "P29": ("婴幼儿配方食品",),
    "P30": ("特殊膳食食品",),
    "P31": (),  # 其他食品: no 大类 of its own
    # 销售（经营项目）
    "S01": ("粮食加工品", "食用油、油脂及其制品", "调味品", "饮料", "酒类"),
    "S02": ("肉制品", "乳制品", "速冻食品", "冷冻饮品"),
    "S03": ("粮食加工品", "糕点", "炒货食品及坚果制品"),
    "S04": ("肉制品", "速冻食品", "水产制品"),
    "S05": ("保健食品", "婴幼儿配方食品", "特殊医学用途配方食品", "特殊膳食食品"),
    "S06": ("食用农产品",),
    "S07": (),  # 进口食品: sampled under the 大类 of what it is
    # 餐饮（经营项目）
    "C01": ("餐饮食品",),
    "C02": ("餐饮食品",),
    "C03": ("餐饮食品",),
    "C04": ("餐饮食品", "糕点"),
    "C05": ("餐饮食品", "饮料"),
    "C06": ("餐饮食品",),
}

BUSINESS_TYPE_MAJORS: dict[str, tuple[str, ...]] = {
    "catering": ("餐饮食品",),
    "small_restaurant": ("餐饮食品",),
    "online_catering": ("餐饮食品",),
    "canteen": ("餐饮食品",),
    "meal_distribution": ("餐饮食品",),
    "central_kitchen": ("餐饮食品",),
    "rural_banquet_center": ("餐饮食品",),
    "small_grocery": ("食用农产品",),
    "food_stall": ("食用农产品",),
    "health_food": ("保健食品",),
}


def mapped_names() -> set[str]:
    names = {n for names in FOOD_CATEGORY_MAJORS.values() for n in names}
    return names | {n for names in BUSINESS_TYPE_MAJORS.values() for n in names}


def majors_of(
    business_type_codes: Iterable[str], food_category_codes: Iterable[str], major_ids_by_name: dict[str, int]
) -> set[int]:
    """The 大类 ids an enterprise can be sampled for (its business type and the type's parent, its food categories)."""
    found: set[int] = set()
    for code in business_type_codes:
        for name in BUSINESS_TYPE_MAJORS.get(code or "", ()):
            if name in major_ids_by_name:
                found.add(major_ids_by_name[name])
    for code in food_category_codes:
        for name in FOOD_CATEGORY_MAJORS.get(code, ()):
            if name in major_ids_by_name:
                found.add(major_ids_by_name[name])
    return found


def mapping_gaps(major_names: Iterable[str]) -> list[str]:
    """大类 names the table uses that the sampling catalogue does not hold (those rows are skipped)."""
    present = set(major_names)
    return sorted(mapped_names() - present)

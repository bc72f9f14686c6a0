"""Starter standards catalogue (DOMAIN.md §7, issue 10 point 1): the basic standards (GB 2760, 2761, 2762, 2763, 29921,
31650) with their versions, some product standards used as 判定依据, the method standards (检验依据), the four-level
抽检食品分类 for common categories with hazard weights 1–5, and test items with their limits per standard version.

A test item's limit depends on the food category (铅 is 0.3 mg/kg in leafy vegetables, 0.1 in fruiting vegetables),
and a ``TestLimit`` is one item under one standard version, so an item here is "铅 in 叶菜类蔬菜" (code
``pb-leafy-veg``) linked to the categories it applies to. Figures the authors were not sure of carry "待核实" in the
clause (limits) or the announcement (dates); docs/standards.md lists them. The city reviews and edits the catalogue in
the admin; codes stay stable so results keep their meaning. Idempotent (tests/conftest.py reloads it after a flush).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

D = dt.date
CHECK = "待核实"
NA = f"发布公告{CHECK}"  # announcement numbers are not in the material consulted (sppt.cfsa.net.cn has them)

# (prefix, number, part, year, title, status, publish_date, effective_date, announcement_no)
STANDARDS = [
    # ------------------------------------------------------------ basic standards (判定依据)
    ("GB", "2760", "", 2014, "食品安全国家标准 食品添加剂使用标准", "withdrawn", D(2014, 12, 24), D(2015, 5, 24), NA),
    ("GB", "2760", "", 2024, "食品安全国家标准 食品添加剂使用标准", "current", D(2024, 2, 8), D(2025, 2, 8), NA),
    ("GB", "2761", "", 2017, "食品安全国家标准 食品中真菌毒素限量", "current", D(2017, 3, 17), D(2017, 9, 17), NA),
    ("GB", "2762", "", 2017, "食品安全国家标准 食品中污染物限量", "withdrawn", D(2017, 3, 17), D(2017, 9, 17), NA),
    ("GB", "2762", "", 2022, "食品安全国家标准 食品中污染物限量", "current", D(2022, 6, 30), D(2023, 6, 30), NA),
    ("GB", "2763", "", 2021, "食品安全国家标准 食品中农药最大残留限量", "current", D(2021, 3, 3), D(2021, 9, 3), NA),
    (
        "GB", "2763", "1", 2022, "食品安全国家标准 食品中2,4-滴丁酸钠盐等112种农药最大残留限量", "current",
        D(2022, 11, 11), D(2023, 5, 11), NA,
    ),
    ("GB", "29921", "", 2013, "食品安全国家标准 食品中致病菌限量", "withdrawn", D(2013, 12, 26), D(2014, 7, 1), NA),
    ("GB", "29921", "", 2021, "食品安全国家标准 预包装食品中致病菌限量", "current", D(2021, 3, 18), D(2021, 11, 22), NA),
    ("GB", "31650", "", 2019, "食品安全国家标准 食品中兽药最大残留限量", "current", D(2019, 9, 6), D(2020, 4, 1), NA),
    (
        "GB", "31650", "1", 2022, "食品安全国家标准 食品中41种兽药最大残留限量", "current", D(2022, 9, 20),
        D(2023, 2, 1), f"{NA}；日期{CHECK}",
    ),
    # ------------------------------------------------------------ product standards (判定依据, DOMAIN.md §7.4)
    ("GB", "7099", "", 2015, "食品安全国家标准 糕点、面包", "current", D(2015, 9, 22), D(2016, 9, 22), NA),
    ("GB", "19645", "", 2010, "食品安全国家标准 巴氏杀菌乳", "current", D(2010, 3, 26), D(2010, 12, 1), NA),
    ("GB", "2726", "", 2016, "食品安全国家标准 熟肉制品", "current", D(2016, 12, 23), D(2017, 12, 23), NA),
    ("GB", "7101", "", 2022, "食品安全国家标准 饮料", "current", D(2022, 6, 30), D(2022, 12, 30), f"{NA}；日期{CHECK}"),
    ("GB", "2717", "", 2018, "食品安全国家标准 酱油", "current", D(2018, 6, 21), D(2019, 12, 21), NA),
    ("GB", "26878", "", 2011, "食品安全国家标准 食用盐碘含量", "current", D(2011, 9, 15), D(2012, 3, 15), NA),
    # ------------------------------------------------------------ method standards (检验依据)
    ("GB", "5009", "12", 2023, "食品安全国家标准 食品中铅的测定", "current", D(2023, 9, 6), D(2024, 3, 6), f"{NA}；日期{CHECK}"),
    ("GB", "5009", "15", 2023, "食品安全国家标准 食品中镉的测定", "current", D(2023, 9, 6), D(2024, 3, 6), f"{NA}；日期{CHECK}"),
    (
        "GB", "5009", "11", 2014, "食品安全国家标准 食品中总砷及无机砷的测定", "current", None, D(2016, 3, 21),
        f"{NA}；日期及是否已有新版本{CHECK}",
    ),
    (
        "GB", "5009", "28", 2016, "食品安全国家标准 食品中苯甲酸、山梨酸和糖精钠的测定", "current", D(2016, 8, 31),
        D(2017, 3, 1), f"{NA}；日期{CHECK}",
    ),
    (
        "GB", "5009", "121", 2016, "食品安全国家标准 食品中脱氢乙酸的测定", "current", D(2016, 12, 23), D(2017, 6, 23),
        f"{NA}；日期{CHECK}",
    ),
    (
        "GB", "5009", "22", 2016, "食品安全国家标准 食品中黄曲霉毒素B族和G族的测定", "current", D(2016, 12, 23),
        D(2017, 6, 23), f"{NA}；日期{CHECK}",
    ),
    (
        "GB", "5009", "235", 2016, "食品安全国家标准 食品中氨基酸态氮的测定", "current", D(2016, 8, 31), D(2017, 3, 1),
        f"{NA}；日期{CHECK}",
    ),
    (
        "GB", "4789", "2", 2022, "食品安全国家标准 食品微生物学检验 菌落总数测定", "current", D(2022, 6, 30),
        D(2022, 12, 30), NA,
    ),
    (
        "GB", "4789", "3", 2016, "食品安全国家标准 食品微生物学检验 大肠菌群计数", "current", D(2016, 12, 23),
        D(2017, 6, 23), NA,
    ),
    (
        "GB", "4789", "4", 2016, "食品安全国家标准 食品微生物学检验 沙门氏菌检验", "current", D(2016, 12, 23),
        D(2017, 6, 23), f"{NA}；是否已有新版本{CHECK}",
    ),
    (
        "GB/T", "22286", "", 2008, "动物源性食品中多种β-受体激动剂残留量的测定 液相色谱串联质谱法", "current", None,
        D(2009, 2, 1), f"实施日期{CHECK}",
    ),
    (
        "GB", "23200", "113", 2018, "食品安全国家标准 植物源性食品中208种农药及其代谢物残留量的测定 气相色谱-质谱联用法",
        "current", D(2018, 6, 21), D(2018, 12, 21), NA,
    ),
    (
        "GB", "23200", "121", 2021, "食品安全国家标准 植物源性食品中331种农药及其代谢物残留量的测定 液相色谱-质谱联用法",
        "current", D(2021, 3, 3), D(2021, 9, 3), NA,
    ),
    ("GB/T", "13025", "7", 2012, "制盐工业通用试验方法 碘的测定", "current", None, D(2013, 7, 1), f"实施日期{CHECK}"),
]
# (older, newer): the newer version supersedes the older (same prefix + number + part).
SUPERSEDED = [("GB 2760-2014", "GB 2760-2024"), ("GB 2762-2017", "GB 2762-2022"), ("GB 29921-2013", "GB 29921-2021")]

# (code, name, level, parent code, hazard 1–5). The four levels follow the national sampling catalogue's naming
# (大类 / 亚类 / 次亚类 / 细类); hazard is the local weight read by targeted sampling (靶向), editable in the admin.
CATEGORIES = [
    ("01", "食用农产品", 1, None, 4),
    ("0101", "蔬菜", 2, "01", 4),
    ("010101", "叶菜类蔬菜", 3, "0101", 4),
    ("01010101", "普通白菜", 4, "010101", 4),
    ("01010102", "菠菜", 4, "010101", 4),
    ("01010103", "芹菜", 4, "010101", 5),
    ("01010104", "韭菜", 4, "010101", 5),
    ("010102", "茄果类蔬菜", 3, "0101", 3),
    ("01010201", "番茄", 4, "010102", 3),
    ("01010202", "辣椒", 4, "010102", 3),
    ("0102", "畜禽肉及副产品", 2, "01", 4),
    ("010201", "畜肉", 3, "0102", 4),
    ("01020101", "猪肉", 4, "010201", 5),
    ("01020102", "牛肉", 4, "010201", 4),
    ("01020103", "羊肉", 4, "010201", 4),
    ("010202", "禽肉", 3, "0102", 3),
    ("01020201", "鸡肉", 4, "010202", 3),
    ("0103", "水产品", 2, "01", 4),
    ("010301", "淡水产品", 3, "0103", 4),
    ("01030101", "淡水鱼", 4, "010301", 4),
    ("010302", "海水产品", 3, "0103", 3),
    ("01030201", "海水鱼", 4, "010302", 3),
    ("0104", "鲜蛋", 2, "01", 3),
    ("010401", "鲜蛋", 3, "0104", 3),
    ("01040101", "鸡蛋", 4, "010401", 3),
    ("0105", "水果类", 2, "01", 2),
    ("010501", "仁果类水果", 3, "0105", 2),
    ("01050101", "苹果", 4, "010501", 2),
    ("02", "粮食加工品", 1, None, 2),
    ("0201", "大米", 2, "02", 3),
    ("020101", "大米", 3, "0201", 3),
    ("02010101", "大米", 4, "020101", 3),
    ("0202", "小麦粉", 2, "02", 2),
    ("020201", "小麦粉", 3, "0202", 2),
    ("02020101", "通用小麦粉、专用小麦粉", 4, "020201", 2),
    ("03", "食用油、油脂及其制品", 1, None, 3),
    ("0301", "食用植物油", 2, "03", 3),
    ("030101", "食用植物油", 3, "0301", 3),
    ("03010101", "花生油", 4, "030101", 4),
    ("03010102", "菜籽油", 4, "030101", 3),
    ("03010103", "大豆油", 4, "030101", 3),
    ("04", "调味品", 1, None, 3),
    ("0401", "酱油", 2, "04", 3),
    ("040101", "酱油", 3, "0401", 3),
    ("04010101", "酿造酱油", 4, "040101", 3),
    ("0402", "食醋", 2, "04", 2),
    ("040201", "食醋", 3, "0402", 2),
    ("04020101", "酿造食醋", 4, "040201", 2),
    ("0403", "食用盐", 2, "04", 2),
    ("040301", "食用盐", 3, "0403", 2),
    ("04030101", "普通食用盐", 4, "040301", 2),
    ("05", "肉制品", 1, None, 4),
    ("0501", "熟肉制品", 2, "05", 4),
    ("050101", "酱卤肉制品", 3, "0501", 4),
    ("05010101", "酱卤肉制品", 4, "050101", 4),
    ("050102", "熏烧烤肉制品", 3, "0501", 4),
    ("05010201", "熏烧烤肉制品", 4, "050102", 4),
    ("06", "乳制品", 1, None, 4),
    ("0601", "液体乳", 2, "06", 4),
    ("060101", "巴氏杀菌乳", 3, "0601", 4),
    ("06010101", "巴氏杀菌乳", 4, "060101", 4),
    ("060102", "灭菌乳", 3, "0601", 3),
    ("06010201", "灭菌乳", 4, "060102", 3),
    ("07", "饮料", 1, None, 2),
    ("0701", "包装饮用水", 2, "07", 2),
    ("070101", "饮用纯净水", 3, "0701", 2),
    ("07010101", "饮用纯净水", 4, "070101", 2),
    ("0702", "果蔬汁类及其饮料", 2, "07", 2),
    ("070201", "果蔬汁（浆）类饮料", 3, "0702", 2),
    ("07020101", "果蔬汁（浆）类饮料", 4, "070201", 2),
    ("0703", "碳酸饮料（汽水）", 2, "07", 2),
    ("070301", "碳酸饮料（汽水）", 3, "0703", 2),
    ("07030101", "碳酸饮料（汽水）", 4, "070301", 2),
    ("08", "糕点", 1, None, 3),
    ("0801", "糕点", 2, "08", 3),
    ("080101", "糕点", 3, "0801", 3),
    ("08010101", "糕点", 4, "080101", 3),
    ("080102", "面包", 3, "0801", 3),
    ("08010201", "面包", 4, "080102", 3),
    ("09", "蔬菜制品", 1, None, 3),
    ("0901", "酱腌菜", 2, "09", 3),
    ("090101", "酱腌菜", 3, "0901", 3),
    ("09010101", "酱腌菜", 4, "090101", 3),
    ("10", "餐饮食品", 1, None, 4),
    ("1001", "米面及其制品（自制）", 2, "10", 3),
    ("100101", "小麦粉制品（自制）", 3, "1001", 3),
    ("10010101", "发酵面制品（自制）", 4, "100101", 3),
    ("100102", "米粉制品（自制）", 3, "1001", 3),
    ("10010201", "米粉制品（自制）", 4, "100102", 3),
    ("1002", "肉制品（自制）", 2, "10", 5),
    ("100201", "熟肉制品（自制）", 3, "1002", 5),
    ("10020101", "酱卤肉制品（自制）", 4, "100201", 5),
    ("1003", "焙烤食品（自制）", 2, "10", 4),
    ("100301", "糕点（自制）", 3, "1003", 4),
    ("10030101", "糕点（自制）", 4, "100301", 4),
    ("1004", "其他餐饮食品", 2, "10", 5),
    ("100401", "凉拌菜（自制）", 3, "1004", 5),
    ("10040101", "凉拌菜（自制）", 4, "100401", 5),
]

# Categories by role, for linking items.
LEAFY, FRUITING, VEG = "010101", "010102", "0101"
LIVESTOCK, POULTRY = "010201", "010202"
FISH = ("01030101", "01030201")
EGG, APPLE = "010401", "010501"
RICE, FLOUR = "0201", "0202"
PEANUT_OIL, OTHER_OIL, OIL = "03010101", ("03010102", "03010103"), "0301"
SOY_SAUCE, VINEGAR, SALT = "0401", "0402", "0403"
COOKED_MEAT, CATERING_MEAT = "0501", "1002"
PASTEURISED, STERILISED, LIQUID_MILK = "060101", "060102", "0601"
JUICE, CARBONATED = "0702", "0703"
PASTRY, CATERING_PASTRY = "0801", "1003"
PICKLES = "0901"

MG, G, UG = "mg/kg", "g/kg", "μg/kg"
MAX, MIN, RANGE, ND, MICRO = "max", "min", "range", "not_detected", "micro"


def lim(standard, clause, kind, *, lo=None, hi=None, unit, n=None, c=None, m=None, big_m=None, dl=None, dl_unit=None,
        method=None):
    return {
        "standard": standard,
        "clause": clause,
        "judgement_type": kind,
        "min_limit": None if lo is None else Decimal(lo),
        "max_limit": None if hi is None else Decimal(hi),
        "unit": unit,
        "micro_n": n,
        "micro_c": c,
        "micro_m": None if m is None else Decimal(m),
        "micro_big_m": None if big_m is None else Decimal(big_m),
        "detection_limit": None if dl is None else Decimal(dl),
        "detection_limit_unit": (dl_unit or unit) if dl is not None else "",
        "method": method,
    }


def both(versions, clause, kind, *, checked=(), **kwargs):
    """The same limit under each version in ``versions``; the clause gets 待核实 for the versions in ``checked``."""
    return [lim(v, f"{clause}（{CHECK}）" if v in checked else clause, kind, **kwargs) for v in versions]


GB2762 = ("GB 2762-2017", "GB 2762-2022")
GB2760 = ("GB 2760-2014", "GB 2760-2024")
GB29921 = ("GB 29921-2013", "GB 29921-2021")
PB = {"unit": MG, "dl": "0.02", "method": "GB 5009.12-2023"}
CD = {"unit": MG, "dl": "0.002", "method": "GB 5009.15-2023"}
AS = {"unit": MG, "dl": "0.01", "method": "GB 5009.11-2014"}
BENZOIC = {"unit": G, "dl": "0.005", "method": "GB 5009.28-2016"}
AFB1 = {"unit": UG, "dl": "0.03", "method": "GB 5009.22-2016"}

# (code, name, microbiological, categories, limits)
ITEMS = [
    # ---------------------------------------------------------------- 铅 (GB 2762 表1; GB 5009.12)
    ("pb-leafy-veg", "铅（以Pb计）", False, [LEAFY], both(GB2762, "4.1 表1 叶菜蔬菜", MAX, hi="0.3", **PB)),
    ("pb-fruiting-veg", "铅（以Pb计）", False, [FRUITING], both(GB2762, "4.1 表1 新鲜蔬菜（另列者除外）", MAX, hi="0.1", **PB)),
    ("pb-fruit", "铅（以Pb计）", False, [APPLE], both(GB2762, "4.1 表1 新鲜水果（浆果和其他小粒水果除外）", MAX, hi="0.1", **PB)),
    ("pb-meat", "铅（以Pb计）", False, [LIVESTOCK, POULTRY], both(GB2762, "4.1 表1 肉类（畜禽内脏除外）", MAX, hi="0.2", **PB)),
    ("pb-fish", "铅（以Pb计）", False, list(FISH), both(GB2762, "4.1 表1 鲜、冻水产动物 鱼类", MAX, hi="0.5", **PB)),
    ("pb-egg", "铅（以Pb计）", False, [EGG], both(GB2762, "4.1 表1 蛋及蛋制品（皮蛋、皮蛋肠除外）", MAX, hi="0.2", **PB)),
    ("pb-grain", "铅（以Pb计）", False, [RICE, FLOUR], both(GB2762, "4.1 表1 谷物碾磨加工品", MAX, hi="0.2", **PB)),
    (
        "pb-oil", "铅（以Pb计）", False, [OIL],
        both(GB2762, "4.1 表1 油脂及其制品", MAX, hi="0.1", checked=("GB 2762-2022",), **PB),
    ),
    (
        "pb-liquid-milk", "铅（以Pb计）", False, [LIQUID_MILK],
        [
            # the two versions differ: 0.05 under -2017, 0.02 under -2022 (a liquid sample, hence the lower LOD)
            lim("GB 2762-2017", "4.1 表1 生乳、巴氏杀菌乳、灭菌乳、调制乳、发酵乳", MAX, hi="0.05", unit=MG, dl="0.005",
                method="GB 5009.12-2023"),
            lim("GB 2762-2022", f"4.1 表1 生乳、巴氏杀菌乳、灭菌乳、调制乳、发酵乳（{CHECK}）", MAX, hi="0.02", unit=MG,
                dl="0.005", method="GB 5009.12-2023"),
        ],
    ),
    (
        "pb-pastry", "铅（以Pb计）", False, [PASTRY],
        both(GB2762, "4.1 表1 焙烤食品", MAX, hi="0.5", checked=("GB 2762-2022",), **PB),
    ),
    # ---------------------------------------------------------------- 镉 (GB 2762 表2; GB 5009.15)
    ("cd-leafy-veg", "镉（以Cd计）", False, [LEAFY], both(GB2762, "4.2 表2 叶菜蔬菜", MAX, hi="0.2", **CD)),
    ("cd-fruiting-veg", "镉（以Cd计）", False, [FRUITING], both(GB2762, "4.2 表2 新鲜蔬菜（另列者除外）", MAX, hi="0.05", **CD)),
    ("cd-rice", "镉（以Cd计）", False, [RICE], both(GB2762, "4.2 表2 稻谷、糙米、大米", MAX, hi="0.2", **CD)),
    ("cd-flour", "镉（以Cd计）", False, [FLOUR], both(GB2762, "4.2 表2 谷物碾磨加工品（糙米、大米除外）", MAX, hi="0.1", **CD)),
    ("cd-meat", "镉（以Cd计）", False, [LIVESTOCK, POULTRY], both(GB2762, "4.2 表2 肉类（畜禽内脏除外）", MAX, hi="0.1", **CD)),
    ("cd-fish", "镉（以Cd计）", False, list(FISH), both(GB2762, "4.2 表2 鲜、冻水产动物 鱼类", MAX, hi="0.1", **CD)),
    ("cd-egg", "镉（以Cd计）", False, [EGG], both(GB2762, "4.2 表2 蛋及蛋制品", MAX, hi="0.05", **CD)),
    # ---------------------------------------------------------------- 总砷 (GB 2762 表5; GB 5009.11)
    ("as-veg", "总砷（以As计）", False, [VEG], both(GB2762, "4.5 表5 新鲜蔬菜", MAX, hi="0.5", **AS)),
    ("as-meat", "总砷（以As计）", False, [LIVESTOCK, POULTRY], both(GB2762, "4.5 表5 肉及肉制品", MAX, hi="0.5", **AS)),
    ("as-flour", "总砷（以As计）", False, [FLOUR], both(GB2762, "4.5 表5 谷物碾磨加工品（糙米、大米除外）", MAX, hi="0.5", **AS)),
    ("as-oil", "总砷（以As计）", False, [OIL], both(GB2762, "4.5 表5 油脂及其制品", MAX, hi="0.1", **AS)),
    ("as-liquid-milk", "总砷（以As计）", False, [LIQUID_MILK], both(GB2762, "4.5 表5 生乳、巴氏杀菌乳、灭菌乳等", MAX, hi="0.1", **AS)),
    # ---------------------------------------------------------------- 苯甲酸 (GB 2760 表A.1; GB 5009.28)
    ("benzoic-soy-sauce", "苯甲酸及其钠盐（以苯甲酸计）", False, [SOY_SAUCE], both(GB2760, "表A.1 酱油", MAX, hi="1.0", **BENZOIC)),
    ("benzoic-vinegar", "苯甲酸及其钠盐（以苯甲酸计）", False, [VINEGAR], both(GB2760, "表A.1 醋", MAX, hi="1.0", **BENZOIC)),
    ("benzoic-pickles", "苯甲酸及其钠盐（以苯甲酸计）", False, [PICKLES], both(GB2760, "表A.1 腌渍的蔬菜", MAX, hi="1.0", **BENZOIC)),
    ("benzoic-juice", "苯甲酸及其钠盐（以苯甲酸计）", False, [JUICE], both(GB2760, "表A.1 果蔬汁（浆）类饮料", MAX, hi="1.0", **BENZOIC)),
    ("benzoic-carbonated", "苯甲酸及其钠盐（以苯甲酸计）", False, [CARBONATED], both(GB2760, "表A.1 碳酸饮料", MAX, hi="0.2", **BENZOIC)),
    (
        "benzoic-pastry", "苯甲酸及其钠盐（以苯甲酸计）", False, [PASTRY, CATERING_PASTRY],
        both(GB2760, "表A.1 未列入糕点、面包：不得使用", ND, **BENZOIC),
    ),
    (
        "benzoic-cooked-meat", "苯甲酸及其钠盐（以苯甲酸计）", False, [COOKED_MEAT, CATERING_MEAT],
        both(GB2760, "表A.1 未列入熟肉制品：不得使用", ND, **BENZOIC),
    ),
    # ---------------------------------------------------------------- 山梨酸 (GB 2760 表A.1; GB 5009.28)
    ("sorbic-pastry", "山梨酸及其钾盐（以山梨酸计）", False, [PASTRY, CATERING_PASTRY], both(GB2760, "表A.1 糕点、面包", MAX, hi="1.0", **BENZOIC)),
    (
        "sorbic-cooked-meat", "山梨酸及其钾盐（以山梨酸计）", False, [COOKED_MEAT, CATERING_MEAT],
        both(GB2760, "表A.1 熟肉制品", MAX, hi="0.075", **BENZOIC),
    ),
    ("sorbic-soy-sauce", "山梨酸及其钾盐（以山梨酸计）", False, [SOY_SAUCE], both(GB2760, "表A.1 酱油", MAX, hi="1.0", **BENZOIC)),
    ("sorbic-pickles", "山梨酸及其钾盐（以山梨酸计）", False, [PICKLES], both(GB2760, "表A.1 腌渍的蔬菜", MAX, hi="1.0", **BENZOIC)),
    ("sorbic-juice", "山梨酸及其钾盐（以山梨酸计）", False, [JUICE], both(GB2760, "表A.1 果蔬汁（浆）类饮料", MAX, hi="0.5", **BENZOIC)),
    ("sorbic-carbonated", "山梨酸及其钾盐（以山梨酸计）", False, [CARBONATED], both(GB2760, "表A.1 碳酸饮料", MAX, hi="0.2", **BENZOIC)),
    # ---------------------------------------------------------------- 糖精钠 (GB 2760 表A.1; GB 5009.28)
    (
        "saccharin-pastry", "糖精钠（以糖精计）", False, [PASTRY, CATERING_PASTRY],
        both(GB2760, "表A.1 未列入糕点、面包：不得使用", ND, **BENZOIC),
    ),
    (
        "saccharin-beverage", "糖精钠（以糖精计）", False, [JUICE, CARBONATED],
        both(GB2760, "表A.1 未列入饮料：不得使用", ND, **BENZOIC),
    ),
    (
        "saccharin-pickles", "糖精钠（以糖精计）", False, [PICKLES],
        both(GB2760, "表A.1 腌渍的蔬菜", MAX, hi="0.15", checked=("GB 2760-2024",), **BENZOIC),
    ),
    # ---------------------------------------------------------------- 脱氢乙酸: the -2024 edition no longer allows it
    # in bread and pastry (≤ 0.5 g/kg under -2014): the production date decides which rule judges a sample.
    (
        "dha-pastry", "脱氢乙酸及其钠盐（以脱氢乙酸计）", False, [PASTRY, CATERING_PASTRY],
        [
            lim("GB 2760-2014", "表A.1 糕点、面包", MAX, hi="0.5", unit=G, dl="0.001", method="GB 5009.121-2016"),
            lim("GB 2760-2024", "表A.1 不再允许用于糕点、面包：不得使用", ND, unit=G, dl="0.001", method="GB 5009.121-2016"),
        ],
    ),
    # ---------------------------------------------------------------- 黄曲霉毒素B1 (GB 2761 表1; GB 5009.22)
    ("afb1-peanut-oil", "黄曲霉毒素B₁", False, [PEANUT_OIL], [lim("GB 2761-2017", "4.1 表1 花生油、玉米油", MAX, hi="20", **AFB1)]),
    (
        "afb1-other-oil", "黄曲霉毒素B₁", False, list(OTHER_OIL),
        [lim("GB 2761-2017", "4.1 表1 植物油脂（花生油、玉米油除外）", MAX, hi="10", **AFB1)],
    ),
    ("afb1-rice", "黄曲霉毒素B₁", False, [RICE], [lim("GB 2761-2017", "4.1 表1 稻谷、糙米、大米", MAX, hi="10", **AFB1)]),
    ("afb1-flour", "黄曲霉毒素B₁", False, [FLOUR], [lim("GB 2761-2017", "4.1 表1 小麦粉", MAX, hi="5.0", **AFB1)]),
    ("afb1-soy-sauce", "黄曲霉毒素B₁", False, [SOY_SAUCE], [lim("GB 2761-2017", "4.1 表1 酱油、醋、酿造酱", MAX, hi="5.0", **AFB1)]),
    # ---------------------------------------------------------------- 农药残留 (GB 2763)
    (
        "chlorpyrifos-celery", "毒死蜱", False, ["01010103"],
        [lim("GB 2763-2021", "4 毒死蜱 芹菜", MAX, hi="0.05", unit=MG, dl="0.01", method="GB 23200.113-2018")],
    ),
    (
        "chlorpyrifos-pakchoi", "毒死蜱", False, ["01010101"],
        [lim("GB 2763-2021", f"4 毒死蜱 普通白菜（{CHECK}）", MAX, hi="0.1", unit=MG, dl="0.01", method="GB 23200.113-2018")],
    ),
    (
        "omethoate-leafy-veg", "氧乐果", False, [LEAFY],
        [lim("GB 2763-2021", "4 氧乐果 蔬菜", MAX, hi="0.02", unit=MG, dl="0.005", method="GB 23200.121-2021")],
    ),
    # ---------------------------------------------------------------- 兽药 (禁用药物)
    (
        "clenbuterol-meat", "克伦特罗", False, [LIVESTOCK],
        [
            lim("GB 31650-2019", f"禁用药物：不得检出（农业农村部公告第250号；{CHECK}）", ND, unit=UG, dl="0.5",
                method="GB/T 22286-2008"),
        ],
    ),
    # ---------------------------------------------------------------- 微生物 (product standards; GB 29921)
    (
        "tpc-pastry", "菌落总数", True, [PASTRY],
        [lim("GB 7099-2015", "微生物限量（不适用于现制现售）", MICRO, unit="CFU/g", n=5, c=2, m="10000", big_m="100000",
             method="GB 4789.2-2022")],
    ),
    (
        "coliform-pastry", "大肠菌群", True, [PASTRY],
        [lim("GB 7099-2015", "微生物限量（不适用于现制现售）", MICRO, unit="CFU/g", n=5, c=2, m="10", big_m="100",
             method="GB 4789.3-2016")],
    ),
    (
        "tpc-pasteurised-milk", "菌落总数", True, [PASTEURISED],
        [lim("GB 19645-2010", "4.4 微生物限量", MICRO, unit="CFU/g(mL)", n=5, c=2, m="50000", big_m="100000",
             method="GB 4789.2-2022")],
    ),
    (
        "coliform-pasteurised-milk", "大肠菌群", True, [PASTEURISED],
        [lim("GB 19645-2010", "4.4 微生物限量", MICRO, unit="CFU/g(mL)", n=5, c=2, m="1", big_m="5", method="GB 4789.3-2016")],
    ),
    (
        "tpc-cooked-meat", "菌落总数", True, [COOKED_MEAT],
        [lim("GB 2726-2016", "微生物限量（发酵肉制品除外）", MICRO, unit="CFU/g", n=5, c=2, m="10000", big_m="100000",
             method="GB 4789.2-2022")],
    ),
    (
        "coliform-cooked-meat", "大肠菌群", True, [COOKED_MEAT],
        [lim("GB 2726-2016", "微生物限量", MICRO, unit="CFU/g", n=5, c=2, m="10", big_m="100", method="GB 4789.3-2016")],
    ),
    (
        "tpc-beverage", "菌落总数", True, [JUICE, CARBONATED],
        [lim("GB 7101-2022", f"微生物限量（{CHECK}）", MICRO, unit="CFU/g(mL)", n=5, c=2, m="100", big_m="10000",
             method="GB 4789.2-2022")],
    ),
    (
        "coliform-beverage", "大肠菌群", True, [JUICE, CARBONATED],
        [lim("GB 7101-2022", f"微生物限量（{CHECK}）", MICRO, unit="CFU/g(mL)", n=5, c=2, m="1", big_m="10",
             method="GB 4789.3-2016")],
    ),
    (
        "salmonella", "沙门氏菌", True, [COOKED_MEAT, PASTRY],
        both(GB29921, "表1 沙门氏菌（熟肉制品、焙烤制品）", MICRO, unit="/25g", n=5, c=0, m="0", method="GB 4789.4-2016"),
    ),
    # ---------------------------------------------------------------- a lower bound and a range
    (
        "amino-nitrogen-soy-sauce", "氨基酸态氮", False, [SOY_SAUCE],
        [lim("GB 2717-2018", "3.3 理化指标", MIN, lo="0.4", unit="g/100mL", method="GB 5009.235-2016")],
    ),
    (
        "iodine-salt", "碘（以I计）", False, [SALT],
        [lim("GB 26878-2011", f"浙江省 25 mg/kg，允许波动 ±30%（{CHECK}）", RANGE, lo="18", hi="33", unit=MG,
             method="GB/T 13025.7-2012")],
    ),
]


def load(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    SamplingCategory = apps.get_model("standards", "SamplingCategory")
    TestItem = apps.get_model("standards", "TestItem")
    TestLimit = apps.get_model("standards", "TestLimit")

    standards = {}
    for prefix, number, part, year, title, status, published, effective, announcement in STANDARDS:
        row, _ = Standard.objects.update_or_create(
            prefix=prefix,
            number=number,
            part=part,
            year=year,
            defaults={
                "title": title,
                "status": status,
                "publish_date": published,
                "effective_date": effective,
                "announcement_no": announcement,
            },
        )
        code = f"{prefix} {number}{'.' + part if part else ''}-{year}"
        standards[code] = row
    for older, newer in SUPERSEDED:
        Standard.objects.filter(pk=standards[older].pk).update(superseded_by=standards[newer])

    categories = {}
    for order, (code, name, level, parent, hazard) in enumerate(CATEGORIES, start=1):
        row, _ = SamplingCategory.objects.update_or_create(
            code=code,
            defaults={"name": name, "level": level, "parent": categories.get(parent), "hazard": hazard, "order": order},
        )
        categories[code] = row

    for order, (code, name, micro, category_codes, limits) in enumerate(ITEMS, start=1):
        item, _ = TestItem.objects.update_or_create(
            code=code, defaults={"name": name, "is_microbiological": micro, "order": order * 10}
        )
        item.categories.set([categories[c] for c in category_codes])
        for spec in limits:
            values = dict(spec)
            standard = standards[values.pop("standard")]
            method = values.pop("method")
            values["method_standard"] = standards[method] if method else None
            TestLimit.objects.update_or_create(test_item=item, judging_standard=standard, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("standards", "0003_standards_catalogue")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

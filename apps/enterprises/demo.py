"""Demo registry generator (``manage.py seed_demo --enterprises N``): a realistic, deterministic Haining registry.

Every row ``i`` is generated from its own RNG seeded by ``(seed, i)``, so row ``i`` is the same whatever ``N`` is:
seeding 3,000 and later 30,000 adds the 27,000 missing rows; re-running with the same ``N`` adds nothing (rows
whose USCC already exists are skipped).

What it makes (all synthetic; names, people and phone numbers are invented):
- townships drawn by resident population (TownshipPopulation 2020, the labelled estimates of the reference data);
- a county-like business-type mix: mostly catering and sales, a few producers; one 农村家宴中心 every 20 rows
  up to 150 (in the towns, 镇), one 中央厨房 per 1,000 rows, some school canteens, 集中用餐配送, 保健食品;
- Chinese names by type ("海宁市硖石张记面馆", "海宁潮乡食品有限公司", "海宁市袁花镇中心小学食堂") and addresses on
  real-ish roads of each township (villages and 埭/浜 hamlets for rural rows), coordinates near the township;
- valid USCCs registered in 330481 (92 个体工商户, 91 companies, 12 schools/hospitals, 11 government canteens),
  with both GB 32100 check characters correct;
- licences of the kind the type needs (SC for producers with the food-category code, JY1/JY2/JY3 by type, YB for
  some pre-packaged-only shops, DJ/DK for 小作坊/小餐饮/小食杂店/摊贩), ISO 7064 check digits, 5-year validity
  spread so that a few percent are expired or expire soon (relative to ``as_of``);
- flags at plausible rates: 阳光厨房 on all school canteens, central kitchens and banquet centres and on most online
  caterers; responsibility lists on most producers; cold chain for frozen/meat/dairy producers and some shops;
  斜桥榨菜 producers carry the 地理标志 tag; third-party evaluators on a quarter of urban caterers.

The write is one transaction with ``bulk_create`` in batches and a single audit event for the whole seed.
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Township, TownshipPopulation
from apps.common.audit import audit_record

from .choices import AreaType, BrandTag, EnterpriseStatus, LicenceKind, Scale
from .identifiers import USCC_ALPHA, make_licence_number, make_uscc
from .models import BusinessType, Enterprise, FoodCategory, Licence

# ------------------------------------------------------------------------------------------------ vocabulary
SURNAMES = (
    "沈陈徐朱王张钱周吴顾陆查许蒋李胡金杨孙姚俞褚屠马董冯郑何高沈陈徐朱王张周吴顾陆许蒋李"  # local names weigh more
    "黄赵刘林罗梁宋唐韩曹彭曾肖田潘袁蔡余杜叶程苏魏吕丁任汪范方邹熊秦江薛雷侯史陶贺毛郝邵严戴莫汤"
)
GIVEN = (
    "建国 建华 国庆 伟 芳 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 平 刚 桂英 玉兰 红 霞 海燕 志强 晓燕"
    " 立新 卫东 永明 国平 小红 金根 根法 阿毛 雪芬 美琴 建新 伟民 海峰 丽萍 佳怡 子豪 浩然 梓涵 雨欣 晨 宇 鑫 凯"
).split()
TRADE_NAMES = (
    "潮乡 钱塘 海昌 硖川 盐官 宏达 永盛 华丰 恒泰 鑫源 瑞丰 金潮 新安 天和 百味 福临 聚丰 嘉禾 万家 惠民 同福 老街"
    " 观潮 丰收 润发 佳味 康源 绿源 天通 东山 西山 紫微 宝善 春晖 翔宇 伊山 云龙 锦绣 鼎盛 顺发 兴达 利民 茗香 稻香"
    " 长河 潮城 禾兴 宏盛 诚信 鸿运 德丰 裕丰 新潮 华联 好味 乐众 永康 泰和 春风 金穗 满堂 乡味 海潮 江南"
).split()
SUPERMARKET_BRANDS = ("联华", "世纪联华", "华润万家", "物美", "三江购物", "大润发", "供销超市", "农工商")
EVALUATORS = (
    "嘉兴市禾信食品安全评估有限公司",
    "浙江海正食品安全技术服务有限公司",
    "海宁市潮城食品安全咨询服务有限公司",
    "杭州中测食品检测技术有限公司",
    "浙江安食检测科技有限公司",
    "嘉兴市南湖食安第三方评价中心",
    "浙江禾安检验检测有限公司",
    "海宁市明厨亮灶技术服务有限公司",
)
ROADS = {
    "xiashi": "西山路 工人路 文宗路 硖川路 干河街 新桥路 海昌北路 人民路 学林街 东山路 南关厢 西门街",
    "haizhou": "海州西路 海州东路 文苑路 钱江西路 水月亭西路 海宁大道 皮都路 长埭路 洛塘河路 建设路 隆兴路",
    "haichang": "海昌南路 双联路 谷水路 农丰路 长山路 联合路 碧云路 由拳路 狮岭路",
    "maqiao": "经编路 红旗大道 马桥大道 经都路 新城路 青年路 海宁大道 经编园区路",
    "xucun": "许村大道 沪杭路 许巷路 永福路 荡湾路 科技城路 杭海路 茗山路",
    "changan": "长安路 修川路 兴城路 辛江路 启辉路 春潮路 海宁大道 虹桥路",
    "zhouwangmiao": "周王庙路 云龙路 博儒路 长啸路 新民路 周庙大街 荆山路",
    "yanguan": "春熙路 宰相路 观潮路 盐官路 文庙路 宣德门路 城隍庙路 海塘路",
    "xieqiao": "斜桥路 庆云路 中新路 斜桥大道 华丰路 榨菜路 新华路",
    "dingqiao": "丁桥路 新仓路 丁桥大道 翔凤路 诸桥路 芦湾路",
    "yuanhua": "袁花路 新袁路 金庸路 夹山路 龙山路 谈桥路 红晓路",
    "huangwan": "黄湾路 尖山路 五丰路 闸口路 安江路 钱塘江路 新仓路",
}
VILLAGES = {
    "xiashi": "东山 西山 新塘 联丰",
    "haizhou": "海洲 东长 西长 新民",
    "haichang": "双喜 长山 农丰 谷水",
    "maqiao": "马桥 红旗 新潮 民主",
    "xucun": "许巷 永福 荡湾 新塘 联丰 茗山 李家",
    "changan": "兴福 辛江 高新 褚石 沈士 新民",
    "zhouwangmiao": "云龙 博儒桥 荆山 联民 星火 南庄",
    "yanguan": "郭店 桃园 丰士 城北 镇海 新民",
    "xieqiao": "庆云 华丰 仲乐 中新 新华 永庆",
    "dingqiao": "新仓 丁桥 诸桥 新民 芦湾 海星",
    "yuanhua": "新袁 谈桥 袁花 夹山 红晓 郭溪",
    "huangwan": "五丰 黄湾 尖山 闸口 安江 新仓",
}
HAMLET_SUFFIX = "埭 浜 桥 湾 弄 坝".split()
CENTROIDS = {  # approximate (lat, lon); "real-ish", enough to draw a map
    "xiashi": (30.512, 120.688),
    "haizhou": (30.508, 120.670),
    "haichang": (30.540, 120.676),
    "maqiao": (30.488, 120.722),
    "xucun": (30.405, 120.440),
    "changan": (30.462, 120.505),
    "zhouwangmiao": (30.505, 120.575),
    "yanguan": (30.412, 120.550),
    "xieqiao": (30.462, 120.598),
    "dingqiao": (30.440, 120.685),
    "yuanhua": (30.440, 120.800),
    "huangwan": (30.378, 120.880),
}
DEFAULT_CENTROID = (30.51, 120.68)

# business type code -> (weight, licence scheme, registrant class)
TYPE_MIX = {
    "catering": 0.22,
    "small_restaurant": 0.19,
    "food_sales": 0.25,
    "small_grocery": 0.11,
    "food_stall": 0.04,
    "online_catering": 0.04,
    "canteen": 0.05,
    "school_canteen": 0.025,
    "meal_distribution": 0.004,
    "food_production": 0.035,
    "small_workshop": 0.02,
    "health_food": 0.002,
}
BANQUET_EVERY, BANQUET_MAX, CENTRAL_KITCHEN_EVERY = 20, 150, 1000
PRODUCER_LINES = (  # (SC category code, name word, extra flags)
    ("16", "酱菜食品", "gi_xieqiao"),
    ("16", "榨菜食品", "gi_xieqiao"),
    ("14", "茶业", ""),
    ("15", "酒业", ""),
    ("04", "肉制品", "cold"),
    ("24", "食品", ""),
    ("25", "豆制品", "cold"),
    ("01", "粮油", ""),
    ("02", "粮油", ""),
    ("11", "冷冻食品", "cold"),
    ("06", "饮品", ""),
    ("18", "炒货食品", ""),
    ("03", "调味品", ""),
    ("12", "食品科技", ""),
    ("05", "乳业", "cold"),
    ("22", "水产食品", "cold"),
)
WORKSHOPS = (
    ("豆腐坊", "P25"),
    ("糕点坊", "P24"),
    ("酱鸭作坊", "P04"),
    ("米酒坊", "P15"),
    ("年糕坊", "P01"),
    ("榨菜作坊", "P16"),
    ("馒头作坊", "P24"),
)
DISHES = "面馆 小吃店 饭店 餐馆 馄饨店 羊肉馆 土菜馆 酒家 家常菜馆 快餐店 烧烤店 奶茶店 面包房 火锅店 大排档".split()
SMALL_DISHES = "小吃店 面馆 馄饨店 早餐店 粥铺 包子铺 麻辣烫 煎饺店 烧饼店".split()
SHOPS = "便利店 副食品店 水果店 粮油店 烟酒商行 食品商行 生鲜超市 母婴用品店".split()
GROCERIES = "小卖部 食杂店 烟杂店 南货店".split()
STALLS = "早餐摊 水果摊 烧饼摊 熟食摊 糕点摊 炒货摊".split()
SCHOOLS = "中心小学 实验小学 第二小学 初级中学 中学 中心幼儿园 实验幼儿园 幼儿园".split()
UNITS = (  # (name part, registrant class, weight)
    ("纺织有限公司", "91", 18),
    ("经编有限公司", "91", 18),
    ("皮革有限公司", "91", 14),
    ("电子科技有限公司", "91", 12),
    ("机械有限公司", "91", 10),
    ("新材料有限公司", "91", 8),
    ("机关", "11", 3),
    ("派出所", "11", 2),
    ("市场监管所", "11", 1),
    ("中心卫生院", "12", 3),
    ("社区卫生服务中心", "12", 3),
    ("敬老院", "12", 3),
    ("供电所", "91", 2),
)


@dataclass
class SeedResult:
    requested: int
    created: int
    skipped: int
    licences: int
    seconds: float

    def as_dict(self) -> dict:
        return {
            "requested": self.requested,
            "created": self.created,
            "skipped": self.skipped,
            "licences": self.licences,
            "seconds": round(self.seconds, 2),
        }


class _Codes:
    """Unique identifier bodies per row index: a bijection of i (mod 31^5 / 10^8 / 10^6), offset by the seed."""

    MOD31 = 31**5

    def __init__(self, seed: int):
        self.off31 = seed * 104729 % self.MOD31
        self.off10 = seed * 15485863 % 10**8
        self.off6 = seed * 7919 % 10**6

    def ma_body(self, i: int) -> str:
        n = (i * 7919 + self.off31) % self.MOD31
        chars = []
        for _ in range(5):
            n, r = divmod(n, 31)
            chars.append(USCC_ALPHA[r])
        return "MA2" + "".join(reversed(chars))

    def digit_body(self, i: int) -> str:
        return f"{(i * 7907 + self.off10) % 10**8:08d}"

    def seq6(self, i: int) -> int:
        return (i * 7 + self.off6) % 10**6


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng) -> str:
    if rng.random() < 0.3:
        return f"0573-{rng.choice(('87', '80', '86'))}{rng.randrange(10**6):06d}"
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _short(township: Township) -> str:
    name = township.name
    for suffix in ("街道", "镇", "新区"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _roads(code):
    return (ROADS.get(code) or "人民路 文化路 建设路 解放路").split()


def _villages(code):
    return (VILLAGES.get(code) or "新民 联丰").split()


class _Generator:
    def __init__(self, *, seed: int, as_of: dt.date):
        self.seed, self.as_of = seed, as_of
        self.codes = _Codes(seed)
        self.townships = list(Township.objects.filter(is_active=True).order_by("order", "id"))
        if not self.townships:
            raise RuntimeError("尚未加载镇街参考数据，请先运行 manage.py load_reference")
        pops = dict(TownshipPopulation.objects.filter(year=2020).values_list("township_id", "population"))
        self.weights = [pops.get(t.pk, 1) for t in self.townships]
        self.towns = [t for t in self.townships if t.kind == "town"] or self.townships
        self.town_weights = [pops.get(t.pk, 1) for t in self.towns]
        self.types = {bt.code: bt for bt in BusinessType.objects.all()}
        missing = (set(TYPE_MIX) | {"rural_banquet_center", "central_kitchen"}) - set(self.types)
        if missing:
            raise RuntimeError(f"缺少业态参考数据：{', '.join(sorted(missing))}")
        self.mix_codes = list(TYPE_MIX)
        self.mix_weights = list(TYPE_MIX.values())
        self.categories = {c.code: c for c in FoodCategory.objects.all()}
        self.sc_used: set[str] = set(Licence.objects.filter(kind="SC").values_list("number", flat=True))

    # ------------------------------------------------------------------------------------ one row
    def row(self, i: int) -> tuple[Enterprise, list[Licence], list[str]]:
        rng = random.Random(f"hn-seed:{self.seed}:{i}")
        if i % BANQUET_EVERY == 7 and i // BANQUET_EVERY < BANQUET_MAX:
            code = "rural_banquet_center"
        elif i % CENTRAL_KITCHEN_EVERY == 13:
            code = "central_kitchen"
        else:
            code = rng.choices(self.mix_codes, self.mix_weights)[0]
        if code == "rural_banquet_center":
            township = rng.choices(self.towns, self.town_weights)[0]
        else:
            township = rng.choices(self.townships, self.weights)[0]
        short = _short(township)
        tn = rng.choice(TRADE_NAMES)
        surname = rng.choice(SURNAMES)
        is_subdistrict = township.kind == "subdistrict"
        urban = rng.random() < (0.9 if is_subdistrict else 0.45)
        scale = Scale.SMALL
        cats: list[str] = []
        flags = {}
        registrant = "92"  # 个体工商户 unless stated otherwise
        digits_body = False
        licence_kind, licence_sub = LicenceKind.JY, "2"
        brand = []

        if code == "food_production":
            sc_cat, word, extra = rng.choice(PRODUCER_LINES)
            name = f"海宁{tn}{word}有限公司"
            registrant, digits_body = "91", rng.random() < 0.4
            scale = rng.choices((Scale.SMALL, Scale.MEDIUM, Scale.LARGE), (60, 30, 10))[0]
            cats = [f"P{sc_cat}"]
            licence_kind, licence_sub = LicenceKind.SC, "1" + sc_cat
            flags["cold_chain"] = extra == "cold"
            if extra == "gi_xieqiao" and township.code == "xieqiao":
                brand.append(BrandTag.GI)
            if rng.random() < 0.08:
                brand.append(BrandTag.PINZIBIAO)
            flags["responsibility_list"] = rng.random() < 0.93
        elif code == "health_food":
            name = f"海宁{tn}生物科技有限公司"
            registrant, scale, cats = "91", rng.choice((Scale.MEDIUM, Scale.LARGE)), ["P27"]
            licence_kind, licence_sub = LicenceKind.SC, "127"
            flags["responsibility_list"] = True
        elif code == "small_workshop":
            word, cat = rng.choice(WORKSHOPS)
            name = f"海宁市{short}{surname}记{word}"
            scale, cats, licence_kind = Scale.MICRO, [cat], LicenceKind.DJ
        elif code == "food_sales":
            roll = rng.random()
            if roll < 0.03:
                name = f"{rng.choice(SUPERMARKET_BRANDS)}超市（海宁{short}{rng.choice(_roads(township.code))}店）"
                registrant, scale = "91", rng.choice((Scale.MEDIUM, Scale.LARGE))
            elif roll < 0.25:
                name = f"海宁{tn}商贸有限公司"
                registrant, scale = "91", Scale.SMALL
            else:
                name = f"海宁市{short}{tn}{rng.choice(SHOPS)}"
                scale = rng.choice((Scale.MICRO, Scale.SMALL))
            cats = ["S01"] + rng.sample(["S02", "S03", "S04", "S06", "S05", "S07"], k=rng.randint(0, 3))
            if rng.random() < 0.3 and scale in (Scale.MICRO, Scale.SMALL):
                licence_kind, licence_sub, cats = LicenceKind.YB, rng.choice("12"), ["S01"]
            else:
                licence_sub = "1"
            flags["cold_chain"] = "S02" in cats or "S04" in cats
        elif code == "small_grocery":
            name = f"海宁市{short}{surname}记{rng.choice(GROCERIES)}"
            scale, cats, licence_kind = Scale.MICRO, ["S01"], LicenceKind.DJ
        elif code == "food_stall":
            name = f"海宁市{short}{surname}记{rng.choice(STALLS)}"
            scale, cats, licence_kind = Scale.MICRO, [rng.choice(("S03", "S06", "C01"))], LicenceKind.DK
        elif code == "catering":
            if rng.random() < 0.35:
                name = f"海宁{tn}{rng.choice(('餐饮管理', '酒店', '餐饮'))}有限公司"
                registrant = "91"
                scale = rng.choices((Scale.SMALL, Scale.MEDIUM, Scale.LARGE), (55, 35, 10))[0]
            else:
                name = f"海宁市{short}{surname}记{rng.choice(DISHES)}"
                scale = rng.choices((Scale.MICRO, Scale.SMALL, Scale.MEDIUM), (35, 55, 10))[0]
            cats = ["C01"] + rng.sample(["C02", "C04", "C05", "C03"], k=rng.randint(0, 2))
            flags["sunshine_kitchen"] = rng.random() < 0.45
            flags["online_catering"] = rng.random() < 0.35
        elif code == "small_restaurant":
            name = f"海宁市{short}{surname}记{rng.choice(SMALL_DISHES)}"
            scale, cats, licence_kind = Scale.MICRO, ["C01"], LicenceKind.DJ
            flags["sunshine_kitchen"] = rng.random() < 0.2
            flags["online_catering"] = rng.random() < 0.25
        elif code == "online_catering":
            name = rng.choice((f"海宁市{short}{tn}外卖店", f"{surname}记外卖（海宁{short}店）"))
            scale, cats = Scale.SMALL, ["C01", "C02"][: rng.randint(1, 2)]
            flags["online_catering"] = True
            flags["sunshine_kitchen"] = rng.random() < 0.92
        elif code == "canteen":
            unit, registrant, _ = rng.choices(UNITS, [u[2] for u in UNITS])[0]
            if unit == "机关":
                name = f"海宁市{short}{'街道办事处' if is_subdistrict else '人民政府'}机关食堂"
            elif unit.endswith("有限公司"):
                name = f"海宁{tn}{unit}职工食堂"
            else:
                name = f"海宁市{short}{unit}食堂"
            digits_body = registrant != "91" or rng.random() < 0.5
            licence_sub, cats = "3", ["C01"]
            scale = rng.choice((Scale.SMALL, Scale.MEDIUM))
            flags["sunshine_kitchen"] = rng.random() < 0.8
        elif code == "school_canteen":
            roll = rng.random()
            if roll < 0.35:
                school = rng.choice(SCHOOLS)
            elif roll < 0.65:
                school = rng.choice(_villages(township.code)) + rng.choice(("小学", "幼儿园"))
            else:
                school = rng.choice(TRADE_NAMES) + rng.choice(("幼儿园", "幼儿园", "双语幼儿园", "托育园"))
            name = f"海宁市{short}{school}食堂"
            registrant, digits_body, licence_sub = "12", True, "3"
            cats, scale = ["C01", "C02"][: rng.randint(1, 2)], rng.choice((Scale.SMALL, Scale.MEDIUM))
            flags["sunshine_kitchen"] = True
            flags["liability_insurance"] = rng.random() < 0.95
        elif code == "meal_distribution":
            name = f"海宁{tn}团餐配送有限公司"
            registrant, scale, cats = "91", Scale.MEDIUM, ["C01", "C02"]
            flags.update(sunshine_kitchen=True, cold_chain=True, liability_insurance=True)
        elif code == "central_kitchen":
            name = f"海宁{tn}中央厨房有限公司"
            registrant, scale, cats = "91", rng.choice((Scale.MEDIUM, Scale.LARGE)), ["C01", "C02", "C04"]
            flags.update(sunshine_kitchen=True, cold_chain=True, liability_insurance=True, responsibility_list=True)
        elif code == "rural_banquet_center":
            village = rng.choice(_villages(township.code))
            name = f"海宁市{short}{village}村农村家宴中心"
            scale, cats, urban = Scale.SMALL, ["C01"], False
            flags["sunshine_kitchen"] = True
            flags["liability_insurance"] = rng.random() < 0.9
            if rng.random() < 0.3:
                licence_kind = LicenceKind.DJ
        else:  # pragma: no cover - TYPE_MIX and the branches are kept in step
            raise AssertionError(code)

        if code in ("catering", "canteen", "online_catering", "food_sales") and scale in (Scale.MEDIUM, Scale.LARGE):
            flags.setdefault("responsibility_list", rng.random() < 0.85)
        flags.setdefault("responsibility_list", rng.random() < 0.25)
        flags.setdefault("liability_insurance", rng.random() < (0.3 if code.endswith("catering") else 0.1))
        flags.setdefault("sunshine_kitchen", False)
        flags.setdefault("online_catering", False)
        flags.setdefault("cold_chain", False)
        flags["sunshine_kitchen_online"] = flags["sunshine_kitchen"] and rng.random() < 0.85

        # --- identifiers
        if registrant == "92" or (registrant == "91" and not digits_body):
            body = self.codes.ma_body(i)
        else:
            body = self.codes.digit_body(i)
        uscc = make_uscc(f"{registrant}330481", body)

        # --- address and coordinates
        roads = _roads(township.code)
        if urban:
            address = f"浙江省海宁市{township.name}{rng.choice(roads)}{rng.randint(1, 688)}号"
        else:
            village = rng.choice(_villages(township.code))
            hamlet = f"{rng.choice(SURNAMES)}家{rng.choice(HAMLET_SUFFIX)}"
            address = f"浙江省海宁市{township.name}{village}村{hamlet}{rng.randint(1, 99)}号"
        registered = (
            address if rng.random() < 0.9 else f"浙江省海宁市{township.name}{rng.choice(roads)}{rng.randint(1, 688)}号"
        )
        lat0, lon0 = CENTROIDS.get(township.code, DEFAULT_CENTROID)
        lat = round(lat0 + rng.uniform(-0.02, 0.02), 6)
        lon = round(lon0 + rng.uniform(-0.025, 0.025), 6)

        # --- status
        roll = rng.random()
        status = (
            EnterpriseStatus.OPERATING
            if roll < 0.91
            else (EnterpriseStatus.SUSPENDED if roll < 0.96 else EnterpriseStatus.CANCELLED)
        )
        deactivated_at, status_reason = None, ""
        if status != EnterpriseStatus.OPERATING:
            day = self.as_of - dt.timedelta(days=rng.randint(10, 700))
            deactivated_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
            status_reason = rng.choice(
                ("经营者申请停业", "店面装修", "租约到期", "转让经营")
                if status == EnterpriseStatus.SUSPENDED
                else ("经营者申请注销", "吊销营业执照", "迁出海宁")
            )

        person = _person(rng)
        health = {
            Scale.MICRO: rng.randint(1, 3),
            Scale.SMALL: rng.randint(2, 12),
            Scale.MEDIUM: rng.randint(10, 45),
            Scale.LARGE: rng.randint(40, 220),
        }[scale]
        ent = Enterprise(
            name=name,
            uscc=uscc,
            legal_representative=person,
            contact_person=person if rng.random() < 0.6 else _person(rng),
            contact_phone=_phone(rng),
            registered_address=registered,
            business_address=address,
            township_id=township.pk,
            latitude=lat,
            longitude=lon,
            status=status,
            status_reason=status_reason,
            deactivated_at=deactivated_at,
            business_type_id=self.types[code].pk,
            scale=scale,
            area_type=AreaType.URBAN if urban else AreaType.RURAL,
            sunshine_kitchen=flags["sunshine_kitchen"],
            sunshine_kitchen_online=flags["sunshine_kitchen_online"],
            online_catering=flags["online_catering"],
            responsibility_list=flags["responsibility_list"],
            responsibility_list_date=(self.as_of - dt.timedelta(days=rng.randint(30, 900)))
            if flags["responsibility_list"]
            else None,
            liability_insurance=flags["liability_insurance"],
            third_party_evaluator=rng.choice(EVALUATORS)
            if urban and self.types[code].sector == "catering" and rng.random() < 0.25
            else "",
            cold_chain=flags["cold_chain"],
            brand_tags=sorted(set(brand)),
            health_cert_count=health,
            health_cert_next_expiry=self.as_of + dt.timedelta(days=rng.randint(-20, 365)),
            version=1,
        )

        # --- licence
        issued = self.as_of - dt.timedelta(days=rng.randint(20, 5 * 365 + 60))
        expires = _plus_years(issued, 5) - dt.timedelta(days=1)
        seq = self.codes.seq6(i)
        if licence_kind == LicenceKind.SC:
            seq4 = seq % 10**4
            while True:
                number = make_licence_number("SC", f"{licence_sub}330481{seq4:04d}")
                if number not in self.sc_used:
                    break
                seq4 = (seq4 + 1) % 10**4
            self.sc_used.add(number)
        elif licence_kind in (LicenceKind.JY, LicenceKind.YB):
            number = make_licence_number(licence_kind, f"{licence_sub}330481{seq:06d}")
        else:
            number = f"{licence_kind}330481{issued.year}{seq:06d}"
        licence = Licence(
            kind=licence_kind,
            number=number,
            issued_on=issued,
            expires_on=expires,
            is_active=status != EnterpriseStatus.CANCELLED,
        )
        return ent, [licence], cats


def enterprises_seed_demo(
    *,
    count: int,
    seed: int = 20201101,
    as_of: dt.date | None = None,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Make rows 0..count-1 of the demo registry (skipping USCCs that exist) in one transaction; one audit event."""
    started = time.monotonic()
    as_of = as_of or timezone.localdate()
    gen = _Generator(seed=seed, as_of=as_of)
    created = skipped = licences = 0
    through = Enterprise.food_categories.through
    with transaction.atomic():
        for start in range(0, count, batch_size):
            rows = [gen.row(i) for i in range(start, min(count, start + batch_size))]
            codes = [ent.uscc for ent, _, _ in rows]
            existing = set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
            numbers = [lic.number for _, lics, _ in rows for lic in lics]
            taken = set(Licence.objects.filter(number__in=numbers).values_list("number", flat=True))
            fresh = [r for r in rows if r[0].uscc not in existing]
            skipped += len(rows) - len(fresh)
            Enterprise.objects.bulk_create([ent for ent, _, _ in fresh], batch_size=batch_size)
            links, lics = [], []
            for ent, ent_licences, cats in fresh:
                links += [through(enterprise_id=ent.pk, foodcategory_id=gen.categories[c].pk) for c in cats]
                for lic in ent_licences:
                    if lic.number not in taken:
                        lic.enterprise_id = ent.pk
                        lics.append(lic)
            through.objects.bulk_create(links, batch_size=batch_size)
            Licence.objects.bulk_create(lics, batch_size=batch_size)
            created += len(fresh)
            licences += len(lics)
            if progress:
                progress(min(count, start + batch_size), count)
        result = SeedResult(count, created, skipped, licences, time.monotonic() - started)
        audit_record(
            "enterprise.seed_demo",
            object_type="enterprises.enterprise",
            extra={**result.as_dict(), "seed": seed, "as_of": as_of.isoformat()},
        )
    return result

"""Shared makers of the lab tests: a small catalogue (one item per judgement type, a versioned limit, an item of
another category, an item without a limit in force), a sample at township A tested by a lab with one member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group

from apps.accounts.roles import ROLE_BY_CODE
from apps.sampling.choices import OrganisationKind
from apps.sampling.models import Organisation
from apps.standards.choices import JudgementType
from tests.factories.sampling import (
    OrganisationFactory,
    SampleFactory,
    SamplingCategoryFactory,
    StandardFactory,
    TestItemFactory,
    TestLimitFactory,
)

PASSWORD = "Test#pass-2026"


@dataclass
class Catalogue:
    major: object
    sub: object
    other: object
    pb: object
    protein: object
    moisture: object
    clenbuterol: object
    tpc: object
    foreign: object
    future_only: object


def make_catalogue() -> Catalogue:
    major = SamplingCategoryFactory(code="LAB-01", name="蔬菜及其制品", level=1)
    sub = SamplingCategoryFactory(code="LAB-0101", name="叶菜类蔬菜", level=2, parent=major)
    other = SamplingCategoryFactory(code="LAB-02", name="饮料", level=1)
    gb2762 = StandardFactory(
        number="2762", year=2022, title="食品安全国家标准 食品中污染物限量", effective_date=dt.date(2023, 6, 30)
    )
    gb2762_new = StandardFactory(
        number="2762", year=2025, title="食品安全国家标准 食品中污染物限量", effective_date=dt.date(2026, 9, 2)
    )
    method = StandardFactory(number="5009", part="12", year=2023, title="食品安全国家标准 食品中铅的测定")
    product = StandardFactory(
        number="19300", year=2014, title="食品安全国家标准 坚果与籽类食品", effective_date=dt.date(2015, 5, 24)
    )
    gb31650 = StandardFactory(
        number="31650", year=2019, title="食品安全国家标准 食品中兽药最大残留限量", effective_date=dt.date(2020, 4, 1)
    )
    gb29921 = StandardFactory(
        number="29921", year=2021, title="食品安全国家标准 预包装食品中致病菌限量", effective_date=dt.date(2021, 11, 22)
    )
    future = StandardFactory(number="99999", year=2027, title="未来标准", effective_date=dt.date(2027, 6, 1))

    def item(code, name, category, **kw):
        obj = TestItemFactory(code=code, name=name, **kw)
        obj.categories.add(category)
        return obj

    pb = item("pb", "铅", major)  # on the 大类: applies to the 亚类 sample through its ancestor
    TestLimitFactory(test_item=pb, judging_standard=gb2762, method_standard=method, max_limit=Decimal("0.3"))
    TestLimitFactory(test_item=pb, judging_standard=gb2762_new, method_standard=method, max_limit=Decimal("0.2"))
    protein = item("protein", "蛋白质", sub)
    TestLimitFactory(
        test_item=protein, judging_standard=product, judgement_type=JudgementType.MIN, min_limit=Decimal("2.9"),
        max_limit=None, unit="g/100g", detection_limit=None, detection_limit_unit="",
    )  # fmt: skip
    moisture = item("moisture", "水分", sub)
    TestLimitFactory(
        test_item=moisture, judging_standard=product, judgement_type=JudgementType.RANGE, min_limit=Decimal("10"),
        max_limit=Decimal("14"), unit="g/100g", detection_limit=None, detection_limit_unit="",
    )  # fmt: skip
    clenbuterol = item("clenbuterol", "克伦特罗", sub)
    TestLimitFactory(
        test_item=clenbuterol, judging_standard=gb31650, judgement_type=JudgementType.NOT_DETECTED, max_limit=None,
        unit="μg/kg", detection_limit=Decimal("0.5"), detection_limit_unit="μg/kg",
    )  # fmt: skip
    tpc = item("tpc", "菌落总数", sub, is_microbiological=True)
    TestLimitFactory(
        test_item=tpc, judging_standard=gb29921, judgement_type=JudgementType.MICRO, max_limit=None, unit="CFU/g",
        micro_n=5, micro_c=2, micro_m=Decimal("100000"), micro_big_m=Decimal("1000000"), detection_limit=None,
        detection_limit_unit="",
    )  # fmt: skip
    foreign = item("caffeine", "咖啡因", other)
    TestLimitFactory(test_item=foreign, judging_standard=product, max_limit=Decimal("150"), unit="mg/kg")
    future_only = item("newtoxin", "新污染物", sub)
    TestLimitFactory(test_item=future_only, judging_standard=future, max_limit=Decimal("1"))
    return Catalogue(major, sub, other, pb, protein, moisture, clenbuterol, tpc, foreign, future_only)


def make_lab(name: str, *, recheck: bool = True, uscc: str = "") -> Organisation:
    return OrganisationFactory(name=name, kind=OrganisationKind.LAB, is_recheck_lab=recheck, uscc=uscc)


def make_lab_user(username: str, lab: Organisation):
    from apps.accounts.models import User

    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    user.groups.add(Group.objects.get(name=ROLE_BY_CODE["lab_staff"].label))
    lab.members.add(user)
    return User.objects.get(pk=user.pk)


def make_sample(category, township, *, lab=None, production_date=dt.date(2026, 3, 1), **kw):
    extra = {"task__lab": lab} if lab is not None else {}
    return SampleFactory(
        task__plan_line__category=category,
        task__plan_line__township=township,
        production_date=production_date,
        sampled_on=kw.pop("sampled_on", production_date + dt.timedelta(days=1)),
        **extra,
        **kw,
    )


def lead(value="0.05", unit="mg/kg", **kw):
    return {"test_item": "pb", "value_text": value, "unit": unit, **kw}


# ---------------------------------------------------------------------------- for contracts (no fixtures)
def ensure_catalogue() -> Catalogue:
    """The catalogue, made once per database (the contract classes and the feed contract call makers directly)."""
    from apps.standards.models import SamplingCategory, TestItem

    if not SamplingCategory.objects.filter(code="LAB-01").exists():
        return make_catalogue()
    get = TestItem.objects.get
    cats = {c.code: c for c in SamplingCategory.objects.filter(code__in=["LAB-01", "LAB-0101", "LAB-02"])}
    return Catalogue(
        cats["LAB-01"], cats["LAB-0101"], cats["LAB-02"], get(code="pb"), get(code="protein"), get(code="moisture"),
        get(code="clenbuterol"), get(code="tpc"), get(code="caffeine"), get(code="newtoxin"),
    )  # fmt: skip


def contract_lab_user():
    from apps.accounts.models import User

    lab = make_lab("契约测试检验机构", recheck=False)
    user = User.objects.filter(username="contract_lab").first() or make_lab_user("contract_lab", lab)
    return lab, user


def reported_result(township, value="0.9"):
    """A supervisory sample in ``township`` reported through the service with one 铅 result (0.9: 不合格, which
    opens a disposal); returns the ResultItem."""
    from apps.sampling.choices import EntryChannel
    from apps.sampling.lab.services.results import results_submit

    catalogue = ensure_catalogue()
    lab, user = contract_lab_user()
    sample = make_sample(catalogue.sub, township, lab=lab)
    results_submit(user, sample, [lead(value)], channel=EntryChannel.API)
    return sample.results.get()


def recheck_overturning(row):
    """The 复检 of ``row``'s sample by a randomly drawn lab, 合格: a new result row (is_recheck) in the feed."""
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.sampling.choices import EntryChannel
    from apps.sampling.lab.services import disposals as ds
    from apps.sampling.lab.services.results import results_submit

    make_lab("契约测试复检机构甲")
    make_lab("契约测试复检机构乙")
    city = User.objects.filter(username="contract_city").first()
    if city is None:
        from tests.conftest import make_user

        city = make_user("contract_city", "city_staff")
    disposal = row.sample.disposal
    today = timezone.localdate()
    ds.disposal_notify(actor=city, disposal_id=disposal.pk, notified_on=today)
    ds.disposal_recheck_request(actor=city, disposal_id=disposal.pk, requested_on=today)
    disposal.refresh_from_db()
    rechecker = User.objects.filter(username=f"rechecker{disposal.recheck_lab_id}").first() or make_lab_user(
        f"rechecker{disposal.recheck_lab_id}", disposal.recheck_lab
    )
    results_submit(rechecker, row.sample, [lead("0.1")], channel=EntryChannel.API, is_recheck=True)
    return row.sample.results.get(is_recheck=True)

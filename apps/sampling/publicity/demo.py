"""Demo data of sampling/publicity (`make run` → setup_demo → ``seed_demo_sampling_publicity``, demo mode only).

A newcomer should see, on /public/sampling/votes/, topics being voted on, one topic adopted into a plan with its
published results and a quick test whose objection window is still open; on /public/sampling/results/ and on
/sampling/publications/, published results, results waiting for publication and an overdue one.

Topics, votes, closing, adoption and publication go through the services (as the demo city staff ``shiju``), so
they are audited. The tasks and samples behind them are written directly — the fieldwork and lab services that will
write them are other subpackages' — and are marked "（演示）". Idempotent: a second run finds the first topic and stops.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Township, User
from apps.enterprises.models import Enterprise
from apps.standards.models import SamplingCategory, TestItem

from ..choices import (
    DisposalStatus,
    LineSource,
    OrganisationKind,
    SampleKind,
    SamplingPurpose,
    Stage,
    Verdict,
)
from ..models import Disposal, Organisation, ResultItem, Sample, SamplingPlan, SamplingTask, VoteTopic
from . import voting
from .services import publications as publication_services
from .services import votes as vote_services

FIRST_TOPIC = "农贸市场豇豆农药残留"
OPEN_TOPICS = (
    (FIRST_TOPIC, "豇豆是农药残留不合格的高发品种。您希望我们去哪个市场抽检？", 137),
    ("小龙虾重金属（镉）", "夏季小龙虾消费旺季，抽检餐饮店和水产摊位的小龙虾。", 96),
    ("校园周边烧烤摊食用油", "抽检煎炸用油的极性组分和酸价。", 58),
    ("网红奶茶的糖和防腐剂", "抽检现制饮品中的甜蜜素、山梨酸等。", 41),
)
ADOPTED_TOPIC = ("菜市场韭菜农药残留", "韭菜腐霉利、毒死蜱等农药残留。", 203)
CLOSED_TOPIC = ("散装熟食菌落总数", "节日期间散装熟食的微生物指标。", 64)


def _category(code: str, name: str) -> SamplingCategory:
    found = SamplingCategory.objects.filter(name=name, is_active=True).order_by("level").first()
    return found or SamplingCategory.objects.get_or_create(code=code, defaults={"name": name, "level": 1})[0]


def _item(code: str, name: str, category: SamplingCategory) -> TestItem:
    item = (
        TestItem.objects.filter(name=name).first()
        or TestItem.objects.get_or_create(code=code, defaults={"name": name})[0]
    )
    item.categories.add(category)
    return item


def _votes(topic: VoteTopic, n: int, tag: str) -> None:
    for i in range(n):
        vote_services.vote_cast(topic_id=topic.pk, voter_key=voting.voter_key(f"demo-{tag}-{i}"))


@transaction.atomic
def seed_demo(*, stdout=None) -> str:
    def say(text):
        if stdout is not None:
            stdout.write(text)

    if VoteTopic.objects.filter(title=FIRST_TOPIC).exists():
        return "你点我检演示数据已存在，跳过。"
    actor = User.objects.filter(username="shiju", is_active=True).first()
    township = Township.objects.filter(code="xiashi").first()
    if actor is None or township is None:
        return "缺少演示账户 shiju 或硖石街道，跳过你点我检演示数据。"
    today = timezone.localdate()
    vegetables = _category("demo-veg", "蔬菜")
    aquatic = _category("demo-aqua", "水产品")
    cooked = _category("demo-cooked", "熟肉制品")
    for (title, description, n), category in zip(OPEN_TOPICS, (vegetables, aquatic, None, None), strict=True):
        topic = vote_services.topic_create(
            actor=actor,
            data={
                "title": title,
                "description": description,
                "category": category,
                "township": None,
                "opens_on": today - dt.timedelta(days=6),
                "closes_on": today + dt.timedelta(days=24),
            },
        )
        _votes(topic, n, str(topic.pk))
    closed = vote_services.topic_create(
        actor=actor,
        data={
            "title": CLOSED_TOPIC[0],
            "description": CLOSED_TOPIC[1],
            "category": cooked,
            "township": None,
            "opens_on": today - dt.timedelta(days=20),
            "closes_on": today,
        },
    )
    _votes(closed, CLOSED_TOPIC[2], f"c{closed.pk}")
    vote_services.topic_close(actor=actor, topic_id=closed.pk)

    plan, _ = SamplingPlan.objects.get_or_create(
        year=today.year,
        name=f"{today.year}年食品安全监督抽检计划（你点我检演示）",
        defaults={"purpose": SamplingPurpose.SUPERVISORY, "status": "approved"},
    )
    adopted = vote_services.topic_create(
        actor=actor,
        data={
            "title": ADOPTED_TOPIC[0],
            "description": ADOPTED_TOPIC[1],
            "category": vegetables,
            "township": township,
            "opens_on": today - dt.timedelta(days=40),
            "closes_on": today,
        },
    )
    _votes(adopted, ADOPTED_TOPIC[2], f"a{adopted.pk}")
    vote_services.topic_close(actor=actor, topic_id=adopted.pk)
    adopted = vote_services.topic_adopt(actor=actor, topic_id=adopted.pk, plan_id=plan.pk, month=today.month, batches=6)
    say(f"你点我检：{len(OPEN_TOPICS) + 2} 个题目，“{adopted.title}”已列入计划。")

    enterprises = list(Enterprise.objects.filter(township=township, status="operating").order_by("id")[:8])
    if len(enterprises) < 6:
        return "演示名录企业不足，只生成了你点我检题目。"
    sampler_org, _ = Organisation.objects.get_or_create(
        name="海宁市食品快检服务站（演示）", defaults={"kind": OrganisationKind.SAMPLER}
    )
    lab, _ = Organisation.objects.get_or_create(
        name="嘉兴市食品检验检测中心（演示）", defaults={"kind": OrganisationKind.LAB}
    )
    lead = _item("demo-pb", "铅（以Pb计）", vegetables)
    pesticide = _item("demo-op", "有机磷和氨基甲酸酯类农药", vegetables)
    line = adopted.plan_line
    yy = today.strftime("%y")

    def sample(i, enterprise, *, name, days_ago, conclusion="", quick=False, kind=SampleKind.AGRICULTURAL):
        task = SamplingTask.objects.create(
            plan=plan,
            plan_line=line,
            enterprise=enterprise,
            category=vegetables,
            sampling_org=sampler_org,
            lab=lab,
            status="sampled",
            created_by=actor,
        )
        concluded_at = timezone.now() - dt.timedelta(days=days_ago - 8) if conclusion else None
        return Sample.objects.create(
            task=task,
            number=f"DC{yy}3304819{i:06d}",
            purpose=SamplingPurpose.SUPERVISORY,
            source=LineSource.VOTE,
            stage=Stage.CIRCULATION,
            place_type="农贸市场",
            category=vegetables,
            sampling_org=sampler_org,
            lab=lab,
            samplers=["张抽样", "李抽样"],
            enterprise=enterprise,
            township=township,
            site_name=enterprise.name,
            site_address=enterprise.business_address,
            site_uscc=enterprise.uscc,
            sample_kind=kind,
            name=name,
            production_date=today - dt.timedelta(days=days_ago + 1),
            sampled_on=today - dt.timedelta(days=days_ago),
            quantity=2,
            backup_quantity=1,
            quantity_unit="kg",
            backup_seal_no=f"FY{yy}{i:06d}",
            backup_sealed_by_site=True,
            is_quick_test=quick,
            status="reported" if conclusion else "sampled",
            conclusion=conclusion,
            concluded_at=concluded_at,
            report_no=f"JX{yy}{i:05d}" if conclusion else "",
            remarks="（演示）",
            created_by=actor,
        )

    good = sample(1, enterprises[0], name="韭菜", days_ago=30, conclusion=Verdict.QUALIFIED)
    bad = sample(2, enterprises[1], name="韭菜（散装）", days_ago=32, conclusion=Verdict.UNQUALIFIED)
    ResultItem.objects.create(
        sample=bad,
        test_item=lead,
        lab=lab,
        value=Decimal("0.42"),
        value_text="0.42",
        unit="mg/kg",
        verdict=Verdict.UNQUALIFIED,
        judging_basis="GB 2762-2022《食品安全国家标准 食品中污染物限量》",
        method_basis="GB 5009.12-2023",
        max_limit_text="0.3",
        limit_unit="mg/kg",
        entered_by=actor,
    )
    Disposal.objects.create(
        sample=bad,
        status=DisposalStatus.CLOSED,
        opened_on=today - dt.timedelta(days=24),
        notify_due=today - dt.timedelta(days=17),
        notified_on=today - dt.timedelta(days=20),
        recheck_due=today - dt.timedelta(days=10),
        verify_due=today + dt.timedelta(days=60),
        closed_on=today - dt.timedelta(days=2),
        measures=["下架", "封存", "立案调查"],
        outcome="经营者已下架并封存同批次韭菜 12 kg，立案调查；已责令查明进货来源并整改。",
    )
    for s in (good, bad):
        publication_services.publication_due_set(sample_id=s.pk)
        publication_services.sample_publish(actor=actor, sample_id=s.pk)
    quick = sample(3, enterprises[2], name="豇豆", days_ago=0, quick=True)
    ResultItem.objects.create(
        sample=quick,
        test_item=pesticide,
        lab=sampler_org,
        value_text="阴性",
        verdict=Verdict.QUALIFIED,
        method_basis="GB/T 5009.199-2003 速测卡法",
        explanation="快检（初筛）结果，不作为检验结论",
        entered_by=actor,
    )
    Sample.objects.filter(pk=quick.pk).update(quick_test_result_at=timezone.now() - dt.timedelta(hours=1))
    # waiting on the staff list: two within the clock, one overdue (held: not yet delivered to the enterprise)
    for i, (enterprise, days) in enumerate(((enterprises[3], 9), (enterprises[4], 12)), start=4):
        s = sample(i, enterprise, name="小白菜", days_ago=days, conclusion=Verdict.QUALIFIED)
        publication_services.publication_due_set(sample_id=s.pk)
    late = sample(6, enterprises[5], name="芹菜", days_ago=48, conclusion=Verdict.UNQUALIFIED)
    ResultItem.objects.create(
        sample=late,
        test_item=lead,
        lab=lab,
        value=Decimal("0.35"),
        value_text="0.35",
        unit="mg/kg",
        verdict=Verdict.UNQUALIFIED,
        judging_basis="GB 2762-2022《食品安全国家标准 食品中污染物限量》",
        max_limit_text="0.3",
        limit_unit="mg/kg",
        entered_by=actor,
    )
    Disposal.objects.create(
        sample=late,
        opened_on=today - dt.timedelta(days=38),
        notify_due=today - dt.timedelta(days=31),
        verify_due=today + dt.timedelta(days=50),
    )
    publication_services.publication_due_set(sample_id=late.pk)
    say("抽检结果公开：2 条已公开（含 1 条不合格及处置结果），3 条待公开（1 条超期），1 条快检。")
    return "你点我检与抽检结果公开演示数据已生成。"

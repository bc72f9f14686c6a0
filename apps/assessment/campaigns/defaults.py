"""The default campaigns and targets of assessment/campaigns, as data (DOMAIN.md §S: every number of the seed is a
target stored with the year it applies to). Shipped as defaults for the city to confirm (``is_default``, and a note
on each row saying where the number comes from).

``defaults_load(models)`` creates what is missing and never overwrites a row staff have edited (a campaign by its
code, a target by campaign + code + effective date). The data migration ``0002_campaigns_defaults`` runs it, so every
database (tests included) has the eight campaigns; ``services.defaults_ensure`` runs it again (a database whose
tables were emptied).

Where the seed names no number for a campaign (农药兽药、校园、农村假冒伪劣、保健食品、优质粮食), the default target
is the share of the year's work plan done, entered by 市局 with evidence (100 %, a local choice to confirm)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

SEED = "《海宁市人民政府关于加强食品安全工作的实施意见》"
EFFECTIVE_FROM = dt.date(2021, 1, 1)
SEED_NOTE = "默认值，依" + SEED + "{section}，待市局确认"
LOCAL_NOTE = "默认值：《实施意见》未给出数值，按年度工作方案完成率人工录入（本地选择），待市局确认"

# code, name, description, seed section
CAMPAIGNS: tuple[tuple[str, str, str, str], ...] = (
    (
        "risk_monitoring",
        "风险监测和标准实施",
        "风险监测样本量稳定在每年 1 件/千人以上，食品抽检量达到 4.5 批次/千人以上；全面落实国家标准和地方标准。",
        "三(四)、三(五)",
    ),
    (
        "agri_inputs",
        "农药兽药使用减量和产地环境净化",
        "加强农业投入品管理，推进农药兽药使用减量，加大土壤、大气、水污染防治力度。",
        "三(四)、三(二)",
    ),
    ("campus", "校园食品安全守护", "守护校园及周边食品安全。", "三(四)"),
    ("rural_counterfeit", "农村假冒伪劣食品治理", "治理农村地区假冒伪劣食品。", "三(四)"),
    (
        "catering",
        "餐饮质量安全提升",
        "建设完成农村家宴中心 150 家、阳光厨房全覆盖；网络餐饮在线“阳光厨房”覆盖率 100%；"
        "城区餐饮单位每 100 家配备 1 名第三方评估监测人员；从业人员免费健康体检。",
        "三(四)、三(二)、三(三)",
    ),
    ("health_food", "保健食品行业清理整治", "清理整治保健食品行业。", "三(四)"),
    ("quality_grain", "优质粮食工程", "实施优质粮食工程；严禁不符合食品安全标准的粮食进入食品流通领域。", "三(四)"),
    (
        "dual_safety",
        "“双安双创”示范引领",
        "食品安全市县创建和农产品质量安全县创建；食品生产企业和大中型食品经营企业全面建立主体责任落实清单；"
        "扩大食品安全责任保险覆盖面。",
        "一、三(四)、四(三)",
    ),
)

# campaign code, target code, label, measure code ("" manual), target value (None: no number), unit, scope,
# higher is better, source, note
TARGETS: tuple[tuple, ...] = (
    (
        "risk_monitoring",
        "food_batches",
        "食品抽检量",
        "sampling.food_batches_per_1000",
        Decimal("4.5"),
        "批次/千人",
        "township",
        True,
        "三(五)",
        SEED_NOTE.format(section="三(五)"),
    ),
    (
        "risk_monitoring",
        "monitoring",
        "风险监测样本量",
        "sampling.monitoring_per_1000",
        Decimal("1"),
        "件/千人",
        "township",
        True,
        "三(五)",
        SEED_NOTE.format(section="三(五)"),
    ),
    ("agri_inputs", "work_plan", "年度工作方案完成率", "", Decimal("100"), "%", "city", True, "", LOCAL_NOTE),
    ("campus", "work_plan", "年度工作方案完成率", "", Decimal("100"), "%", "city", True, "", LOCAL_NOTE),
    ("rural_counterfeit", "work_plan", "年度工作方案完成率", "", Decimal("100"), "%", "city", True, "", LOCAL_NOTE),
    (
        "catering",
        "rural_banquet_centres",
        "农村家宴中心",
        "enterprises.rural_banquet_centres",
        Decimal("150"),
        "个",
        "city",
        True,
        "三(三) 农村家宴",
        SEED_NOTE.format(section="三(三)"),
    ),
    (
        "catering",
        "sunshine_kitchen_online",
        "网络餐饮阳光厨房覆盖率",
        "enterprises.sunshine_kitchen_online",
        Decimal("100"),
        "%",
        "township",
        True,
        "三(二) 网络餐饮",
        SEED_NOTE.format(section="三(二)"),
    ),
    (
        "catering",
        "evaluators",
        "第三方评估监测人员（每百家城区餐饮）",
        "enterprises.evaluators_per_100_urban_caterers",
        Decimal("1"),
        "人/百家",
        "township",
        True,
        "三(三) 第三方评估",
        SEED_NOTE.format(section="三(三)"),
    ),
    (
        "catering",
        "health_certificates",
        "从业人员健康证有效率",
        "enterprises.health_certificates",
        None,
        "%",
        "township",
        True,
        "三(三) 健康体检",
        "默认：《实施意见》要求做好从业人员免费健康体检，未给出数值，只显示进展，待市局确认",
    ),
    ("health_food", "work_plan", "年度工作方案完成率", "", Decimal("100"), "%", "city", True, "", LOCAL_NOTE),
    ("quality_grain", "work_plan", "年度工作方案完成率", "", Decimal("100"), "%", "city", True, "", LOCAL_NOTE),
    (
        "dual_safety",
        "responsibility_list",
        "主体责任清单覆盖率",
        "enterprises.responsibility_list",
        Decimal("100"),
        "%",
        "township",
        True,
        "三(四) 主体责任清单",
        SEED_NOTE.format(section="三(四)"),
    ),
    (
        "dual_safety",
        "liability_insurance",
        "食品安全责任保险覆盖率",
        "enterprises.liability_insurance",
        None,
        "%",
        "township",
        True,
        "四(三)",
        "默认：《实施意见》要求不断扩大覆盖面，未给出数值，只显示进展，待市局确认",
    ),
)


def defaults_load(models) -> dict:
    """Create the missing default campaigns and targets with ``models`` (real or historical: Campaign,
    CampaignTarget). Returns the codes created."""
    created = {"campaigns": [], "targets": []}
    campaigns = {}
    for order, (code, name, description, section) in enumerate(CAMPAIGNS, start=1):
        campaign, made = models.Campaign.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "order": order * 10, "seed_section": section},
        )
        campaigns[code] = campaign
        if made:
            created["campaigns"].append(code)
    for order, row in enumerate(TARGETS, start=1):
        campaign_code, code, label, measure_code, value, unit, scope, higher, source, note = row
        campaign = campaigns[campaign_code]
        if models.CampaignTarget.objects.filter(campaign=campaign, code=code).exists():
            continue  # a version exists (perhaps edited by staff): never add the default beside it
        models.CampaignTarget.objects.create(
            campaign=campaign,
            code=code,
            label=label,
            measure_code=measure_code,
            target_value=value,
            unit=unit,
            scope=scope,
            higher_is_better=higher,
            effective_from=EFFECTIVE_FROM,
            order=order * 10,
            source=source,
            note=note,
        )
        created["targets"].append(f"{campaign_code}.{code}")
    return created

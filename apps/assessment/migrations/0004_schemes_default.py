"""The default township assessment scheme (version 1), shipped as data for the city to confirm (DOMAIN.md §S: the
scoring items, weights and star thresholds of 食安办星级 were not found in any source; they are client-provided
configuration). Pages say “默认方案，待市局确认” while ``is_default`` is set. Weights total 100. Kept apart from the
schema so it can be re-attached at merge. See docs/assessment.md §2."""

import datetime as dt

from django.db import migrations

# (code, label, weight, source measure code or "" for manual, direction, bands [(at, points)], unit, description)
INDICATORS = (
    ("food_sampling", "食品抽检批次/千人", 10, "sampling.food_batches_per_1000", "higher",
     [("4.5", 100), ("3.6", 80), ("2.7", 60)], "批次/千人", "目标 4.5 批次/千人·年"),
    ("risk_monitoring", "风险监测批次/千人", 5, "sampling.monitoring_per_1000", "higher",
     [("1", 100), ("0.8", 80), ("0.5", 50)], "批次/千人", "目标 1 批次/千人·年"),
    ("quota_fulfilment", "抽检配额完成率", 8, "sampling.quota_fulfilment", "higher",
     [("100", 100), ("90", 80), ("80", 60)], "%", "已完成批次 / 截至当日的配额"),
    ("inspection_coverage", "检查频次达标率", 12, "risk.inspection_coverage", "higher",
     [("100", 100), ("95", 90), ("90", 75), ("80", 50)], "%", "按风险等级达到年度检查频次的企业占比"),
    ("coverage_debt", "逾期未检（覆盖欠账）", 5, "risk.coverage_debt", "lower",
     [("0", 100), ("5", 80), ("20", 50)], "家", "越少越好"),
    ("publication_on_time", "检查结果按时公示率", 6, "inspections.publication_on_time", "higher",
     [("100", 100), ("95", 80), ("90", 60)], "%", ""),
    ("sunshine_kitchen", "网络餐饮阳光厨房覆盖率", 6, "enterprises.sunshine_kitchen_online", "higher",
     [("100", 100), ("90", 80), ("80", 60)], "%", "目标 100%"),
    ("responsibility_list", "主体责任清单覆盖率", 6, "enterprises.responsibility_list", "higher",
     [("100", 100), ("90", 80), ("80", 60)], "%", "生产企业与大中型经营者，目标 100%"),
    ("third_party_evaluators", "第三方评估（人/百家城区餐饮）", 4, "enterprises.evaluators_per_100_urban_caterers",
     "higher", [("1", 100), ("0.5", 50)], "人/百家", "目标每百家城区餐饮 1 人"),
    ("rural_banquet_centres", "农村家宴中心", 4, "enterprises.rural_banquet_centres", "higher",
     [("13", 100), ("8", 60), ("1", 30)], "个", "全市目标 150 个（约每镇街 13 个）"),
    ("liability_insurance", "食品安全责任保险覆盖率", 4, "enterprises.liability_insurance", "higher",
     [("90", 100), ("70", 70), ("50", 40)], "%", "持续扩面"),
    ("health_certificates", "从业人员健康证有效率", 5, "enterprises.health_certificates", "higher",
     [("100", 100), ("95", 80), ("90", 60)], "%", ""),
    ("complaint_timeliness", "投诉举报按时办理率", 6, "incidents.complaint_timeliness", "higher",
     [("100", 100), ("95", 80), ("90", 60)], "%", ""),
    ("opinion_timeliness", "舆情按时响应率", 4, "incidents.opinion_timeliness", "higher",
     [("100", 100), ("90", 60)], "%", ""),
    ("incident_report_timeliness", "事件按时初报率", 4, "incidents.incident_report_timeliness", "higher",
     [("100", 100), ("90", 60)], "%", ""),
    ("drills_held", "应急演练次数", 3, "incidents.drills_held", "higher", [("1", 100)], "次", "每年至少 1 次"),
    ("coordinators", "专职协管员配备", 4, "", "higher", [("1", 100)], "人",
     "镇街填报在岗专职市场监管协管员人数，附花名册或聘用文件（PDF/照片）"),
    ("citizen_supervision", "食品安全市民监督团", 4, "", "higher", [("1", 100)], "",
     "已组建并开展活动填 1，未组建填 0；附组建文件及活动记录（PDF/照片）"),
)


def forwards(apps, schema_editor):
    Scheme = apps.get_model("assessment", "AssessmentScheme")
    Indicator = apps.get_model("assessment", "SchemeIndicator")
    scheme, created = Scheme.objects.get_or_create(
        version=1,
        defaults={
            "name": "镇街食品安全工作考核方案",
            "effective_from": dt.date(2020, 1, 1),
            "is_default": True,
            "star5_min": 90,
            "star4_min": 80,
            "star3_min": 70,
            "star2_min": 60,
            "note": "默认方案，待市局确认：考核项目、权重与星级分档未见正式文件（DOMAIN.md §S），由市局确认后以新版本替换",
        },
    )
    if not created:
        return
    for order, (code, label, weight, measure, direction, bands, unit, description) in enumerate(INDICATORS, 1):
        Indicator.objects.create(
            scheme=scheme,
            code=code,
            label=label,
            order=order * 10,
            weight=weight,
            source="measure" if measure else "manual",
            measure_code=measure,
            direction=direction,
            bands=[{"at": at, "points": points} for at, points in bands],
            unit=unit,
            description=description,
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_schemes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

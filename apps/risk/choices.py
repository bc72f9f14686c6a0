from django.db import models

GRADES = ("A", "B", "C", "D")  # low -> high risk (Order 49 Art 21)


class Grade(models.TextChoices):
    A = "A", "A级（风险低）"
    B = "B", "B级（风险一般）"
    C = "C", "C级（风险较高）"
    D = "D", "D级（风险高）"


class CreditGrade(models.TextChoices):
    """信用风险分类 (国市监信发〔2022〕6号, DOMAIN.md §2.1)."""

    A = "A", "A类（信用风险低）"
    B = "B", "B类（信用风险一般）"
    C = "C", "C类（信用风险较高）"
    D = "D", "D类（信用风险高）"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "生效"
    RETIRED = "retired", "已停用"


class FactorBasis(models.TextChoices):
    FOOD_CATEGORY = "food_category", "食品类别（就高不就低）"
    BUSINESS_TYPE = "business_type", "业态与供餐对象"
    SCALE = "scale", "规模"
    FLAG = "flag", "经营标识"


# Enterprise boolean fields a FLAG factor may read (snapshotted into every assessment's inputs).
FLAG_FIELDS = ("cold_chain", "online_catering", "sunshine_kitchen", "liability_insurance", "responsibility_list")


class NewBusinessMethod(models.TextChoices):
    PROPORTIONAL = "proportional", "按静态得分比例折算动态分"
    FIXED = "fixed", "动态分取固定值"


class EventType(models.TextChoices):
    FAILED_SAMPLE = "failed_sample", "国家或省级监督抽检不合格"
    DELIBERATE_VIOLATION = "deliberate_violation", "故意违法受到罚款、没收或停产停业处罚"
    INCIDENT = "incident", "发生食品安全事故"
    OBSTRUCTION = "obstruction", "拒绝、逃避、阻挠检查或调查"
    RECALL_FAILURE = "recall_failure", "未按规定召回或停止生产经营"
    BAD_SOCIAL_IMPACT = "bad_social_impact", "违法行为造成不良社会影响"
    DISHONESTY_LIST = "dishonesty_list", "列入严重违法失信名单"
    CERTIFICATION = "certification", "通过 GMP/HACCP 等体系认证"
    CLEAN_RECORD = "clean_record", "连续无违法违规记录"


class AdjustmentAction(models.TextChoices):
    RAISE = "raise", "调高等级"
    TO_D = "to_d", "直接定为 D 级"
    LOWER = "lower", "调低等级"


class AssessmentKind(models.TextChoices):
    YEARLY = "yearly", "年度评定"
    INSPECTION = "inspection", "依据监督检查"
    ONSITE = "onsite", "现场评定"
    MANUAL = "manual", "单户评定"
    OVERRIDE = "override", "人工调整"


class AssessmentBasis(models.TextChoices):
    DYNAMIC = "dynamic", "静态 + 动态"
    STATIC_ONLY = "static_only", "仅静态（新办或无动态评分，按方案折算）"


class EvaluationSource(models.TextChoices):
    INSPECTION = "inspection", "监督检查"
    ONSITE = "onsite", "现场评定"


class OverrideStatus(models.TextChoices):
    PROPOSED = "proposed", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"

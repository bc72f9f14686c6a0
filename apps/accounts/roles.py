"""Role groups of PRODUCT.md §1: the reviewed definition of who may do what.

Each role is a Django Group (name = Chinese label). Permissions are "app_label.codename"; those of apps that
are not installed yet are skipped by ``roles_sync`` so the definition can run ahead of the code.
Later apps add their permissions here, in the same review.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    description: str
    permissions: tuple[str, ...] = field(default_factory=tuple)
    city_wide: bool = False
    admin_role: bool = False  # the three separated admin roles (三权分立, SECURITY.md ACL-08)
    home: str = "home"


def _crud(app: str, model: str, *verbs: str) -> tuple[str, ...]:
    return tuple(f"{app}.{verb}_{model}" for verb in verbs)


# The standards catalogue (标准、检验项目与限量、抽检食品分类): city-wide reference data read by every sampling role.
STANDARDS_CATALOGUE_VIEW = tuple(
    f"standards.view_{model}" for model in ("standard", "testitem", "testlimit", "samplingcategory")
)

# assessment/campaigns (八大攻坚行动): the roles that read the figures read the campaigns (township roles: their
# township's figures); 市局 edits the dated targets and records manual progress with evidence.
CAMPAIGNS_VIEW = ("assessment.view_campaign", "assessment.view_campaigntarget", "assessment.view_campaignprogress")
CAMPAIGNS_MANAGE = (*CAMPAIGNS_VIEW, "assessment.change_campaigntarget", "assessment.add_campaignprogress")


ROLES: tuple[Role, ...] = (
    Role(
        code="township_staff",
        label="镇街食安办人员",
        description="本镇街的名录、计划、投诉和事件",
        permissions=(
            "accounts.view_township",
            *_crud("enterprises", "enterprise", "view", "add", "change"),
            *_crud("enterprises", "licence", "view", "add", "change"),
            "enterprises.import_enterprise",
            "enterprises.export_enterprise",
            "enterprises.view_contact_phone",
            *_crud("risk", "riskassessment", "view"),
            *_crud("risk", "riskscheme", "view"),
            *_crud("risk", "riskevent", "view", "add"),
            *_crud("risk", "creditclass", "view"),
            *_crud("risk", "dynamicevaluation", "view", "add"),
            *_crud("risk", "gradeoverride", "view", "add"),
            *_crud("inspections", "inspectiontask", "view"),
            *_crud("inspections", "inspectionresult", "view"),
            *_crud("inspections", "publication", "view"),
            *_crud("inspections", "rectification", "view", "change"),
            *_crud("sampling", "samplingplan", "view"),
            *_crud("sampling", "planline", "view"),
            *_crud("sampling", "samplingtask", "view"),
            *_crud("sampling", "sample", "view"),
            *_crud("sampling", "resultitem", "view"),
            *_crud("sampling", "sampleattachment", "view"),
            *_crud("sampling", "quicktestobjection", "view", "add"),  # on the enterprise's behalf, within the window
            *_crud("sampling", "disposal", "view", "change"),
            *_crud("sampling", "votetopic", "view"),
            *_crud("incidents", "complaint", "view", "add", "change"),
            "incidents.export_complaint",
            *_crud("incidents", "emergencyplan", "view", "add", "change"),  # their township's plans (+ city's, read)
            *_crud("incidents", "drill", "view", "add", "change"),  # their township's drills
            "incidents.export_drill",
            "incidents.view_timeliness",
            "dashboard.view_leadership",  # its own township's view
            *_crud("incidents", "incident", "view", "add", "change"),
            "incidents.export_incident",
            *_crud("incidents", "opinionevent", "view", "add", "change"),  # 舆情 of their township
            "incidents.export_opinionevent",
            *STANDARDS_CATALOGUE_VIEW,
            *CAMPAIGNS_VIEW,
            "dashboard.view_report",  # their township's monthly / annual report (docs/reports.md)
            "common.view_job",
            *_crud("assessment", "assessmentscheme", "view"),
            *_crud("assessment", "assessmentround", "view"),
            *_crud("assessment", "townshipscore", "view"),
            *_crud("assessment", "scoreitem", "view"),
            *_crud("assessment", "manualvalue", "view", "add"),  # their township's, with evidence
            *_crud("assessment", "scoreappeal", "view", "add"),  # their township's items
            *_crud("assessment", "starrating", "view"),
        ),
    ),
    Role(
        code="inspector",
        label="执法检查人员",
        description="本人检查任务及其对象",
        permissions=(
            *_crud("enterprises", "enterprise", "view"),
            "enterprises.view_contact_phone",
            *_crud("inspections", "inspectiontask", "view"),
            *_crud("inspections", "inspectionresult", "view", "add", "change"),
            *_crud("risk", "riskassessment", "view"),
            *_crud("risk", "dynamicevaluation", "view", "add"),
            *_crud("inspections", "rectification", "view", "change"),
            "common.view_job",
        ),
    ),
    Role(
        code="city_staff",
        label="市局业务科室人员",
        description="全市数据；抽查计划、抽检计划、风险方案、公示、考核",
        city_wide=True,
        permissions=(
            "accounts.view_all_townships",
            "accounts.view_township",
            "accounts.view_townshippopulation",
            "accounts.change_townshippopulation",
            *_crud("enterprises", "enterprise", "view", "add", "change"),
            *_crud("enterprises", "licence", "view", "add", "change"),
            "enterprises.import_enterprise",
            "enterprises.export_enterprise",
            "enterprises.view_contact_phone",
            *_crud("risk", "riskscheme", "view", "add", "change"),
            *_crud("risk", "riskassessment", "view", "add", "change"),
            "risk.activate_riskscheme",
            "risk.run_regrade",
            *_crud("risk", "riskevent", "view", "add", "change"),
            *_crud("risk", "creditclass", "view", "add"),
            *_crud("risk", "dynamicevaluation", "view", "add"),
            *_crud("risk", "gradeoverride", "view", "add"),
            "risk.approve_gradeoverride",
            *_crud("inspections", "drawplan", "view", "add", "change"),
            *_crud("inspections", "draw", "view", "add"),
            "inspections.view_redrawrequest",
            *_crud("inspections", "inspector", "view", "add", "change"),
            *_crud("inspections", "inspectorconflict", "view", "add", "change", "delete"),
            *_crud("standards", "checkitem", "view", "add", "change"),
            *STANDARDS_CATALOGUE_VIEW,
            *_crud("inspections", "keyinspectionrule", "view", "add", "change"),
            *_crud("inspections", "inspectiontask", "view", "add", "change"),
            *_crud("inspections", "inspectionresult", "view"),
            *_crud("inspections", "publication", "view", "add", "change"),
            *_crud("inspections", "rectification", "view"),
            *_crud("sampling", "samplingplan", "view", "add", "change"),
            "sampling.approve_samplingplan",
            *_crud("sampling", "planline", "view", "add", "change", "delete"),
            *_crud("sampling", "quotarate", "view", "add", "change"),
            *_crud("sampling", "suggestionweights", "view", "add", "change"),
            *_crud("sampling", "samplingdeadlines", "view", "add", "change"),
            *_crud("sampling", "organisation", "view", "add", "change"),
            *_crud("sampling", "samplingtask", "view", "add", "change"),
            *_crud("sampling", "sample", "view", "change"),  # change: e.g. register a lab's receipt on its behalf
            *_crud("sampling", "resultitem", "view"),
            *_crud("sampling", "sampleattachment", "view", "add"),
            *_crud("sampling", "quicktestobjection", "view"),
            "sampling.decide_quicktestobjection",
            *_crud("sampling", "disposal", "view", "change"),
            "sampling.publish_sample",
            "sampling.export_sample",
            *_crud("sampling", "votetopic", "view", "add", "change"),
            *_crud("sampling", "consultationmeeting", "view", "add", "change"),
            *_crud("incidents", "complaint", "view"),
            "incidents.export_complaint",
            *_crud("incidents", "emergencyplan", "view", "add", "change"),  # city plans (township plans: read)
            *_crud("incidents", "drill", "view", "add", "change"),  # every drill, the city's own included
            "incidents.export_drill",
            "incidents.view_timeliness",
            "dashboard.view_leadership",
            *_crud("incidents", "incident", "view", "add", "change"),
            "incidents.manage_incident",
            "incidents.export_incident",
            *_crud("incidents", "opinionevent", "view", "add", "change"),
            "incidents.export_opinionevent",
            "sampling.run_quota_report",
            *CAMPAIGNS_MANAGE,
            "dashboard.view_report",
            "dashboard.run_report",  # monthly / annual reports (docs/reports.md)
            "common.view_job",
            "common.view_calendaroverride",
            "common.add_calendaroverride",
            "common.change_calendaroverride",
            *_crud("assessment", "assessmentscheme", "view", "add", "change"),
            *_crud("assessment", "assessmentround", "view", "add", "change"),
            "assessment.close_assessmentround",
            "assessment.export_assessmentround",
            *_crud("assessment", "townshipscore", "view"),
            *_crud("assessment", "scoreitem", "view"),
            *_crud("assessment", "manualvalue", "view"),
            *_crud("assessment", "scoreappeal", "view"),
            "assessment.decide_scoreappeal",
            *_crud("assessment", "starrating", "view"),
        ),
    ),
    Role(
        code="sampler",
        label="抽样人员",
        description="本机构的抽样任务：现场填写抽样单（抽检分离：不得承担本机构检验的样品）",
        permissions=(
            *_crud("enterprises", "enterprise", "view"),
            *_crud("sampling", "samplingtask", "view"),
            *_crud("sampling", "sample", "view", "add"),
            *_crud("sampling", "sampleattachment", "view", "add", "delete"),
            *_crud("sampling", "quicktestobjection", "view", "add"),
            *STANDARDS_CATALOGUE_VIEW,
            "common.view_job",
        ),
    ),
    Role(
        code="lab_staff",
        label="检验机构人员",
        description="送本机构检验的样品：接收、录入和导入检验结果",
        permissions=(
            *_crud("sampling", "sample", "view", "change"),
            *_crud("sampling", "resultitem", "view", "add"),
            *_crud("sampling", "sampleattachment", "view"),
            *STANDARDS_CATALOGUE_VIEW,
            "common.view_job",
        ),
    ),
    Role(
        code="city_leader",
        label="市领导",
        description="全市看板和报表（只读）",
        city_wide=True,
        permissions=(
            "accounts.view_all_townships",
            "accounts.view_township",
            "accounts.view_townshippopulation",
            *_crud("enterprises", "enterprise", "view"),
            *_crud("risk", "riskassessment", "view"),
            *_crud("risk", "riskscheme", "view"),
            *_crud("risk", "riskevent", "view"),
            *_crud("risk", "creditclass", "view"),
            *_crud("inspections", "inspectiontask", "view"),
            *_crud("inspections", "inspectionresult", "view"),
            *_crud("sampling", "samplingplan", "view"),
            *_crud("sampling", "planline", "view"),
            *_crud("sampling", "sample", "view"),
            *_crud("sampling", "resultitem", "view"),
            *_crud("sampling", "disposal", "view"),
            *_crud("incidents", "complaint", "view"),
            *_crud("incidents", "emergencyplan", "view"),
            *_crud("incidents", "drill", "view"),
            "incidents.view_timeliness",
            "dashboard.view_leadership",
            *_crud("inspections", "publication", "view"),  # the publication clocks of the dashboard
            *_crud("incidents", "incident", "view"),
            *_crud("incidents", "opinionevent", "view"),
            *_crud("sampling", "sampleattachment", "view"),
            *_crud("sampling", "quicktestobjection", "view"),
            *STANDARDS_CATALOGUE_VIEW,
            *CAMPAIGNS_VIEW,
            "dashboard.view_report",
            "dashboard.run_report",  # monthly / annual reports (docs/reports.md)
            "common.view_job",
            *_crud("assessment", "assessmentscheme", "view"),
            *_crud("assessment", "assessmentround", "view"),
            "assessment.export_assessmentround",
            *_crud("assessment", "townshipscore", "view"),
            *_crud("assessment", "scoreitem", "view"),
            *_crud("assessment", "manualvalue", "view"),
            *_crud("assessment", "scoreappeal", "view"),
            *_crud("assessment", "starrating", "view"),
        ),
    ),
    Role(
        code="complaint_officer",
        label="投诉举报专员",
        description="投诉举报及奖励；唯一可在说明理由后查看举报人身份的角色",
        city_wide=True,
        permissions=(
            "accounts.view_all_townships",
            *_crud("enterprises", "enterprise", "view"),
            *_crud("incidents", "complaint", "view", "add", "change"),
            "incidents.unmask_reporter",
            "incidents.manage_reward",
            "incidents.export_complaint",
            "common.view_job",
        ),
    ),
    Role(
        code="sys_admin",
        label="系统管理员",
        description="账户、镇街与时限规则配置（不含审计、不含安全策略）",
        admin_role=True,
        permissions=(
            "accounts.view_all_townships",  # manages the accounts of every township (scoped admin)
            *_crud("accounts", "user", "view", "add", "change"),
            "accounts.reset_password",  # a random initial password, to be changed at the first login (AUTH-03)
            *_crud("accounts", "township", "view", "add", "change"),
            *_crud("accounts", "townshippopulation", "view", "add", "change"),
            "common.view_job",
            "common.view_all_jobs",
            *_crud("common", "calendaroverride", "view", "add", "change", "delete"),
            # dated rules of incidents (apps/incidents/admin.py): a new row from today on; rows in force are history
            *_crud("incidents", "complaintrules", "view", "add", "change", "delete"),
            *_crud("incidents", "rewardrule", "view", "add", "change", "delete"),
            *_crud("incidents", "incidentgradingcriteria", "view", "add", "change", "delete"),
            *_crud("incidents", "incidentrules", "view", "add", "change", "delete"),
            *_crud("incidents", "opinionrules", "view", "add", "change", "delete"),
        ),
    ),
    Role(
        code="security_admin",
        label="安全管理员",
        description="安全策略：接口客户端、登录锁定",
        admin_role=True,
        permissions=(
            *_crud("accounts", "apiclient", "view", "add", "change"),
            "accounts.view_all_townships",  # sees every account (locked users, client service accounts)
            "accounts.view_user",
            "accounts.reset_second_factor",  # a lost authenticator (AUTH-06), audited
            *_crud("accounts", "passwordpolicy", "view", "add", "change", "delete"),  # dated: future rows only
            *_crud("axes", "accessattempt", "view", "delete"),
            *_crud("axes", "accesslog", "view"),
            "incidents.purge_reporter_identity",  # PII-05: preview and run the identity retention (counts only)
            "common.view_job",
        ),
    ),
    Role(
        code="audit_admin",
        label="审计管理员",
        description="审计日志（只读）与审计链校验",
        admin_role=True,
        permissions=(
            "common.view_auditevent",
            "common.verify_audit_chain",
            "common.view_job",
        ),
    ),
)

ROLE_BY_CODE = {role.code: role for role in ROLES}
ROLE_BY_LABEL = {role.label: role for role in ROLES}
ADMIN_ROLE_CODES = frozenset(role.code for role in ROLES if role.admin_role)


def role_codes_for(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_role_codes_cache", None)
    if cached is None:
        from .permcache import entry

        names = entry(user)["groups"] if user.pk else [g.name for g in user.groups.all()]
        cached = [ROLE_BY_LABEL[n].code for n in names if n in ROLE_BY_LABEL]
        user._role_codes_cache = cached
    return cached


def role_label_for(user) -> str:
    if getattr(user, "is_service_account", False):
        return "省级平台接口"
    codes = role_codes_for(user)
    if codes:
        return "、".join(ROLE_BY_CODE[c].label for c in codes)
    if getattr(user, "is_superuser", False):
        return "超级用户"
    return ""


def primary_role(user) -> Role | None:
    codes = role_codes_for(user)
    return ROLE_BY_CODE[codes[0]] if codes else None

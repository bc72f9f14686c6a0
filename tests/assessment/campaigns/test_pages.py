"""Pages of the campaigns: list and detail for every role with the view permission (township roles: their figures),
every number a link to its rows, 市局 edits a target (dated: a new version) and records manual progress with
evidence (a bad file refused in Chinese, 4xx, nothing written), bad input 4xx never 500, constant query counts."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.assessment.models import CampaignProgress, CampaignTarget
from apps.common.models import AuditEvent
from tests.helpers.images import tiny_png

from .conftest import YEAR

pytestmark = pytest.mark.django_db

LIST = "/assessment/campaigns/"


def _target(campaign_code, code):
    return CampaignTarget.objects.get(campaign__code=campaign_code, code=code, effective_to__isnull=True)


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["city_staff", "leader", "staff_a"])
def test_list_and_detail_open_for_the_roles_that_read(client, request, campaigns, fake_measures, who):
    user = request.getfixturevalue(who)
    _login(client, user)
    r = client.get(LIST, {"year": YEAR})
    assert r.status_code == 200
    body = r.content.decode()
    assert "优质粮食工程" in body and "餐饮质量安全提升" in body
    assert 'href="/fake/enterprises.sunshine_kitchen_online/"' in body  # the number links to its rows
    r = client.get(reverse("assessment:campaign_detail", args=[campaigns["catering"].pk]), {"year": YEAR})
    assert r.status_code == 200
    assert "农村家宴中心" in r.content.decode()


def test_township_role_sees_its_townships_row_only(client, campaigns, fake_measures, staff_a, township_a, township_b):
    _login(client, staff_a)
    body = client.get(reverse("assessment:campaign_detail", args=[campaigns["catering"].pk])).content.decode()
    assert f"?township={township_a.pk}" in body
    assert f"?township={township_b.pk}" not in body
    assert township_b.name not in body


def test_no_permission_is_403_and_anonymous_goes_to_login(client, campaigns, user_without_perms, inspector_a):
    assert client.get(LIST).status_code == 302
    _login(client, user_without_perms)
    assert client.get(LIST).status_code == 403
    _login(client, inspector_a)
    assert client.get(LIST).status_code == 403


@pytest.mark.parametrize("year", ["abc", "1999", "99999999999999999999"])
def test_bad_year_is_400_in_chinese(client, campaigns, city_staff, year):
    _login(client, city_staff)
    r = client.get(LIST, {"year": year})
    assert r.status_code == 400
    assert "年度应为 2000 到 2100 之间的整数" in r.content.decode()


def test_missing_campaign_is_404(client, campaigns, city_staff):
    _login(client, city_staff)
    assert client.get(reverse("assessment:campaign_detail", args=[999999])).status_code == 404


def test_list_page_query_count_is_constant(client, campaigns, fake_measures, city_staff, django_assert_max_num_queries):
    _login(client, city_staff)
    client.get(LIST)
    with django_assert_max_num_queries(30):
        assert client.get(LIST).status_code == 200


# ------------------------------------------------------------------------------------------------ manual progress
def _progress_post(client, target, **over):
    data = {
        "year": str(YEAR),
        "township": "",
        "value": "60",
        "as_of": dt.date.today().isoformat(),
        "note": "粮食部门报送：完成年度方案 6 项中的 3.6 项",
        "evidence": SimpleUploadedFile("报送表.png", tiny_png(), content_type="image/png"),
    }
    data.update(over)
    return client.post(reverse("assessment:campaign_progress_add", args=[target.pk]), data)


def test_city_staff_records_manual_progress_with_evidence(client, campaigns, city_staff):
    target = _target("quality_grain", "work_plan")
    _login(client, city_staff)
    r = _progress_post(client, target)
    assert r.status_code == 302, r.content.decode()[:2000]
    entry = CampaignProgress.objects.get(target=target)
    assert (entry.value, entry.year, entry.township_id, entry.content_type) == (D("60"), YEAR, None, "image/png")
    assert len(entry.sha256) == 64
    assert AuditEvent.objects.filter(action="assessment.campaign_progress_record").count() == 1

    page = client.get(reverse("assessment:campaign_target", args=[target.pk]), {"year": YEAR}).content.decode()
    assert "粮食部门报送" in page
    evidence_url = reverse("assessment:campaign_progress_evidence", args=[entry.pk])
    assert evidence_url in page
    download = client.get(evidence_url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")

    from apps.assessment.campaigns.selectors import campaign_progress

    tp = next(t for row in campaign_progress(city_staff, year=YEAR) for t in row.targets if t.target.pk == target.pk)
    assert (tp.overall.value, tp.overall.share, tp.overall.reached) == (D("60.00"), D("60.0"), False)
    assert tp.overall.url.startswith(reverse("assessment:campaign_target", args=[target.pk]))
    # the link opens exactly the entries counted
    r = client.get(tp.overall.url.split("#")[0])
    assert r.status_code == 200 and "粮食部门报送" in r.content.decode()

    _progress_post(client, target, value="100", note="全部完成")  # the latest entry is the current value
    tp = next(t for row in campaign_progress(city_staff, year=YEAR) for t in row.targets if t.target.pk == target.pk)
    assert (tp.overall.value, tp.overall.reached) == (D("100.00"), True)


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("报送表.pdf", b"this is not a pdf at all", "application/pdf"),
        ("报送表.exe", b"MZ\x90\x00\x03", "application/octet-stream"),
        ("x.png", b"\x89PNG\r\n\x1a\nbroken", "image/png"),
    ],
)
def test_a_bad_evidence_file_is_refused_in_chinese(client, campaigns, city_staff, name, data, content_type):
    target = _target("campus", "work_plan")
    _login(client, city_staff)
    r = _progress_post(client, target, evidence=SimpleUploadedFile(name, data, content_type=content_type))
    assert r.status_code == 400
    assert "证据文件" in r.content.decode()
    assert not CampaignProgress.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.campaign_progress_record").exists()


@pytest.mark.parametrize(
    "over,message",
    [
        ({"value": ""}, "请填写进展值"),
        ({"value": "abc"}, "进展值应为数字"),
        ({"value": "-1"}, "进展值应在 0 到"),
        ({"note": ""}, "请填写说明"),
        ({"evidence": ""}, "请上传证据文件"),
        ({"as_of": "2001-01-01"}, "截至日期应在"),
        ({"year": "1900"}, "年度"),
    ],
)
def test_bad_progress_input_is_4xx_in_chinese(client, campaigns, city_staff, over, message):
    target = _target("health_food", "work_plan")
    _login(client, city_staff)
    r = _progress_post(client, target, **over)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not CampaignProgress.objects.exists()


def test_a_city_target_takes_no_township_entry(client, campaigns, city_staff, township_a):
    target = _target("agri_inputs", "work_plan")
    _login(client, city_staff)
    r = _progress_post(client, target, township=str(township_a.pk))
    assert r.status_code == 400 and "全市目标只录入全市的进展" in r.content.decode()


def test_a_computed_target_takes_no_manual_entry(client, campaigns, city_staff):
    target = _target("catering", "rural_banquet_centres")
    _login(client, city_staff)
    r = _progress_post(client, target)
    assert r.status_code == 400 and "由平台数据计算" in r.content.decode()


def test_township_staff_and_leaders_cannot_record_or_edit(client, campaigns, staff_a, leader):
    target = _target("quality_grain", "work_plan")
    for user in (staff_a, leader):
        _login(client, user)
        assert _progress_post(client, target).status_code == 403
        assert client.get(reverse("assessment:campaign_target_edit", args=[target.pk])).status_code == 403
    assert not CampaignProgress.objects.exists()


def test_township_entries_are_scoped(client, campaigns, city_staff, staff_a, staff_b, township_a, township_b):
    from apps.assessment.campaigns.services import progress_record

    target = CampaignTarget.objects.create(
        campaign=campaigns["campus"],
        code="canteens",
        label="学校食堂检查",
        unit="家",
        scope="township",
        target_value=D("10"),
        effective_from=dt.date(2021, 1, 1),
    )

    def rec(township, value):
        return progress_record(
            actor=city_staff,
            target_id=target.pk,
            data={"year": YEAR, "township": township, "value": value, "note": "检查记录"},
            evidence=SimpleUploadedFile("a.png", tiny_png(), content_type="image/png"),
        )

    a, b, city = rec(township_a, "5"), rec(township_b, "10"), rec(None, "15")
    _login(client, staff_a)
    assert client.get(reverse("assessment:campaign_progress_evidence", args=[a.pk])).status_code == 200
    assert client.get(reverse("assessment:campaign_progress_evidence", args=[b.pk])).status_code == 404
    assert client.get(reverse("assessment:campaign_progress_evidence", args=[city.pk])).status_code == 200

    from apps.assessment.campaigns.selectors import campaign_progress

    def tp_for(user):
        return next(t for row in campaign_progress(user, year=YEAR) for t in row.targets if t.target.pk == target.pk)

    mine = tp_for(staff_a)
    assert [(tf.township_id, tf.figure.value, tf.figure.share) for tf in mine.townships] == [
        (township_a.pk, D("5"), D("50.0"))
    ]
    everyone = {tf.township_id: tf.figure.value for tf in tp_for(city_staff).townships}
    assert everyone[township_b.pk] == D("10") and len(everyone) == 12


# ------------------------------------------------------------------------------------------------ editing targets
def _edit_post(client, target, **over):
    data = {
        "label": target.label,
        "measure_code": target.measure_code,
        "target_value": "200",
        "unit": target.unit,
        "scope": target.scope,
        "higher_is_better": "on",
        "effective_from": dt.date(YEAR + 1, 1, 1).isoformat(),
        "note": "市局确认：2027 年起 200 家",
    }
    data.update(over)
    return client.post(reverse("assessment:campaign_target_edit", args=[target.pk]), data)


def test_editing_a_target_from_a_later_date_is_a_new_version(client, campaigns, city_staff):
    from apps.assessment.campaigns.selectors import kpi_targets

    target = _target("catering", "rural_banquet_centres")
    _login(client, city_staff)
    assert client.get(reverse("assessment:campaign_target_edit", args=[target.pk])).status_code == 200
    r = _edit_post(client, target)
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.effective_to == dt.date(YEAR, 12, 31)
    new = CampaignTarget.objects.get(campaign=target.campaign, code=target.code, effective_from=dt.date(YEAR + 1, 1, 1))
    assert (new.target_value, new.is_default, new.updated_by) == (D("200"), False, city_staff)
    assert kpi_targets(year=YEAR)["enterprises.rural_banquet_centres"].target == D("150")
    assert kpi_targets(year=YEAR + 1)["enterprises.rural_banquet_centres"].target == D("200")
    event = AuditEvent.objects.get(action="assessment.campaign_target_update")
    assert event.extra["kind"] == "new_version"

    # the superseded version can no longer be edited; an earlier date than the current version is refused
    r = _edit_post(client, target, effective_from=dt.date(YEAR + 2, 1, 1).isoformat())
    assert r.status_code == 409 and "新版本" in r.content.decode()
    r = _edit_post(client, new, effective_from=dt.date(YEAR, 6, 1).isoformat())
    assert r.status_code == 400 and "生效日期不能早于" in r.content.decode()


def test_editing_from_the_same_date_corrects_the_version(client, campaigns, city_staff):
    target = _target("dual_safety", "liability_insurance")
    _login(client, city_staff)
    r = _edit_post(client, target, target_value="80", effective_from=target.effective_from.isoformat())
    assert r.status_code == 302
    target.refresh_from_db()
    assert (target.target_value, target.effective_to) == (D("80"), None)
    assert CampaignTarget.objects.filter(campaign=target.campaign, code=target.code).count() == 1


@pytest.mark.parametrize(
    "over,message",
    [
        ({"target_value": "abc"}, "目标值应为数字"),
        ({"target_value": "1.234"}, "最多保留两位小数"),
        ({"label": ""}, "请填写目标名称"),
        ({"effective_from": ""}, "请填写生效日期"),
        ({"measure_code": "nope.nothing"}, "选择一个有效的选项"),
    ],
)
def test_bad_target_input_is_400_in_chinese(client, campaigns, city_staff, over, message):
    target = _target("catering", "evaluators")
    _login(client, city_staff)
    r = _edit_post(client, target, **over)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert CampaignTarget.objects.filter(campaign=target.campaign, code=target.code).count() == 1


def test_a_new_version_after_a_retired_one_leaves_its_end(campaigns, city_staff):
    from apps.assessment.campaigns.services import target_update

    target = _target("catering", "evaluators")
    target.effective_to = dt.date(2022, 12, 31)
    target.save()
    data = {
        "label": target.label,
        "measure_code": target.measure_code,
        "target_value": "2",
        "unit": target.unit,
        "scope": target.scope,
        "higher_is_better": True,
        "effective_from": dt.date(2025, 1, 1),
    }
    new = target_update(actor=city_staff, target_id=target.pk, data=data)
    target.refresh_from_db()
    assert target.effective_to == dt.date(2022, 12, 31)  # not stretched over the gap
    assert (new.effective_from, new.effective_to, new.target_value) == (dt.date(2025, 1, 1), None, D("2"))
    from apps.assessment.campaigns.selectors import kpi_targets

    assert "enterprises.evaluators_per_100_urban_caterers" not in kpi_targets(year=2024)
    assert kpi_targets(year=2025)["enterprises.evaluators_per_100_urban_caterers"].target == D("2")


def test_township_staff_cannot_write_through_the_service(campaigns, staff_a):
    from django.core.exceptions import PermissionDenied

    from apps.assessment.campaigns.services import progress_record, target_update

    target = _target("quality_grain", "work_plan")
    with pytest.raises(PermissionDenied):
        target_update(actor=staff_a, target_id=target.pk, data={})
    with pytest.raises(PermissionDenied):
        progress_record(actor=staff_a, target_id=target.pk, data={}, evidence=None)
    with pytest.raises(PermissionDenied):
        target_update(actor=None, target_id=target.pk, data={})

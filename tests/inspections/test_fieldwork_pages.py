"""Issue 8 points 3, 5, 9 and 11 on the fieldwork pages, and issue 9 point 5 (declared transition tables):

- a publication held by its objection window says from when it can be published, and offers the action then;
- 批量公示 for city staff: choose → preview → confirm, through the service, one audit event per publication, scoped;
- the task list and the rectification list become labelled cards on phones (``table-stack``);
- after 保存草稿 the page opens at the status next to the save button; photos are listed by caption, not by hash;
- a re-check task (复查) lists only the failed items and the rectification requirement;
- the task page has the address and a tap-to-call number (masked without the phone permission);
- flying inspections: scoped and bounded enterprise suggestions, picking among several matches, searchable inspectors.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common.exceptions import InvalidTransition
from apps.common.models import AuditEvent
from apps.inspections.choices import (
    PUBLICATION_TRANSITIONS,
    RECTIFICATION_TRANSITIONS,
    RESULT_TRANSITIONS,
    TASK_TRANSITIONS,
    PublicationStatus,
    RectificationStatus,
    ResultStatus,
    TaskKind,
    TaskStatus,
)
from apps.inspections.fieldwork.selectors import task_check_items
from apps.inspections.fieldwork.services.publications import publication_publish, publications_publish_many
from apps.inspections.fieldwork.services.rectifications import rectification_submit
from apps.inspections.fieldwork.services.results import result_finalise, result_save, result_start
from apps.inspections.models import InspectionResult, InspectionTask, Photo, Publication, Rectification
from tests.helpers.queries import assert_constant_queries

from .factories import make_enterprise, make_inspector
from .fieldwork_helpers import Field, field_fixture, jpeg_bytes, png_bytes  # noqa: F401
from .test_fieldwork_views import _form

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _final_publication(field: Field, **fields) -> Publication:
    final = result_finalise(actor=field.user, result_id=field.complete_draft(**fields).pk)
    return Publication.objects.get(result=final)


def _window_over(publication: Publication) -> Publication:
    Publication.objects.filter(pk=publication.pk).update(
        objection_window_ends=timezone.localdate() - dt.timedelta(days=1)
    )
    publication.refresh_from_db()
    return publication


def _second_field(township_a, township_b, user_factory, n: int) -> Field:
    """Another inspector pair and business (so that several publications exist)."""
    user = user_factory(f"inspector_n{n}", "inspector", [township_a])
    return Field(township_a, township_b, user, lambda name, role, towns: user_factory(f"{name}{n}", role, towns))


# ---------------------------------------------------------------------------- transition tables (issue 9 point 5)
@pytest.mark.parametrize(
    ("table", "choices"),
    [
        (TASK_TRANSITIONS, TaskStatus),
        (RESULT_TRANSITIONS, ResultStatus),
        (RECTIFICATION_TRANSITIONS, RectificationStatus),
        (PUBLICATION_TRANSITIONS, PublicationStatus),
    ],
)
def test_every_status_has_a_row_and_final_states_lead_nowhere(table, choices):
    assert set(table) == set(choices.values)
    for targets in table.values():
        assert set(targets) <= set(choices.values)
    terminal = [s for s, targets in table.items() if not targets]
    assert terminal, "a pipeline needs an end"


def test_models_answer_from_the_tables():
    assert InspectionTask(status=TaskStatus.ASSIGNED).can_transition_to(TaskStatus.IN_PROGRESS)
    assert not InspectionTask(status=TaskStatus.FINALISED).can_transition_to(TaskStatus.IN_PROGRESS)
    assert InspectionResult(status=ResultStatus.DRAFT).can_transition_to(ResultStatus.FINAL)
    assert not InspectionResult(status=ResultStatus.FINAL).can_transition_to(ResultStatus.DRAFT)
    assert Rectification(status=RectificationStatus.OPEN).can_transition_to(RectificationStatus.SUBMITTED)
    assert not Rectification(status=RectificationStatus.VERIFIED).can_transition_to(RectificationStatus.SUBMITTED)
    assert Publication(status=PublicationStatus.PENDING).can_transition_to(PublicationStatus.PUBLISHED)
    assert not Publication(status=PublicationStatus.HELD).can_transition_to(PublicationStatus.PUBLISHED)


def test_services_refuse_what_the_table_refuses(field, city_staff):
    publication = _window_over(
        _final_publication(field, outcome="rectify", verdict="basic", rectification_requirements="清理冷库")
    )
    publication_publish(actor=city_staff, publication_id=publication.pk)
    with pytest.raises(InvalidTransition, match="已公示"):
        publication_publish(actor=city_staff, publication_id=publication.pk)
    rect = Rectification.objects.get(result=publication.result)
    rectification_submit(actor=field.user, rectification_id=rect.pk, note="已清理")
    with pytest.raises(InvalidTransition):
        rectification_submit(actor=field.user, rectification_id=rect.pk, note="再次")


# ---------------------------------------------------------------------------- publications held by the window
def test_publication_in_its_window_says_when_it_can_be_published(field, city_staff):
    publication = _final_publication(field)
    client = _client(city_staff)
    opens = publication.objection_window_ends + dt.timedelta(days=1)
    html = client.get(reverse("inspections:publication_detail", args=[publication.pk])).content.decode()
    assert f"{opens:%Y-%m-%d} 起可公示" in html
    assert reverse("inspections:publication_publish", args=[publication.pk]) not in html
    listing = client.get(reverse("inspections:publications")).content.decode()
    assert f"{opens:%Y-%m-%d} 起可公示" in listing and 'data-testid="hold-note"' in listing
    assert f'name="ids" value="{publication.pk}"' not in listing  # not offered for bulk either
    refused = client.post(reverse("inspections:publication_publish", args=[publication.pk]), follow=True)
    assert f"{opens:%Y-%m-%d} 起可公示" in refused.content.decode()
    # on that day the action is there, with a confirmation
    _window_over(publication)
    html = client.get(reverse("inspections:publication_detail", args=[publication.pk])).content.decode()
    assert reverse("inspections:publication_publish", args=[publication.pk]) in html and "确认公示" in html
    assert f'name="ids" value="{publication.pk}"' in client.get(reverse("inspections:publications")).content.decode()


def test_township_staff_see_the_date_but_no_action(field, staff_a):
    publication = _window_over(_final_publication(field))
    html = _client(staff_a).get(reverse("inspections:publication_detail", args=[publication.pk])).content.decode()
    assert reverse("inspections:publication_publish", args=[publication.pk]) not in html
    listing = _client(staff_a).get(reverse("inspections:publications")).content.decode()
    assert "bulk-form" not in listing and 'name="ids"' not in listing


# ---------------------------------------------------------------------------- 批量公示
def test_bulk_publish_previews_then_publishes_one_audit_event_each(
    field, city_staff, township_a, township_b, user_factory
):
    ready = _window_over(_final_publication(field))
    other = _second_field(township_a, township_b, user_factory, 2)
    waiting = _final_publication(other)  # still in its window
    client = _client(city_staff)
    url = reverse("inspections:publications_bulk")
    preview = client.post(url, {"ids": [ready.pk, waiting.pk]})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert re.search(r"将公示 <strong>1</strong> 条", html) and "不公示：异议期至" in html
    assert Publication.objects.filter(status=PublicationStatus.PUBLISHED).count() == 0  # a preview writes nothing
    assert f'name="ids" value="{ready.pk}"' in html and f'name="ids" value="{waiting.pk}"' not in html
    before = AuditEvent.objects.filter(action="inspections.publication_publish").count()
    done = client.post(url, {"ids": [ready.pk], "confirm": "1"}, follow=True)
    assert "已公示 1 条" in done.content.decode()
    ready.refresh_from_db()
    waiting.refresh_from_db()
    assert ready.status == PublicationStatus.PUBLISHED and ready.published_by == city_staff
    assert waiting.status == PublicationStatus.PENDING
    assert AuditEvent.objects.filter(action="inspections.publication_publish").count() == before + 1


def test_bulk_publish_all_that_may_be_published(field, city_staff, township_a, township_b, user_factory):
    pubs = [_window_over(_final_publication(field))]
    for n in (3, 4):
        pubs.append(_window_over(_final_publication(_second_field(township_a, township_b, user_factory, n))))
    client = _client(city_staff)
    listing = client.get(reverse("inspections:publications")).content.decode()
    assert re.search(r'data-testid="publishable-count"><strong>3</strong>', listing)
    preview = client.post(reverse("inspections:publications_bulk"), {"all": "1"}).content.decode()
    assert "确认公示 3 条" in preview
    ids = [p.pk for p in pubs]
    client.post(reverse("inspections:publications_bulk"), {"ids": ids, "confirm": "1"})
    assert set(Publication.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"published"}
    events = AuditEvent.objects.filter(action="inspections.publication_publish")
    assert sorted(int(e.object_id) for e in events) == sorted(ids)


def test_bulk_publish_is_scoped_and_for_those_allowed(field, staff_a, user_factory, township_b):
    publication = _window_over(_final_publication(field))
    # township staff may not publish at all
    assert _client(staff_a).post(reverse("inspections:publications_bulk"), {"ids": [publication.pk]}).status_code == 403
    # someone allowed to publish, but in another township: the row is not theirs
    outsider = user_factory("publisher_b", "township_staff", [township_b])
    outsider.user_permissions.add(Permission.objects.get(codename="change_publication"))
    outsider = type(outsider).objects.get(pk=outsider.pk)
    outcome = publications_publish_many(actor=outsider, publication_ids=[publication.pk])
    assert outcome == {"published": [], "refused": {publication.pk: "不存在或不在您的管辖范围内"}}
    preview = _client(outsider).post(reverse("inspections:publications_bulk"), {"ids": [publication.pk]})
    assert "海宁市硖石美味餐饮店" not in preview.content.decode()
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PENDING


def test_bulk_publish_bad_input_is_a_message_not_a_500(city_staff):
    client = _client(city_staff)
    url = reverse("inspections:publications_bulk")
    for data in ({}, {"ids": ["x", ""]}, {"ids": ["-1"]}, {"ids": ["99999999"], "confirm": "1"}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
    assert client.get(url).status_code == 405
    too_many = client.post(url, {"ids": [str(i) for i in range(1, 600)]}, follow=True)
    assert "一次最多公示 500 条" in too_many.content.decode()


def test_publication_list_has_constant_queries(field, city_staff, township_a, township_b, user_factory):
    client = _client(city_staff)
    made = iter(range(10, 40))

    def add(n):
        for _ in range(n):
            _final_publication(_second_field(township_a, township_b, user_factory, next(made)))

    assert_constant_queries(lambda: client.get(reverse("inspections:publications")), add)


# ---------------------------------------------------------------------------- phones: lists become cards
def test_task_and_rectification_lists_are_stacked_cards(field, city_staff):
    result_finalise(
        actor=field.user,
        result_id=field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改").pk,
    )
    client = _client(city_staff)
    for name, table in (("tasks", "task-table"), ("rectifications", "rectification-table")):
        html = client.get(reverse(f"inspections:{name}")).content.decode()
        assert re.search(rf'<table class="[^"]*table-stack[^"]*" id="{table}"', html), name
        body = html.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0]
        cells = re.findall(r"<td(?![^>]*colspan)([^>]*)>", body)
        assert cells and all("data-label=" in c for c in cells), name


# ---------------------------------------------------------------------------- the task page
def test_save_draft_opens_at_the_status_next_to_the_button(field):
    client = _client(field.user)
    draft = result_start(actor=field.user, task_id=field.task.pk)
    response = client.post(reverse("inspections:result_save", args=[draft.pk]), _form(field, draft, action="save"))
    draft.refresh_from_db()
    assert response["Location"].endswith(f"?saved={draft.version}#save-status")
    html = client.get(response["Location"]).content.decode()
    actions = html.split('class="result-actions"', 1)[1].split("</div>\n</form>", 1)[0]
    assert 'id="save-status"' in actions and "已保存草稿" in actions
    assert "已保存草稿" not in html.split('class="result-actions"', 1)[0]  # not (only) at the top of a long form
    # an old ?saved= after further changes says nothing
    stale = client.get(reverse("inspections:task_detail", args=[field.task.pk]) + "?saved=1").content.decode()
    assert 'id="save-status"' not in stale


def test_photos_are_listed_by_caption_not_by_hash(field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(field.user)
    draft = result_start(actor=field.user, task_id=field.task.pk)
    data = _form(field, draft, action="save", photo_caption="后厨冷藏柜温度记录")
    data["photos"] = [SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")]
    client.post(reverse("inspections:result_save", args=[draft.pk]), data)
    photo = Photo.objects.get()
    html = client.get(reverse("inspections:task_detail", args=[field.task.pk])).content.decode()
    assert "后厨冷藏柜温度记录" in html and photo.sha256[:12] not in html
    result_finalise(actor=field.user, result_id=draft.pk)
    html = client.get(reverse("inspections:task_detail", args=[field.task.pk])).content.decode()
    assert "现场照片（1 张）" in html and "后厨冷藏柜温度记录" in html and photo.sha256[:12] not in html


def test_recheck_task_lists_only_the_failed_items_and_the_requirement(field):
    items = task_check_items(field.task)
    assert len(items) > 3
    failed = items[1]
    draft = result_start(actor=field.user, task_id=field.task.pk)
    verdicts = {ci.pk: ("conform", "") for ci in items}
    verdicts[failed.pk] = ("nonconform", "冷藏柜温度 12℃")
    result_save(
        actor=field.user,
        result_id=draft.pk,
        data={"outcome": "rectify", "rectification_requirements": "三日内维修冷藏柜并记录温度", "summary": "x"},
        items=verdicts,
        inspector_signature=png_bytes(),
        operator_signature=png_bytes(color=(0, 0, 0)),
    )
    result_finalise(actor=field.user, result_id=draft.pk)
    follow_up = InspectionTask.objects.get(kind=TaskKind.FOLLOW_UP, origin_task=field.task)
    assert [ci.pk for ci in task_check_items(follow_up)] == [failed.pk]
    client = _client(field.user)
    url = reverse("inspections:task_detail", args=[follow_up.pk])
    html = client.get(url).content.decode()
    assert "三日内维修冷藏柜并记录温度" in html and "冷藏柜温度 12℃" in html
    assert "本次检查事项（1 项）" in html
    other = items[0]
    assert other.item not in html.split('id="recheck"', 1)[1]
    client.post(reverse("inspections:task_start", args=[follow_up.pk]))
    html = client.get(url).content.decode()
    assert f'name="v-{failed.pk}"' in html and f'name="v-{other.pk}"' not in html


def test_basic_only_findings_recheck_the_basic_items(field):
    items = task_check_items(field.task)
    draft = result_start(actor=field.user, task_id=field.task.pk)
    verdicts = {ci.pk: ("conform", "") for ci in items}
    verdicts[items[0].pk] = ("basic", "台账不全")
    result_save(
        actor=field.user,
        result_id=draft.pk,
        data={"outcome": "rectify", "rectification_requirements": "补全台账"},
        items=verdicts,
        inspector_signature=png_bytes(),
        operator_signature=png_bytes(color=(0, 0, 0)),
    )
    result_finalise(actor=field.user, result_id=draft.pk)
    follow_up = InspectionTask.objects.get(kind=TaskKind.FOLLOW_UP)
    assert [ci.pk for ci in task_check_items(follow_up)] == [items[0].pk]


def test_task_page_has_address_and_tap_to_call(field, leader):
    ent = field.enterprise
    ent.contact_phone = "138 1234 5678"
    ent.contact_person = "王老板"
    ent.business_address = "硖石街道西山路 18 号"
    ent.save()
    url = reverse("inspections:task_detail", args=[field.task.pk])
    html = _client(field.user).get(url).content.decode()
    assert 'href="tel:13812345678"' in html and "硖石街道西山路 18 号" in html and "王老板" in html
    # leadership has no 查看联系电话全号: masked, and no link that would dial the full number
    html = _client(leader).get(url).content.decode()
    assert "tel:" not in html and "138****5678" in html and "13812345678" not in html


# ---------------------------------------------------------------------------- flying inspections
def test_enterprise_suggestions_are_scoped_and_bounded(city_staff, township_a, township_b, user_factory):
    for i in range(25):
        make_enterprise(township_a, name=f"海宁市许村飞检{i:02d}号店")
    make_enterprise(township_b, name="海宁市许村飞检外镇店")
    url = reverse("inspections:flying_enterprises")
    client = _client(city_staff)
    html = client.get(url, {"q": "许村飞检"}).content.decode()
    assert html.count('name="enterprise_pick"') == 20 and "前 20 家" in html
    assert client.get(url, {"q": "x" * 61}).status_code == 400
    assert 'name="enterprise_pick"' not in client.get(url, {"q": "   "}).content.decode()
    # a USCC prefix finds the business
    ent = make_enterprise(township_a, name="代码查找店")
    assert "代码查找店" in client.get(url, {"q": ent.uscc[:12]}).content.decode()
    # scope: a township user allowed to create tasks sees only their township's businesses
    local = user_factory("flying_b", "township_staff", [township_b])
    local.user_permissions.add(Permission.objects.get(codename="add_inspectiontask"))
    local = type(local).objects.get(pk=local.pk)
    html = _client(local).get(url, {"q": "许村飞检"}).content.decode()
    assert "外镇店" in html and html.count('name="enterprise_pick"') == 1
    # and it needs the right to create tasks
    assert _client(user_factory("plain_b", "township_staff", [township_b])).get(url, {"q": "x"}).status_code == 403


def test_a_name_matching_several_lets_the_user_pick(city_staff, township_a):
    a = make_enterprise(township_a, name="海宁市味道面馆")
    b = make_enterprise(township_a, name="海宁市味道面馆（二店）")
    i1, i2 = make_inspector(township=township_a), make_inspector(township=township_a)
    client = _client(city_staff)
    url = reverse("inspections:flying_create")
    data = {"enterprise": "味道面馆", "reason": "群众举报后厨卫生", "inspectors": [i1.pk, i2.pk]}
    first = client.post(url, data)
    assert first.status_code == 200
    html = first.content.decode()
    assert "匹配到 2 家" in html and f'value="{a.pk}"' in html and f'value="{b.pk}"' in html
    assert not InspectionTask.objects.exists()
    done = client.post(url, {**data, "enterprise_pick": str(b.pk)})
    assert done.status_code == 302
    assert InspectionTask.objects.get().enterprise == b
    # the exact full name still resolves without picking
    client.post(url, {**data, "enterprise": "海宁市味道面馆"})
    assert InspectionTask.objects.filter(enterprise=a).count() == 1


def test_flying_form_bounds_and_bad_input(city_staff, township_a):
    ent = make_enterprise(township_a)
    i1, i2 = make_inspector(township=township_a), make_inspector(township=township_a)
    client = _client(city_staff)
    url = reverse("inspections:flying_create")
    base = {"enterprise": ent.uscc, "reason": "群众举报后厨卫生", "inspectors": [i1.pk, i2.pk]}
    far = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    for extra, message in (
        ({"due_date": far}, "不能超过一年"),
        ({"enterprise_pick": "99999999999999"}, ""),
        ({"enterprise_pick": "abc"}, ""),
        ({"enterprise": ""}, ""),
        ({"enterprise": "x" * 200}, ""),
    ):
        response = client.post(url, {**base, **extra})
        assert response.status_code == 200, extra
        assert message in response.content.decode()
    assert not InspectionTask.objects.exists()
    # a pick out of scope or not operating is not taken: the text decides
    closed = make_enterprise(township_a, status="cancelled")
    assert client.post(url, {**base, "enterprise_pick": str(closed.pk)}).status_code == 302
    assert InspectionTask.objects.get().enterprise == ent


def test_flying_form_has_a_searchable_inspector_list(city_staff, township_a):
    make_inspector(township=township_a, name="赵飞检")
    html = _client(city_staff).get(reverse("inspections:flying_create")).content.decode()
    assert 'data-filter-checks="id_inspectors"' in html and "赵飞检" in html
    assert 'hx-get="' + reverse("inspections:flying_enterprises") in html
    assert "<script>" not in html  # CSP script-src 'self': no inline script


def test_rectification_submit_does_not_redirect_off_site(field, staff_a):
    result_finalise(
        actor=field.user,
        result_id=field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改").pk,
    )
    rect = Rectification.objects.get()
    response = _client(staff_a).post(
        reverse("inspections:rectification_submit", args=[rect.pk]), {"note": "已整改", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("inspections:rectifications")


def test_inspector_lists_are_capped(city_staff, township_a):
    ent = make_enterprise(township_a)
    response = _client(city_staff).post(
        reverse("inspections:flying_create"),
        {"enterprise": ent.uscc, "reason": "群众举报后厨卫生", "inspectors": [str(i) for i in range(1, 50)]},
    )
    assert response.status_code == 200 and "最多选派 10 名检查人员" in response.content.decode()
    assert not InspectionTask.objects.exists()


def test_migration_narrows_old_recheck_tasks_not_started(field):
    import importlib

    from django.apps import apps as registry

    items = task_check_items(field.task)
    draft = result_start(actor=field.user, task_id=field.task.pk)
    verdicts = {ci.pk: ("conform", "") for ci in items}
    verdicts[items[2].pk] = ("nonconform", "")
    result_save(
        actor=field.user,
        result_id=draft.pk,
        data={"outcome": "rectify", "rectification_requirements": "整改"},
        items=verdicts,
        inspector_signature=png_bytes(),
        operator_signature=png_bytes(color=(0, 0, 0)),
    )
    result_finalise(actor=field.user, result_id=draft.pk)
    follow_up = InspectionTask.objects.get(kind=TaskKind.FOLLOW_UP)
    follow_up.check_items.set(items)  # as the code before this change made it: the whole list
    importlib.import_module("apps.inspections.migrations.0007_fieldwork_recheck_items").narrow(registry, None)
    assert list(follow_up.check_items.values_list("pk", flat=True)) == [items[2].pk]
    # a started re-check keeps its list
    follow_up.check_items.set(items)
    result_start(actor=field.user, task_id=follow_up.pk)
    importlib.import_module("apps.inspections.migrations.0007_fieldwork_recheck_items").narrow(registry, None)
    assert follow_up.check_items.count() == len(items)

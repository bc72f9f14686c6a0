"""No raw codes in front of a person (issue 8, point 6): audit events, object types and job kinds have Chinese names,
declared by the app that defines them (apps/common/labels.py)."""

import pathlib
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from apps.common.audit import audit_record
from apps.common.job_registry import registered_kinds
from apps.common.labels import audit_action_label, audit_action_labels, job_kind_label, object_type_label
from apps.common.models import Job

APPS_DIR = pathlib.Path(__file__).resolve().parents[2] / "apps"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _recorded_actions() -> set[str]:
    """Every event code the code records: audit_record("…") literals and ACTION = "…" constants."""
    found = set()
    literal = re.compile(r'audit_record\(\s*"([a-z_][a-z0-9_.]*)"')
    either = re.compile(r'audit_record\(\s*"([a-z_.]+)" if .+? else "([a-z_.]+)"', re.S)
    constant = re.compile(r'^\s*ACTION\w* = "([a-z_][a-z0-9_.]*)"', re.M)
    for path in APPS_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(literal.findall(text)) | set(constant.findall(text))
        for pair in either.findall(text):
            found |= set(pair)
    return found


def test_every_recorded_audit_event_has_a_chinese_name():
    actions = _recorded_actions()
    assert {"enterprise.create", "auth.login", "inspections.result_finalise", "admin.add"} <= actions
    labels = audit_action_labels()
    missing = sorted(a for a in actions if not CJK.search(labels.get(a, "")))
    assert missing == []


def test_job_status_events_have_names():
    for status in ("done", "failed", "error", "create"):
        assert CJK.search(audit_action_labels()[f"job.{status}"])


def test_every_job_kind_has_a_chinese_name():
    kinds = [k for k in registered_kinds() if not k.startswith("test.")]
    assert "enterprises.export" in kinds
    assert [k for k in kinds if not CJK.search(job_kind_label(k)) or k in job_kind_label(k)] == []


def test_object_types_are_model_names():
    assert object_type_label("enterprises.enterprise") == str(
        django_apps.get_model("enterprises", "enterprise")._meta.verbose_name
    )
    assert object_type_label("postgres.role") == "数据库角色"
    assert object_type_label("no_such.model") == "其他对象（no_such.model）"
    assert audit_action_label("removed.feature") == "其他事件（removed.feature）"


@pytest.mark.django_db
def test_audit_page_shows_names_not_codes(client, audit_admin, staff_a):
    audit_record("enterprise.create", object_type="enterprises.enterprise", object_repr="乡味小吃", actor=staff_a)
    client.force_login(audit_admin)
    html = client.get(reverse("audit:list")).content.decode()
    assert "新增检查对象" in html and "检查对象" in html
    assert "enterprise.create" not in html.split("<tbody>")[1]  # the table shows no code
    options = client.get(reverse("audit:list")).context["filter_form"].fields["object_type"].choices
    assert ("enterprises.enterprise", "检查对象") in list(options)


@pytest.mark.django_db
def test_job_pages_show_kind_names(client, staff_a):
    job = Job.objects.create(kind="enterprises.export", created_by=staff_a)
    client.force_login(staff_a)
    html = client.get(reverse("jobs:list")).content.decode()
    assert "导出检查对象名录" in html and "<code>enterprises.export</code>" not in html
    detail = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "导出检查对象名录" in detail and "<code>" not in detail


@pytest.mark.django_db
def test_admin_audit_and_job_lists_show_names(client, audit_admin, sys_admin, staff_a):
    audit_record("enterprise.create", object_type="enterprises.enterprise", object_repr="乡味小吃", actor=staff_a)
    client.force_login(audit_admin)
    html = client.get(reverse("admin:common_auditevent_changelist")).content.decode()
    assert "新增检查对象" in html and "检查对象" in html
    Job.objects.create(kind="enterprises.export", created_by=sys_admin)
    client.force_login(sys_admin)
    response = client.get(reverse("admin:common_job_changelist"))
    assert response.status_code == 200 and "导出检查对象名录" in response.content.decode()

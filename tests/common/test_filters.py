"""One filtering rule for the whole platform (apps/common/filters.py): an empty value is no filter.

A browser submits every field of a filter form, the untouched ones empty (``?q=&township=&status=``). Before this
rule each empty choice was an invalid value and the enterprise list answered "共 0 条" (issue 8, point 1).
"""

import importlib
import pkgutil

import django_filters
import pytest
from django.http import QueryDict
from django.urls import reverse

import apps
from apps.common.api.filters import StrictDjangoFilterBackend
from apps.common.filters import BaseFilterSet, filter_queryset, without_empty
from apps.enterprises.filters import EnterpriseFilterSet
from apps.enterprises.models import Enterprise
from tests.factories.enterprises import EnterpriseFactory


def _all_filtersets():
    """Every FilterSet class defined in apps/ (imports each module under apps/, then walks the subclasses)."""
    for module in pkgutil.walk_packages(apps.__path__, "apps."):
        if ".migrations" in module.name or module.name.endswith(".tests"):
            continue
        importlib.import_module(module.name)
    seen, stack = set(), [django_filters.FilterSet]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return {cls for cls in seen if cls.__module__.startswith("apps.")}


def test_every_filterset_in_the_platform_inherits_the_base():
    found = _all_filtersets()
    assert EnterpriseFilterSet in found  # the walk sees the app FilterSets at all
    offenders = sorted(f"{c.__module__}.{c.__qualname__}" for c in found if not issubclass(c, BaseFilterSet))
    assert offenders == []


def test_filterset_fields_views_get_the_base_too():
    assert StrictDjangoFilterBackend.filterset_base is BaseFilterSet


def test_without_empty_drops_blank_values_and_blank_repetitions():
    data = QueryDict("q=&township=&status=operating&status=&licence_kind=%20&page=2", mutable=False)
    cleaned = without_empty(data)
    assert dict(cleaned.lists()) == {"status": ["operating"], "page": ["2"]}
    assert without_empty({"a": "", "b": ["", "x"], "c": None, "d": "0"}) == {"b": ["x"], "d": "0"}
    assert without_empty(None) is None


@pytest.mark.django_db
def test_the_untouched_enterprise_form_filters_nothing(township_a):
    EnterpriseFactory.create_batch(3, township=township_a)
    qs = Enterprise.objects.all()
    browser = QueryDict(
        "q=&township=&business_type__code=&status=&licence_kind=&licence_expires_within=&licence_expires_before="
        "&sunshine_kitchen=&sunshine_kitchen_online=&online_catering=&responsibility_list=&liability_insurance="
        "&cold_chain=&has_third_party_evaluator=&area_type="
    )
    assert filter_queryset(EnterpriseFilterSet, qs, browser).count() == 3
    # an empty repetition beside a real value keeps the real value
    one = Enterprise.objects.first()
    assert list(filter_queryset(EnterpriseFilterSet, qs, QueryDict(f"township=&township={township_a.pk}"))) != []
    assert filter_queryset(EnterpriseFilterSet, qs, QueryDict(f"q={one.name}&status=")).count() >= 1


@pytest.mark.django_db
def test_invalid_values_still_raise():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        filter_queryset(EnterpriseFilterSet, Enterprise.objects.all(), QueryDict("status=bogus"))
    assert "status" in info.value.message_dict


def test_api_empty_filter_is_no_filter(api_client, staff_a, township_a):
    EnterpriseFactory.create_batch(2, township=township_a)
    api_client.force_authenticate(staff_a)
    plain = api_client.get("/api/v1/enterprises/")
    empty = api_client.get("/api/v1/enterprises/?status=&township=&q=")
    assert plain.status_code == empty.status_code == 200
    assert empty.json()["count"] == plain.json()["count"] == 2
    assert api_client.get("/api/v1/enterprises/?status=bogus").status_code == 400


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("audit:list", "action=&object_type=&obj=&actor=&outcome=&date_from=&date_to="),
        ("jobs:list", "status=&kind="),
    ],
)
def test_common_list_pages_untouched_form_equals_no_filter(client, audit_admin, url_name, params):
    from apps.common.audit import audit_record
    from apps.common.models import Job

    audit_record("admin.change", object_type="accounts.township", object_repr="许村镇", actor=audit_admin)
    Job.objects.create(kind="common.selftest", created_by=audit_admin)
    audit_admin.user_permissions.add(*_perm("common.view_job"))
    client.force_login(audit_admin)
    plain = client.get(reverse(url_name))
    submitted = client.get(f"{reverse(url_name)}?{params}")
    assert plain.status_code == submitted.status_code == 200
    assert submitted.context["page"].paginator.count == plain.context["page"].paginator.count > 0
    assert not submitted.context["filter_errors"]


def _perm(label):
    from django.contrib.auth.models import Permission

    app_label, codename = label.split(".")
    return list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))


@pytest.mark.django_db
def test_invalid_value_messages_name_the_filter():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        filter_queryset(EnterpriseFilterSet, Enterprise.objects.all(), QueryDict("status=bogus"))
    assert info.value.message_dict["status"][0].startswith("经营状态：")

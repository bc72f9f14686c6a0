"""The weights page: city staff add a row effective from a date (preview, confirm); bad input names the field and
writes nothing; township staff only read the suggestions."""

import datetime as dt

import pytest

from apps.common.exceptions import DomainError
from apps.common.models import AuditEvent
from apps.sampling.models import SuggestionWeights
from apps.sampling.plans.defaults import CONFIG_EFFECTIVE_FROM
from apps.sampling.targeting import services

pytestmark = pytest.mark.django_db
NEW = "/sampling/suggestions/weights/new/"
LIST = "/sampling/suggestions/weights/"


def _rows() -> list:
    """The weights rows; the default row (sampling migration 0004, effective 2019-10-01) is always there."""
    return list(SuggestionWeights.objects.order_by("effective_from").values_list("effective_from", flat=True))


DEFAULT = [CONFIG_EFFECTIVE_FROM]


def _form(day, **over):
    data = {
        "effective_from": day.isoformat(),
        "grade": "40",
        "unqualified": "30",
        "complaints": "0",
        "staleness": "15",
        "hazard": "15",
        "history_years": "3",
        "note": "",
    }
    data.update(over)
    return data


def test_page_preview_then_confirm(client, city_staff, today):
    client.force_login(city_staff)
    assert client.get(NEW).status_code == 200
    preview = client.post(NEW, _form(today + dt.timedelta(days=1)))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "确认保存新的靶向抽检权重" in html and "与今天生效的权重对比" in html
    assert _rows() == DEFAULT
    data = {**preview.context["confirm"].hidden, "confirm": "yes"}
    done = client.post(NEW, data)
    assert done.status_code == 302 and done["Location"] == LIST
    assert _rows() == [*DEFAULT, today + dt.timedelta(days=1)]
    row = SuggestionWeights.objects.get(effective_from=today + dt.timedelta(days=1))
    assert (row.grade, row.unqualified, row.complaints, row.history_years) == (40, 30, 0, 3)
    assert AuditEvent.objects.filter(action="sampling.suggestion_weights_create").count() == 1
    listing = client.get(LIST).content.decode()
    assert "待生效" in listing


def test_browser_submission_with_empty_fields_names_them(client, city_staff):
    client.force_login(city_staff)
    empty = {name: "" for name in _form(dt.date.today())}
    response = client.post(NEW, empty)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["effective_from"] == ["请填写生效日期"]
    assert errors["grade"] == ["请填写风险等级权重"]
    assert errors["history_years"] == ["请填写回溯年数"]
    assert _rows() == DEFAULT


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"grade": "101"}, "grade", "风险等级权重应为 0–100 的整数"),
        ({"hazard": "-1"}, "hazard", "品类风险权重应为 0–100 的整数"),
        ({"history_years": "11"}, "history_years", "回溯年数应为 1–10 的整数"),
        ({"effective_from": "2026-02-30"}, "effective_from", "生效日期格式应为 年-月-日，如 2027-01-01"),
    ],
)
def test_page_bounds(client, city_staff, today, over, field, message):
    client.force_login(city_staff)
    response = client.post(NEW, _form(today, **over))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]


def test_all_zero_and_past_date_and_duplicate_refused(client, city_staff, today):
    client.force_login(city_staff)
    zero = _form(today, grade="0", unqualified="0", complaints="0", staleness="0", hazard="0")
    assert "权重不能全为 0" in client.post(NEW, zero).content.decode()
    past = client.post(NEW, {**_form(today - dt.timedelta(days=1)), "confirm": "yes"})
    assert past.status_code == 400
    assert past.context["form"].errors["effective_from"] == ["生效日期不能早于今天（过去的排名保留当时的权重）"]
    services.weights_create(
        actor=city_staff, effective_from=today, grade=1, unqualified=1, complaints=1, staleness=1, hazard=1
    )
    dup = client.post(NEW, {**_form(today), "confirm": "yes"})
    assert dup.status_code == 400 and "起生效的权重已存在" in dup.context["form"].errors["effective_from"][0]
    assert _rows() == [*DEFAULT, today]


def test_service_refuses_wrong_types(city_staff, today):
    base = dict(effective_from=today, grade=1, unqualified=1, complaints=1, staleness=1, hazard=1)
    for over, field in (
        ({"grade": "5"}, "grade"),
        ({"history_years": 0}, "history_years"),
        ({"effective_from": "x"}, "effective_from"),
    ):
        with pytest.raises(DomainError) as exc:
            services.weights_create(actor=city_staff, **{**base, **over})
        assert field in exc.value.fields
    assert _rows() == DEFAULT


def test_township_staff_cannot_open_the_weights_pages(client, staff_a):
    client.force_login(staff_a)
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403


def test_weights_list_flags_catalogue_gaps(client, city_staff, catalogue):
    client.force_login(city_staff)
    html = client.get(LIST).content.decode()
    assert "在抽检分类目录" in html and "罐头" in html
    assert f"{CONFIG_EFFECTIVE_FROM:%Y-%m-%d} 起" in html and "默认权重（尚未设置）" not in html
    SuggestionWeights.objects.all().delete()  # no row at all: the ranking falls back to the default weights
    html = client.get(LIST).content.decode()
    assert "默认权重（尚未设置）" in html and "尚未设置权重" in html

"""The complaint figures of the home pages (apps/dashboard/figures.py) open the complaint list of exactly their rows,
as each role, on data where an unfiltered list would differ."""

import pytest
import time_machine

from tests.dashboard.test_counts_agree import rows_behind

from .test_timeliness import NOW, cases  # noqa: F401  (the `cases` fixture)

pytestmark = pytest.mark.django_db

COMPLAINT_FIGURES = {"投诉举报受理决定已超期", "投诉举报按时受理率", "待受理投诉举报", "待发放奖励"}


@pytest.mark.parametrize(
    "actor,expected",
    [
        ("staff_a", {"投诉举报受理决定已超期": 1}),
        ("city_staff", {"投诉举报受理决定已超期": 1}),
        ("leader", {"投诉举报按时受理率": (3, 5)}),
        ("complaint_officer", {"待受理投诉举报": 2, "投诉举报受理决定已超期": 1, "待发放奖励": 0}),
    ],
)
def test_complaint_figures_open_their_rows(client, request, cases, actor, expected):  # noqa: F811
    client.force_login(request.getfixturevalue(actor))
    with time_machine.travel(NOW, tick=False):
        kpis = {k.label: k for k in client.get("/").context["kpis"] if k.label in COMPLAINT_FIGURES}
        assert set(kpis) == set(expected)
        for label, value in expected.items():
            kpi = kpis[label]
            if kpi.is_count:
                assert kpi.value == value
                assert rows_behind(client, kpi.url) == value, label
            else:
                assert tuple(link.value for link in kpi.links) == value
                assert kpi.value == round(value[0] * 100 / value[1])
                for link in kpi.links:
                    assert rows_behind(client, link.url) == link.value, f"{label} {link.text}"

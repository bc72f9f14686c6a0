import datetime as dt

import pytest
from django.utils import timezone

from apps.enterprises.choices import EnterpriseStatus
from apps.inspections.draws.services import plan_create

from .factories import make_enterprise, make_inspector


class World:
    """30 catering businesses in 硖石 and 20 shops in 许村, 8 certified inspectors (+1 expired, +1 inactive)."""

    def __init__(self, township_a, township_b):
        self.township_a, self.township_b = township_a, township_b
        self.caterers = [make_enterprise(township_a, business_type="catering") for _ in range(30)]
        self.shops = [make_enterprise(township_b, business_type="food_sales") for _ in range(20)]
        self.closed = make_enterprise(township_a, status=EnterpriseStatus.CANCELLED)
        self.inspectors = [make_inspector(township=township_a if i % 2 else township_b) for i in range(8)]
        self.expired = make_inspector(valid_until=dt.date.today() - dt.timedelta(days=1))
        self.inactive = make_inspector(is_active=False)

    def plan(self, actor, *, strata=None, **kw):
        defaults = dict(name="2026年第一批餐饮抽查", year=2026, round_label="第一批")
        defaults.update(kw)
        return plan_create(
            actor=actor,
            strata=strata or [{"key": "all", "label": "全部", "proportion": "0.2"}],
            **defaults,
        )


@pytest.fixture
def world(township_a, township_b):
    return World(township_a, township_b)


@pytest.fixture
def other_city_staff(user_factory):
    return user_factory("city_staff_2", "city_staff")


@pytest.fixture
def now():
    return timezone.now()

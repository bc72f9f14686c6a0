"""Hand-made samples for the quota figures: one task behind them all (no extra plan lines), each sample placed by
township, date, purpose, source, category, business type and quick-test flag."""

import datetime as dt
import itertools

from apps.enterprises.models import BusinessType
from apps.sampling.choices import LineSource, SamplingPurpose
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.sampling import SampleFactory, SamplingTaskFactory

_seq = itertools.count(1)


class Samples:
    def __init__(self, category):
        # the task's own plan line lies in another year, so it adds nothing to the figures of 2026
        self.task = SamplingTaskFactory(plan_line__category=category, plan_line__plan__year=2019)
        self.enterprises = {}

    def enterprise(self, township, business_type="catering", key=0):
        k = (township.pk, business_type, key)
        if k not in self.enterprises:
            self.enterprises[k] = EnterpriseFactory(
                township=township, business_type=BusinessType.objects.get(code=business_type)
            )
        return self.enterprises[k]

    def add(
        self,
        township,
        *,
        on=dt.date(2026, 3, 2),
        purpose=SamplingPurpose.SUPERVISORY,
        source=LineSource.ROUTINE,
        category=None,
        business_type="catering",
        quick=False,
        key=0,
    ):
        ent = self.enterprise(township, business_type, key)
        return SampleFactory(
            task=self.task,
            number=f"DC26330481T{next(_seq):07d}",
            purpose=purpose,
            source=source,
            category=category or self.task.category,
            enterprise=ent,
            township=township,
            site_name=ent.name,
            sampled_on=on,
            production_date=on - dt.timedelta(days=3),
            is_quick_test=quick,
        )

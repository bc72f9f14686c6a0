"""Factories for the registry. ``EnterpriseFactory(township=...)`` makes a valid, operating 餐饮服务 row with a
valid USCC registered in 330481; ``LicenceFactory(enterprise=...)`` a valid JY2 licence valid for five years.

They write through the ORM (fast, no audit events); tests of the write paths call the services instead.
Reference data must be loaded (the ``reference`` fixture) for the default township.
"""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Township
from apps.enterprises.choices import EnterpriseStatus, LicenceKind
from apps.enterprises.identifiers import make_licence_number, make_uscc
from apps.enterprises.models import BusinessType, Enterprise, Licence


def _default_township():
    township = Township.objects.filter(code="xiashi").first() or Township.objects.order_by("order", "id").first()
    if township is None:
        township = Township.objects.create(code="xiashi", name="硖石街道", kind="subdistrict", order=1)
    return township


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"海宁市测试餐饮店{n:05d}")
    uscc = factory.Sequence(lambda n: make_uscc("92330481", f"{70000000 + n:08d}"))
    legal_representative = "张三"
    contact_person = "张三"
    contact_phone = "0573-87000000"
    registered_address = factory.Sequence(lambda n: f"海宁市硖石街道西山路{n % 500 + 1}号")
    business_address = factory.SelfAttribute("registered_address")
    township = factory.LazyFunction(_default_township)
    business_type = factory.LazyFunction(lambda: BusinessType.objects.get(code="catering"))
    status = EnterpriseStatus.OPERATING

    class Params:
        cancelled = factory.Trait(
            status=EnterpriseStatus.CANCELLED,
            deactivated_at=factory.LazyFunction(lambda: dt.datetime.now(dt.UTC)),
            status_reason="测试注销",
        )
        suspended = factory.Trait(
            status=EnterpriseStatus.SUSPENDED,
            deactivated_at=factory.LazyFunction(lambda: dt.datetime.now(dt.UTC)),
            status_reason="测试停业",
        )


class LicenceFactory(DjangoModelFactory):
    class Meta:
        model = Licence

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = LicenceKind.JY
    number = factory.Sequence(lambda n: make_licence_number("JY", f"2330481{500000 + n:06d}"))
    issued_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=365))
    expires_on = factory.LazyAttribute(lambda o: o.issued_on + dt.timedelta(days=5 * 365 - 1))
    is_active = True

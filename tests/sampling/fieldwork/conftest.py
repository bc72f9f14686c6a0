"""The fieldwork world: a sampling organisation and a lab (different legal persons), an approved plan with a line in
township A, operating enterprises there (one with a JY licence), a sampler and a lab user who are members."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from apps.enterprises.identifiers import make_uscc
from apps.sampling.choices import OrganisationKind
from apps.sampling.models import Organisation
from tests.conftest import make_user
from tests.factories.enterprises import EnterpriseFactory, LicenceFactory
from tests.factories.sampling import PlanLineFactory, SamplingCategoryFactory, SamplingPlanFactory


@dataclass
class World:
    sampler_org: Organisation
    lab: Organisation
    other_lab: Organisation
    line: object
    enterprises: list
    sampler: object
    lab_user: object
    other_lab_user: object
    category: object

    def form_data(self, **overrides) -> dict:
        """What a browser posts from the 抽样单 form: every field, the untouched optional ones empty, the unchecked
        checkboxes absent."""
        today = timezone.localdate()
        data = {
            "sampling_type": "常规抽样",
            "stage": "catering",
            "place_type": "餐馆",
            "category": str(self.category.pk),
            "sampler_1": "王抽样",
            "sampler_2": "李抽样",
            "sampler_3": "",
            "sampler_4": "",
            "site_name": self.enterprises[0].name,
            "site_address": "海宁市硖石街道西山路1号",
            "site_area_type": "城市",
            "site_uscc": self.enterprises[0].uscc,
            "site_licence_kind": "食品经营许可证",
            "site_licence_no": "",
            "site_legal_rep": "张三",
            "site_contact": "张三",
            "site_phone": "",
            "producer_name": "",
            "producer_location": "",
            "producer_address": "",
            "producer_licence_no": "",
            "producer_phone": "",
            "third_party": "",
            "third_party_name": "",
            "third_party_address": "",
            "third_party_licence_no": "",
            "third_party_phone": "",
            "name": "青菜",
            "sample_kind": "agricultural",
            "sample_origin_kind": "外购",
            "attribute": "普通食品",
            "packaging": "bulk",
            "trademark": "",
            "barcode": "",
            "specification": "",
            "quality_grade": "",
            "batch_no": "",
            "production_date": (today - dt.timedelta(days=1)).isoformat(),
            "shelf_life": "",
            "exec_standard": "",
            "unit_price": "",
            "origin": "",
            "sampled_on": today.isoformat(),
            "sampling_method": "非无菌",
            "storage": "常温",
            "base_quantity": "",
            "quantity": "2",
            "quantity_unit": "kg",
            "backup_quantity": "1",
            "backup_seal_no": "FY000123",
            "backup_sealed_by_site": "on",
            "remarks": "",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}


def make_org(name, kind=OrganisationKind.SAMPLER, *, body=None, uscc=None, **extra):
    if uscc is None and body is not None:
        uscc = make_uscc("12330481", body)
    return Organisation.objects.create(name=name, kind=kind, uscc=uscc or "", **extra)


@pytest.fixture
def world(reference, township_a):
    sampler_org = make_org("海宁测试抽样中心", body="CYAN0001", address="海宁市文苑路1号", contact_person="郑晓明")
    lab = make_org("海宁测试检验中心", OrganisationKind.LAB, body="JYAN0002")
    other_lab = make_org("另一检验所", OrganisationKind.LAB, body="JYAN0003", is_recheck_lab=True)
    category = SamplingCategoryFactory(code="t-veg", name="蔬菜", level=1)
    plan = SamplingPlanFactory(year=timezone.localdate().year, name="本年度监督抽检计划")
    line = PlanLineFactory(
        plan=plan, township=township_a, category=category, month=timezone.localdate().month, batches=5
    )
    enterprises = [EnterpriseFactory(township=township_a) for _ in range(4)]
    LicenceFactory(enterprise=enterprises[0])
    sampler = make_user("sampler_a", "sampler")
    sampler.full_name = "王抽样"
    sampler.save(update_fields=["full_name"])
    sampler_org.members.add(sampler)
    lab_user = make_user("lab_a", "lab_staff")
    lab.members.add(lab_user)
    other_lab_user = make_user("lab_b", "lab_staff")
    other_lab.members.add(other_lab_user)
    return World(
        sampler_org=sampler_org,
        lab=lab,
        other_lab=other_lab,
        line=line,
        enterprises=enterprises,
        sampler=sampler,
        lab_user=lab_user,
        other_lab_user=other_lab_user,
        category=category,
    )


@pytest.fixture
def task(world, city_staff):
    from apps.sampling.fieldwork.services.tasks import task_create

    return task_create(
        actor=city_staff,
        plan_line_id=world.line.pk,
        enterprise_id=world.enterprises[0].pk,
        sampling_org_id=world.sampler_org.pk,
        lab_id=world.lab.pk,
    )

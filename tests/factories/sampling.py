"""Factories for standards and sampling. They write through the ORM (fast, no audit events); tests of the write
paths call the services instead. Reference data must be loaded (the ``reference`` fixture).

``SampleFactory()`` makes a supervisory sample at an enterprise of the default township, sampled by one organisation
and tested by another (抽检分离), with a plan, a line and a task behind it. ``TestLimitFactory()`` is a ≤ 0.2 mg/kg
limit (like 铅 in vegetables) under a GB standard in force since 2023-06-30.
"""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.sampling.choices import LineSource, OrganisationKind, SamplingPurpose, Stage
from apps.sampling.models import Organisation, PlanLine, Sample, SamplingPlan, SamplingTask
from apps.standards.choices import JudgementType, StandardPrefix
from apps.standards.models import SamplingCategory, Standard, TestItem, TestLimit

from .enterprises import EnterpriseFactory, _default_township


class StandardFactory(DjangoModelFactory):
    class Meta:
        model = Standard
        django_get_or_create = ("prefix", "number", "part", "year")

    prefix = StandardPrefix.GB
    number = factory.Sequence(lambda n: f"{90000 + n}")
    part = ""
    year = 2022
    title = factory.Sequence(lambda n: f"测试标准{n}")
    effective_date = dt.date(2023, 6, 30)


class SamplingCategoryFactory(DjangoModelFactory):
    class Meta:
        model = SamplingCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试分类{n}")
    level = 1
    hazard = 3


class TestItemFactory(DjangoModelFactory):
    class Meta:
        model = TestItem
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"item-{n}")
    name = factory.Sequence(lambda n: f"测试项目{n}")


class TestLimitFactory(DjangoModelFactory):
    class Meta:
        model = TestLimit

    test_item = factory.SubFactory(TestItemFactory)
    judging_standard = factory.SubFactory(StandardFactory)
    judgement_type = JudgementType.MAX
    max_limit = Decimal("0.2")
    unit = "mg/kg"
    detection_limit = Decimal("0.005")
    detection_limit_unit = "mg/kg"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试抽样机构{n}")
    kind = OrganisationKind.SAMPLER
    uscc = ""

    class Params:
        lab = factory.Trait(kind=OrganisationKind.LAB, name=factory.Sequence(lambda n: f"测试检验机构{n}"))


class SamplingPlanFactory(DjangoModelFactory):
    class Meta:
        model = SamplingPlan
        django_get_or_create = ("year", "name")

    year = 2026
    name = "2026年食品安全监督抽检计划"
    purpose = SamplingPurpose.SUPERVISORY
    status = "approved"


class PlanLineFactory(DjangoModelFactory):
    class Meta:
        model = PlanLine

    plan = factory.SubFactory(SamplingPlanFactory)
    township = factory.LazyFunction(_default_township)
    category = factory.SubFactory(SamplingCategoryFactory)
    month = 3
    source = LineSource.ROUTINE
    batches = 5


class SamplingTaskFactory(DjangoModelFactory):
    class Meta:
        model = SamplingTask

    plan_line = factory.SubFactory(PlanLineFactory)
    plan = factory.SelfAttribute("plan_line.plan")
    enterprise = factory.SubFactory(EnterpriseFactory, township=factory.SelfAttribute("..plan_line.township"))
    category = factory.SelfAttribute("plan_line.category")
    sampling_org = factory.SubFactory(OrganisationFactory)
    lab = factory.SubFactory(OrganisationFactory, lab=True)


class SampleFactory(DjangoModelFactory):
    class Meta:
        model = Sample

    task = factory.SubFactory(SamplingTaskFactory)
    number = factory.Sequence(lambda n: f"DC26330481{900000000 + n:09d}")  # far from what sample_create allocates
    purpose = factory.SelfAttribute("task.plan.purpose")
    source = LineSource.ROUTINE
    stage = Stage.CATERING
    category = factory.SelfAttribute("task.category")
    sampling_org = factory.SelfAttribute("task.sampling_org")
    lab = factory.SelfAttribute("task.lab")
    samplers = factory.LazyFunction(lambda: ["王抽样", "李抽样"])
    enterprise = factory.SelfAttribute("task.enterprise")
    township = factory.SelfAttribute("enterprise.township")
    site_name = factory.SelfAttribute("enterprise.name")
    name = "青菜"
    production_date = dt.date(2026, 3, 1)
    sampled_on = dt.date(2026, 3, 2)
    quantity = 2
    backup_quantity = 1
    quantity_unit = "kg"
    backup_seal_no = factory.Sequence(lambda n: f"FY{n:06d}")

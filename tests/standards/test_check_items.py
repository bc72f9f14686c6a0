import pytest

from apps.enterprises.models import BusinessType
from apps.standards.choices import CheckItemCategory
from apps.standards.models import CheckItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sector", ["catering", "sales", "production"])
def test_starter_list_covers_each_sector_with_general_and_key_items(sector):
    items = CheckItem.objects.active().filter(sector=sector)
    assert 10 <= items.count() <= 15
    assert {i.category for i in items} == {CheckItemCategory.GENERAL, CheckItemCategory.KEY}
    for item in items:
        assert item.legal_basis and item.content and item.method and item.inspecting_body


def test_items_for_business_type_follow_sector_and_explicit_type_lists():
    school = BusinessType.objects.get(code="school_canteen")
    shop = BusinessType.objects.get(code="food_sales")
    catering_codes = {i.code for i in CheckItem.objects.for_business_type(school)}
    assert catering_codes and all(code.startswith("CY-") for code in catering_codes)

    # an item restricted to one business type applies to it (and its children), not to the rest of the sector
    special = CheckItem.objects.create(
        code="CY-X1",
        item="学校食堂陪餐制度",
        legal_basis="《学校食品安全与营养健康管理规定》",
        content="陪餐记录",
        sector="catering",
    )
    special.business_types.add(BusinessType.objects.get(code="canteen"))
    assert "CY-X1" in {i.code for i in CheckItem.objects.for_business_type(school)}
    assert "CY-X1" not in {
        i.code for i in CheckItem.objects.for_business_type(BusinessType.objects.get(code="catering"))
    }
    assert not {i.code for i in CheckItem.objects.for_business_type(shop)} & catering_codes

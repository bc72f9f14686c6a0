"""The standards catalogue in a real browser at 1366 and 390 px: no console errors (CSP), nothing wider than the
phone, every column labelled in the stacked rows. SAVE_SCREENSHOTS=1 writes docs/screenshots/sampling-standards-*.png."""

import pytest

from .conftest import DESKTOP, MOBILE, save_screenshot
from .test_list_filters import signed_in

pytestmark = pytest.mark.browser

PAGES = [
    ("standards", "/standards/?q=GB+2762"),
    ("test-items", "/standards/test-items/?q=%E9%93%85"),  # 铅
    ("test-items-micro", "/standards/test-items/?kind=micro"),
    ("categories", "/standards/categories/?q=01"),
]


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, "1366"), (MOBILE, "390")])
def test_catalogue_pages(new_page, reference, viewport, suffix):
    from tests.conftest import make_user

    sampler = make_user("sampler_browser", "sampler")
    probe = signed_in(new_page, sampler, viewport)
    for name, path in PAGES:
        probe.page.goto(probe.url(path))
        assert probe.page.locator("h1").inner_text() == "标准与检验项目"
        assert probe.page.locator("table.table-stack tbody tr").count() >= 1
        if viewport is MOBILE:
            assert probe.scroll_width() <= MOBILE["width"], name
            cells = probe.page.locator("table.table-stack tbody td")
            assert cells.count() == probe.page.locator("table.table-stack tbody td[data-label]").count()
        save_screenshot(probe, f"sampling-standards-{name}-{suffix}.png")
    probe.assert_clean()

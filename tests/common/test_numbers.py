"""``{% load numbers %}|intcomma``: thousands grouped with a comma under zh-hans (Django's humanize does not)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


def render(value) -> str:
    with translation.override("zh-hans"):
        return Template("{% load numbers %}{{ v|intcomma }}").render(Context({"v": value}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12345, "12,345"),
        (1076199, "1,076,199"),
        (999, "999"),
        (0, "0"),
        (-4962, "-4,962"),
        (Decimal("12345.60"), "12,345.60"),
        (1234.5, "1,234.5"),
        ("127950", "127,950"),
        (None, "None"),
        ("—", "—"),
        ("abc", "abc"),
    ],
)
def test_groups_thousands_whatever_the_locale(value, expected):
    assert render(value) == expected


def test_humanize_does_not_group_under_zh_hans():
    """Why the project filter exists: if Django ever groups here, the project filter can go."""
    with translation.override("zh-hans"):
        out = Template("{% load humanize %}{{ v|intcomma }}").render(Context({"v": 12345}))
    assert out == "12345"


def test_chains_after_default_if_none_and_escapes_text():
    with translation.override("zh-hans"):
        t = Template('{% load numbers %}{{ a|default_if_none:"—"|intcomma }} {{ b|intcomma }}')
        assert t.render(Context({"a": None, "b": "<b>"})) == "— &lt;b&gt;"


def test_no_template_loads_humanize():
    """Every figure goes through the project filter (humanize's intcomma would print 12345 ungrouped)."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    loads_humanize = [str(p) for p in root.rglob("*.html") if "humanize" in p.read_text(encoding="utf-8")]
    assert loads_humanize == []

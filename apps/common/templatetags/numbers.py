"""``{% load numbers %}{{ n|intcomma }}``: digit grouping with a comma every three digits (12345 → 12,345).

Django's ``humanize.intcomma`` follows the active locale's ``NUMBER_GROUPING``, which is 0 (no grouping) for
zh-hans, so under this platform's language it printed 12345 unchanged. Chinese official statistics group by
thousands with a comma, so this filter does so whatever the locale. Integers, decimals, floats and numeric strings
are grouped (the fraction kept as given); anything else (None, "—", text) is returned unchanged, so it chains after
``default_if_none``."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def group_digits(value) -> str:
    """``value`` with its integer part grouped by thousands; ``value`` itself (as text) if it is not a number."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return value
    try:
        number = Decimal(text)
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    sign = "-" if text.startswith("-") else ""
    digits = text.lstrip("+-")
    whole, dot, fraction = digits.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):  # exponent forms ("1E+5"): leave as they are
        return value
    return f"{sign}{int(whole):,}{dot}{fraction}"


@register.filter(is_safe=True)
def intcomma(value):
    return group_digits(value)

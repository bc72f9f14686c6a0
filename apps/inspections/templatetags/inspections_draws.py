"""Chinese names for the codes of the draw pages: {% load inspections_draws %} {{ draw.algorithm|algorithm_label }}."""

from django import template

from ..choices import ALGORITHM_LABELS, EXCLUSION_REASON_LABELS

register = template.Library()


@register.filter
def algorithm_label(code: str) -> str:
    return ALGORITHM_LABELS.get(code, code)


@register.filter
def exclusion_reason_label(code: str) -> str:
    return EXCLUSION_REASON_LABELS.get(code, code)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, key)


@register.simple_tag
def draw_signing_key() -> dict:
    """The platform's Ed25519 public key for hrs-v2 records ({"alg", "key_id", "public_key"})."""
    from ..draws.signing import public_key_info

    return public_key_info()

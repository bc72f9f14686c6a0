"""``reverse(name)`` of a route without arguments, remembered.

A page resolves the same few dozen names on every request (the main menu's ~40 entries, a quota page's list
links); ``django.urls.reverse`` costs ~20 µs each (language, resolver, prefix). The answer only depends on the URLconf,
the script prefix and the name, so it is remembered under those three; a name that does not resolve (its app is not
installed) is remembered as ``None``. Changing ``ROOT_URLCONF`` or ``INSTALLED_APPS`` (tests) forgets everything.
"""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_URLS: dict[tuple, str | None] = {}


def reverse_cached(name: str) -> str | None:
    """``reverse(name)``, or ``None`` when the name does not resolve."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    try:
        return _URLS[key]
    except KeyError:
        pass
    try:
        url = reverse(name)
    except NoReverseMatch:
        url = None
    _URLS[key] = url
    return url


def clear() -> None:
    _URLS.clear()


@receiver(setting_changed, dispatch_uid="common-urlcache-clear")
def _setting_changed(*, setting, **_kwargs):
    if setting in ("ROOT_URLCONF", "INSTALLED_APPS"):
        clear()

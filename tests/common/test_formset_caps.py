"""Every formset of the platform is capped (issue 8 point 9): a forged TOTAL_FORMS builds at most max_num forms.

Page formsets are found by walking the apps' forms modules; admin inlines by walking the admin registry.
"""

import importlib
import pkgutil

import pytest
from django.apps import apps as registry
from django.contrib import admin
from django.forms import BaseFormSet
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def _page_formsets():
    found = []
    for config in registry.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        for info in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
            if not info.name.rsplit(".", 1)[-1].startswith("forms"):
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if isinstance(value, type) and issubclass(value, BaseFormSet) and hasattr(value, "absolute_max"):
                    found.append((f"{module.__name__}.{name}", value))
    return found


def test_page_formsets_are_capped():
    formsets = _page_formsets()
    assert formsets, "no formset found: the walk is broken"
    for name, formset in formsets:
        assert formset.max_num <= 100, name
        assert formset.absolute_max == formset.max_num and formset.validate_max, name


def test_admin_inlines_are_capped(user_factory):
    root = user_factory("root_caps", "sys_admin", is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = root
    checked = 0
    for model, model_admin in admin.site._registry.items():
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            label = f"{model._meta.label} → {inline.__class__.__name__}"
            assert formset.max_num is not None and formset.max_num <= 500, label
            assert formset.absolute_max == formset.max_num and formset.validate_max, label
            checked += 1
    assert checked >= 5

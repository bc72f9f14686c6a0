"""Bounds for every formset of the platform.

A formset builds as many forms as the posted ``<prefix>-TOTAL_FORMS`` asks for, up to ``absolute_max`` — which Django
defaults to ``max_num + 1000``. A 300-byte POST saying ``TOTAL_FORMS=100000`` then costs seconds of CPU. Every
formset sets ``max_num``, ``absolute_max = max_num`` and ``validate_max`` (page formsets in their ``forms.py``; admin
inlines through ``CappedInlineMixin``). tests/common/test_formset_caps.py walks every registered inline.
"""

ADMIN_INLINE_MAX = 100


class CappedInlineMixin:
    """Admin inline whose formset never builds more than ``max_num`` forms, whatever TOTAL_FORMS says."""

    max_num = ADMIN_INLINE_MAX

    def get_formset(self, request, obj=None, **kwargs):
        cap = self.get_max_num(request, obj, **kwargs) or self.max_num or ADMIN_INLINE_MAX
        kwargs.setdefault("max_num", cap)
        kwargs.setdefault("absolute_max", cap)
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)

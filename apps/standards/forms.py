"""Forms of the catalogue (the admin uses them). The rules are the models' ``clean()`` (``validation.py``), run by
``ModelForm`` validation, so a form, the admin and a direct ``full_clean()`` refuse the same input with the same
Chinese messages; ``warnings`` carries what is advisable but not required."""

from django import forms

from .models import TestLimit
from .validation import limit_values, limit_warnings


class TestLimitForm(forms.ModelForm):
    __test__ = False

    class Meta:
        model = TestLimit
        fields = [
            "test_item",
            "judging_standard",
            "clause",
            "method_standard",
            "judgement_type",
            "min_limit",
            "max_limit",
            "unit",
            "micro_n",
            "micro_c",
            "micro_m",
            "micro_big_m",
            "detection_limit",
            "detection_limit_unit",
        ]

    @property
    def warnings(self) -> dict[str, str]:
        """After ``is_valid()``: advisable fields left empty (e.g. 不得检出 without a detection limit)."""
        if not hasattr(self, "cleaned_data"):
            return {}
        return limit_warnings(limit_values(self.instance))

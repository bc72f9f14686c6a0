from django import forms

MAX_QUERY = 100


class LookupForm(forms.Form):
    """Control characters, NUL included, are refused by the platform-wide text rule (apps/common/text.py)."""

    q = forms.CharField(
        label="企业名称或统一社会信用代码",
        max_length=MAX_QUERY,
        required=False,
        error_messages={
            "max_length": f"查询词最多 {MAX_QUERY} 个字，请输入企业名称的一部分或 18 位统一社会信用代码。",
        },
    )

"""Forms of sampling/publicity's staff pages. They shape and label the input; the services validate the domain
rules (and name the field in their Chinese messages), so the API and the pages refuse the same things."""

import datetime as dt

from django import forms
from django.utils import timezone

from apps.accounts.models import Township
from apps.standards.models import SamplingCategory

from .selectors import adoptable_plans

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * (obj.level - 1)}{obj.name}"


def _categories():
    return SamplingCategory.objects.filter(is_active=True).order_by("order", "code")


class TopicForm(forms.Form):
    title = forms.CharField(
        label="题目",
        max_length=100,
        min_length=2,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "例如：农贸市场豇豆农药残留"}),
    )
    description = forms.CharField(
        label="说明",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text="向市民说明抽检什么、为什么；公开显示",
    )
    category = CategoryChoiceField(
        label="抽检分类",
        queryset=SamplingCategory.objects.none(),
        required=False,
        empty_label="（列入计划时再选）",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    township = forms.ModelChoiceField(
        label="镇街",
        queryset=Township.objects.none(),
        required=False,
        empty_label="全市",
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="留空表示全市",
    )
    opens_on = forms.DateField(label="投票开始", widget=DATE)
    closes_on = forms.DateField(label="投票截止", widget=DATE, help_text="截止日当天仍可投票")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["township"].queryset = Township.objects.filter(is_active=True).order_by("order", "id")
        if not self.is_bound and "opens_on" not in self.initial:
            today = timezone.localdate()
            self.initial.setdefault("opens_on", today)
            self.initial.setdefault("closes_on", today + dt.timedelta(days=30))


class AdoptForm(forms.Form):
    plan = forms.ModelChoiceField(
        label="列入抽检计划",
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="监督抽检或评价性抽检计划（风险监测计划的结果不公开，不能选）",
    )
    township = forms.ModelChoiceField(
        label="抽检镇街",
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    category = CategoryChoiceField(
        label="抽检分类", queryset=None, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    month = forms.TypedChoiceField(
        label="计划月份",
        coerce=int,
        choices=[(m, f"{m} 月") for m in range(1, 13)],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    batches = forms.IntegerField(
        label="批次",
        min_value=1,
        max_value=1000,
        initial=5,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    def __init__(self, *args, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic = topic
        self.fields["plan"].queryset = adoptable_plans()
        self.fields["township"].queryset = Township.objects.filter(is_active=True).order_by("order", "id")
        self.fields["category"].queryset = _categories()
        if topic.township_id:
            self.fields["township"].disabled = True
            self.fields["township"].initial = topic.township_id
            self.fields["township"].help_text = "题目所属镇街"
        else:
            self.fields["township"].required = True
            self.fields["township"].help_text = "全市题目：选择由哪个镇街抽检"
        if topic.category_id:
            self.fields["category"].disabled = True
            self.fields["category"].initial = topic.category_id
        else:
            self.fields["category"].required = True
        if not self.is_bound:
            self.initial.setdefault("month", min(12, timezone.localdate().month + 1))


READING_CHOICES = [("", "未检"), ("negative", "阴性"), ("positive", "阳性")]


class QuickTestForm(forms.Form):
    """One select per applicable item (``item_<id>``: 未检 / 阴性 / 阳性), the time the result was given, the method."""

    result_at = forms.DateTimeField(
        label="结果告知时间",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
        help_text="留空为现在；食用农产品的异议期（4 小时）自此起算",
    )
    method_basis = forms.CharField(
        label="快检方法",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "例如 KJ 201710"}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.name,
                choices=READING_CHOICES,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def item_fields(self):
        return [self[f"item_{item.pk}"] for item in self.items]

    def readings(self) -> dict:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") or "" for item in self.items}

"""Forms of the lab pages: receipt, the results entry form (one row per applicable test item; a microbiological
n/c/m/M item has n inputs), and the disposal steps. Posted the browser way: every untouched field arrives empty;
an empty result of an item that is not marked 未检验 is "请填写…" naming the item."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils import timezone

from apps.standards.choices import JudgementType
from apps.standards.judging import limit_in_force

from .services.disposals import MEASURES, PROCEED_REASONS


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式应为 YYYY-MM-DD"},
    )


def _text(label: str, max_length: int, *, required: bool = False, textarea: bool = False) -> forms.CharField:
    widget = (
        forms.Textarea(attrs={"rows": 3, "class": "form-control"})
        if textarea
        else forms.TextInput(attrs={"class": "form-control"})
    )
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        error_messages={"required": f"请填写{label}", "max_length": f"{label}不能超过 {max_length} 个字符"},
    )


class ReceiveForm(forms.Form):
    received_on = _date_field("接收日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


# ---------------------------------------------------------------------------- results entry
@dataclass
class EntryRow:
    """One applicable test item on the form, with its limit in force on the production date (None: cannot judge)."""

    index: int
    item: object
    limit: object
    skip: object = None
    value: object = None
    micro: list | None = None
    unit: object = None
    note: object = None

    @property
    def is_micro(self) -> bool:
        return self.limit is not None and self.limit.judgement_type == JudgementType.MICRO

    @property
    def micro_error_id(self) -> str:
        return f"micro-{self.item.pk}-err"

    @property
    def micro_message(self) -> str:
        """The errors of the n inputs as one line (each input is too narrow on a phone for its own message)."""
        if not self.micro:
            return ""
        missing = [i for i, f in enumerate(self.micro, 1) if any(str(e).startswith("请填写") for e in f.errors)]
        others = [str(e) for f in self.micro for e in f.errors if not str(e).startswith("请填写")]
        parts = [f"请填写{self.item.name}第 {'、'.join(map(str, missing))} 个样品的结果"] if missing else []
        return "；".join([*parts, *dict.fromkeys(others)])

    @property
    def limit_text(self) -> str:
        lim = self.limit
        if lim is None:
            return "生产日期无现行限量，不能判定"
        if lim.judgement_type == JudgementType.MICRO:
            text = f"n={lim.micro_n} c={lim.micro_c} m={_fmt(lim.micro_m)}"
            return text + (f" M={_fmt(lim.micro_big_m)}" if lim.micro_big_m is not None else "") + f" {lim.unit}"
        if lim.judgement_type == JudgementType.NOT_DETECTED:
            return "不得检出" + (
                f"（检出限 {_fmt(lim.detection_limit)} {lim.detection_limit_unit}）" if lim.detection_limit else ""
            )
        if lim.judgement_type == JudgementType.RANGE:
            return f"{_fmt(lim.min_limit)}–{_fmt(lim.max_limit)} {lim.unit}"
        if lim.judgement_type == JudgementType.MIN:
            return f"≥ {_fmt(lim.min_limit)} {lim.unit}"
        return f"≤ {_fmt(lim.max_limit)} {lim.unit}"


def _fmt(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


class ResultEntryForm(forms.Form):
    """``v_<id>`` value, ``m_<id>_<i>`` the i-th microbiological result, ``u_<id>`` unit, ``x_<id>`` note,
    ``skip_<id>`` 本项未检验. ``items()`` are the service's items, in row order; ``index_row`` maps back."""

    report_no = _text("检验报告编号", 40)

    def __init__(self, data=None, *, sample, test_items):
        super().__init__(data)
        self.sample = sample
        self.rows: list[EntryRow] = []
        self.report_no_help = f"留空则为 {sample.number}-JY"
        for item in test_items:
            limit = limit_in_force(item, sample.production_date)
            row = EntryRow(index=len(self.rows), item=item, limit=limit)
            self.rows.append(row)
            if limit is None:
                continue
            pk = item.pk
            self.fields[f"skip_{pk}"] = forms.BooleanField(label=f"{item.name}本次未检验", required=False)
            if row.is_micro:
                for i in range(1, (limit.micro_n or 0) + 1):
                    self.fields[f"m_{pk}_{i}"] = forms.CharField(
                        label=f"{item.name}第 {i} 个样品结果",
                        max_length=60,
                        required=False,
                        widget=forms.TextInput(
                            attrs={"class": "form-control", "inputmode": "decimal", "placeholder": f"{i}"}
                        ),
                    )
            else:
                self.fields[f"v_{pk}"] = forms.CharField(
                    label=f"{item.name}检验结果",
                    max_length=60,
                    required=False,
                    widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
                    help_text="数值、“未检出”或“<检出限”",
                )
            self.fields[f"u_{pk}"] = forms.CharField(
                label=f"{item.name}结果单位",
                max_length=20,
                required=False,
                initial=limit.unit,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.fields[f"x_{pk}"] = forms.CharField(
                label=f"{item.name}说明",
                max_length=120,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        for row in self.rows:
            if row.limit is None:
                continue
            pk = row.item.pk
            row.skip = self[f"skip_{pk}"]
            row.unit = self[f"u_{pk}"]
            row.note = self[f"x_{pk}"]
            if row.is_micro:
                row.micro = [self[f"m_{pk}_{i}"] for i in range(1, (row.limit.micro_n or 0) + 1)]
            else:
                row.value = self[f"v_{pk}"]

    @property
    def judgeable_rows(self) -> list[EntryRow]:
        return [r for r in self.rows if r.limit is not None]

    def clean(self):
        data = super().clean()
        entered = 0
        for row in self.judgeable_rows:
            pk, name = row.item.pk, row.item.name
            if data.get(f"skip_{pk}"):
                continue
            entered += 1
            if row.is_micro:
                for i in range(1, (row.limit.micro_n or 0) + 1):
                    if not (data.get(f"m_{pk}_{i}") or "").strip():
                        self.add_error(f"m_{pk}_{i}", f"请填写{name}第 {i} 个样品的结果")
            elif not (data.get(f"v_{pk}") or "").strip():
                self.add_error(f"v_{pk}", f"请填写{name}的检验结果（未检验的项目请勾选“本项未检验”）")
        if not entered:
            raise forms.ValidationError("请至少录入一个检验项目的结果")
        return data

    def items(self) -> list[dict]:
        """The service's items (entered rows only), and ``self.index_row``: item index → row."""
        data = self.cleaned_data
        out, self.index_row = [], {}
        for row in self.judgeable_rows:
            pk = row.item.pk
            if data.get(f"skip_{pk}"):
                continue
            self.index_row[len(out)] = row
            item = {"test_item": pk, "unit": data.get(f"u_{pk}", ""), "explanation": data.get(f"x_{pk}", "")}
            if row.is_micro:
                item["micro_values"] = [data.get(f"m_{pk}_{i}", "") for i in range(1, (row.limit.micro_n or 0) + 1)]
            else:
                item["value_text"] = data.get(f"v_{pk}", "")
            out.append(item)
        return out

    def add_problems(self, problems) -> None:
        """Put the service's problems (index, key, message) beside their inputs."""
        for index, key, message in problems:
            row = self.index_row.get(index) if index is not None else None
            if row is None:
                self.add_error(None, message)
                continue
            pk = row.item.pk
            if key == "unit":
                self.add_error(f"u_{pk}", message)
            elif key == "explanation":
                self.add_error(f"x_{pk}", message)
            elif key in ("value_text", "micro_values"):
                self.add_error(f"m_{pk}_1" if row.is_micro else f"v_{pk}", message)
            else:
                self.add_error(None, message)

    def posted(self) -> dict:
        """The cleaned values as the hidden fields of the confirm step (same names, so the confirm re-validates)."""
        data = self.cleaned_data
        out = {}
        for name in self.fields:
            value = data.get(name)
            if isinstance(value, bool):
                if value:
                    out[name] = "on"
            elif value not in (None, ""):
                out[name] = value
        return out


# ---------------------------------------------------------------------------- disposal steps
class NotifyForm(forms.Form):
    notified_on = _date_field("送达日期")
    note = _text("说明", 500, textarea=True)


class RecheckRequestForm(forms.Form):
    requested_on = _date_field("申请复检日期")
    note = _text("说明", 500, textarea=True)


class ProceedForm(forms.Form):
    reason = forms.ChoiceField(
        label="原因",
        choices=list(PROCEED_REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "请选择进入核查处置的原因", "invalid_choice": "请选择进入核查处置的原因"},
    )
    on = _date_field("日期")
    note = _text("说明", 500, textarea=True)


class MeasuresForm(forms.Form):
    measures = forms.MultipleChoiceField(
        label="处置措施",
        choices=list(MEASURES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择处置措施", "invalid_choice": "请选择列出的处置措施"},
    )
    on = _date_field("采取措施日期")
    note = _text("说明", 500, textarea=True)


class CloseForm(forms.Form):
    outcome = _text("处置结果", 2000, required=True, textarea=True)
    closed_on = _date_field("办结日期")


STEP_FORMS = {
    "notify": NotifyForm,
    "recheck": RecheckRequestForm,
    "proceed": ProceedForm,
    "measures": MeasuresForm,
    "close": CloseForm,
}

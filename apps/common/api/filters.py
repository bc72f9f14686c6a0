from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from apps.common.filters import BaseFilterSet, without_empty


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """Unknown query parameters are a 400 (not silently ignored), and invalid filter values too.

    Allowed everywhere: ``page``, ``page_size``, ``format``. A view adds its own with ``extra_query_params``
    (e.g. ``("updated_since", "cursor")`` for a change feed); the ``ordering``/``search`` parameters of
    DRF's OrderingFilter/SearchFilter are allowed when the view uses those backends. Silently ignoring an
    unknown parameter would let an integrator believe a filter was applied when it was not.

    A view that declares only ``filterset_fields`` gets a FilterSet built on ``BaseFilterSet`` (an empty value is no
    filter), like every declared FilterSet.
    """

    filterset_base = BaseFilterSet

    ALWAYS_ALLOWED = {"page", "page_size", "format"}

    def allowed_params(self, request, queryset, view) -> set[str]:
        allowed = set(self.ALWAYS_ALLOWED) | set(getattr(view, "extra_query_params", ()))
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        for backend in getattr(view, "filter_backends", ()):
            for attr in ("ordering_param", "search_param"):
                name = getattr(backend, attr, None)
                if isinstance(name, str):
                    allowed.add(name)
        return allowed

    def filter_queryset(self, request, queryset, view):
        unknown = sorted(set(request.query_params) - self.allowed_params(request, queryset, view))
        if unknown:
            raise ValidationError({name: ["不支持的查询参数"] for name in unknown})
        filterset_class = self.get_filterset_class(view, queryset)
        check_integer_params(request.query_params, filterset_class)
        check_single_values(request.query_params, filterset_class)
        missing = missing_ids(request.query_params, filterset_class)
        if missing:  # a filter on a row that does not exist matches nothing (it is not an invalid request)
            request._strict_filter_data = _without(request.query_params, missing)
            return super().filter_queryset(request, queryset, view).none()
        return super().filter_queryset(request, queryset, view)

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        data = getattr(request, "_strict_filter_data", None)
        kwargs["data"] = without_empty(kwargs["data"] if data is None else data)
        return kwargs


# ------------------------------------------------------------------------------------------------ number bounds
# Every number in a query string is bounded by what its domain allows, checked here before the FilterSet (and the
# database) sees it, and declared in the OpenAPI schema by apps.common.api.schema from the same table.
# A filter states its own bounds with ``min_value`` / ``max_value`` (django-filter passes them to the form field);
# otherwise: a year is 2000–2100, an identifier 1–2^63-1 (BigAutoField), any other count 0–2^31-1.
YEAR_BOUNDS = (2000, 2100)
ID_BOUNDS = (1, 2**63 - 1)
COUNT_BOUNDS = (0, 2**31 - 1)
PAGE_BOUNDS = (1, 1_000_000)


def integer_bounds(name: str, flt) -> tuple[int, int] | None:
    """(min, max) of an integer query parameter served by the django-filter ``flt``; None: not an integer filter."""
    import django_filters

    if isinstance(flt, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
        queryset = flt.extra.get("queryset")
        model = getattr(queryset, "model", None)
        if model is None:
            return None
        pk = model._meta.pk
        if flt.extra.get("to_field_name") not in (None, pk.name, pk.attname):
            return None
        return ID_BOUNDS if pk.get_internal_type() in ("BigAutoField", "AutoField") else None
    if not isinstance(flt, django_filters.NumberFilter):
        return None
    if flt.extra.get("decimal_places") not in (None, 0):
        return None
    low, high = flt.extra.get("min_value"), flt.extra.get("max_value")
    field = flt.field_name or name
    if field == "year" or field.endswith("__year") or flt.lookup_expr == "year":
        default = YEAR_BOUNDS
    elif field == "id" or field.endswith("_id") or field.endswith("__id") or field.endswith("__pk"):
        default = ID_BOUNDS
    else:
        default = COUNT_BOUNDS
    return (default[0] if low is None else int(low), default[1] if high is None else int(high))


def integer_message(low: int, high: int) -> str:
    if high >= 2**31 - 1:
        return f"须为不小于 {low} 的整数" if low > 0 else "须为非负整数"
    return f"须为 {low}–{high} 之间的整数"


def check_integer(raw: str, low: int, high: int) -> str | None:
    """The Chinese error for a query value that is not an integer in [low, high]; None when it is fine."""
    text = (raw or "").strip()
    if text == "":
        return None  # an empty value is no filter
    body = text[1:] if text[:1] in "+-" else text
    if not body.isascii() or not body.isdigit() or len(body) > 20:
        return integer_message(low, high)
    value = int(text)
    if value < low or value > high:
        return integer_message(low, high)
    return None


def check_integer_params(params, filterset_class) -> None:
    """400 naming every integer filter parameter whose value is not an integer within its bounds."""
    if filterset_class is None:
        return
    errors = {}
    for name, flt in filterset_class.base_filters.items():
        bounds = integer_bounds(name, flt)
        if bounds is None or name not in params:
            continue
        for raw in params.getlist(name):
            message = check_integer(raw, *bounds)
            if message:
                errors[name] = [message]
                break
    if errors:
        raise ValidationError(errors)


def integer_query(request, spec: dict[str, tuple[int, int]], *, allowed=()) -> dict[str, int | None]:
    """For views that read their own parameters: unknown ones are a 400, and each ``spec`` name is an integer
    within its bounds (``None`` when absent or empty)."""
    params = request.query_params
    unknown = sorted(set(params) - set(spec) - set(allowed) - {"format"})
    if unknown:
        raise ValidationError({name: ["不支持的查询参数"] for name in unknown})
    values, errors = {}, {}
    for name, (low, high) in spec.items():
        raw = params.get(name)
        message = check_integer(raw, low, high) if raw is not None else None
        if message:
            errors[name] = [message]
        else:
            values[name] = int(raw) if raw is not None and raw.strip() else None
    if errors:
        raise ValidationError(errors)
    return values


BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}


def _multiple(flt) -> bool:
    import django_filters

    return isinstance(
        flt, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter
    ) or isinstance(flt, django_filters.filters.BaseCSVFilter)


def check_single_values(params, filterset_class) -> None:
    """A filter that takes one value given several (``?status=a&status=b``) is a 400, and so is a boolean filter
    given anything but true / false: silently taking the last one, or no filter, would mislead the caller."""
    import django_filters

    if filterset_class is None:
        return
    errors = {}
    for name, flt in filterset_class.base_filters.items():
        values = [v for v in params.getlist(name) if v.strip()] if name in params else []
        if len(values) > 1 and not _multiple(flt):
            errors[name] = ["只能指定一个值"]
        elif values and isinstance(flt, django_filters.BooleanFilter) and values[0].strip() not in BOOLEAN_VALUES:
            errors[name] = ["须为 true 或 false"]
    if errors:
        raise ValidationError(errors)


def missing_ids(params, filterset_class) -> list[str]:
    """Single-row filters (``?plan=<id>``) naming an id that does not exist: the list is then empty, not a 400."""
    import django_filters

    if filterset_class is None:
        return []
    missing = []
    for name, flt in filterset_class.base_filters.items():
        if type(flt) is not django_filters.ModelChoiceFilter or flt.method or integer_bounds(name, flt) is None:
            continue
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        queryset = flt.extra.get("queryset")
        queryset = queryset(None) if callable(queryset) else queryset
        if queryset is not None and not queryset.filter(pk=int(raw)).exists():
            missing.append(name)
    return missing


def _without(params, names):
    data = params.copy()
    for name in names:
        data.pop(name, None)
    return data

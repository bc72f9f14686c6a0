"""Change feeds, written once: the cursor codec, the page-size parsing and ``ChangeFeedMixin``.

Every synced resource (enterprises, risk assessments, inspection tasks, results and publications) is a list that
turns into a change feed with ``?updated_since=<ISO-8601>`` or ``?cursor=<next_cursor>``:

- rows changed at or after ``updated_since`` and strictly after the cursor position, ordered by (updated_at, id),
  so rows sharing one timestamp are never skipped or repeated across a page boundary;
- the answer is ``{results, next_cursor, has_more, next}``; ``next_cursor`` is always set (an empty page keeps the
  position), so a subscriber stores it and polls later;
- the list's filters apply; ``ordering`` does not (the order is fixed) and is a 400;
- an empty or malformed ``updated_since``, an empty or forged ``cursor`` is a 400 with a Chinese message;
  a future ``updated_since`` is a valid, empty page whose cursor waits at that time.

Rows are never deleted by the feeds' models: a deactivation or a status change updates ``updated_at`` and so reaches
the subscriber as a changed row.
"""

import base64
import datetime as dt
import json

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

FEED_PARAMS = ("updated_since", "cursor")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$"

MSG_EMPTY = "变更订阅需要 updated_since（ISO-8601 时间）或 cursor，不能为空"
MSG_SINCE = "时间格式无效，应为 ISO-8601，例如 2025-01-31T08:00:00+08:00"
MSG_CURSOR = "游标无效（请使用上一次响应中的 next_cursor）"
MSG_ORDERING = "变更订阅固定按 (updated_at, id) 排序，不支持 ordering"
MSG_PAGE_SIZE = "每页条数必须是正整数"


# ------------------------------------------------------------------------------------------------ cursor codec
def encode_cursor(updated_at: dt.datetime, pk: int, *, salt: str) -> str:
    """Opaque, signed position (updated_at, id) in one feed; stable across pages and over time."""
    raw = json.dumps([updated_at.astimezone(dt.UTC).isoformat(timespec="microseconds"), pk], separators=(",", ":"))
    return signing.Signer(salt=salt).sign(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def decode_cursor(cursor: str, *, salt: str) -> tuple[dt.datetime, int]:
    """The position a cursor names; a forged, truncated or other feed's cursor is a 400."""
    try:
        payload = signing.Signer(salt=salt).unsign(cursor)
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        stamp, pk = json.loads(raw)
        when = dt.datetime.fromisoformat(stamp)
        if timezone.is_naive(when) or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        return when, pk
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError({"cursor": [MSG_CURSOR]}) from None


def parse_updated_since(value: str) -> dt.datetime:
    """ISO-8601 date-time (a zone-less value is Asia/Shanghai time) or a plain date (its midnight); else a 400."""
    text = (value or "").strip()
    if "T" in text:
        text = text.replace(" ", "+")  # an unencoded "+08:00" arrives as " 08:00"
    when = None
    try:
        when = parse_datetime(text)
        if when is None:
            day = parse_date(text)
            if day is not None:
                when = dt.datetime.combine(day, dt.time.min)
    except (ValueError, OverflowError):
        when = None
    if when is None:
        raise ValidationError({"updated_since": [MSG_SINCE]})
    if timezone.is_naive(when):
        try:
            when = timezone.make_aware(when)
        except (ValueError, OverflowError):
            raise ValidationError({"updated_since": [MSG_SINCE]}) from None
    try:
        # in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (+22:58 was a 500)
        when = when.astimezone(dt.UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last representable UTC instant: clamp
        extreme = dt.datetime.max if when.year > 1 else dt.datetime.min
        when = extreme.replace(tzinfo=dt.UTC)
    return when


def refuse_repeated(params, names) -> None:
    """``?page=1&page=2``: a parameter that takes one value given several is a 400, not "the last one wins"."""
    repeated = [name for name in names if len(params.getlist(name)) > 1]
    if repeated:
        raise ValidationError({name: ["只能指定一个值"] for name in repeated})


# ------------------------------------------------------------------------------------------------ page size
def parse_page_size(raw, *, default: int, maximum: int = MAX_PAGE_SIZE, field: str = "page_size") -> int:
    """``?page_size=``: absent or empty → ``default``; not a positive integer → 400; above ``maximum`` → capped."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({field: [MSG_PAGE_SIZE]}) from None
    if value < 1:
        raise ValidationError({field: [MSG_PAGE_SIZE]})
    return min(value, maximum)


# ------------------------------------------------------------------------------------------------ the mixin
def feed_parameters(noun: str = "记录") -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "updated_since",
            OpenApiTypes.DATETIME,
            description=f"变更订阅：返回此时间（含）之后新增或修改的{noun}，按 (updated_at, id) 升序。"
            "不能与 ordering 同用；不能为空",
        ),
        OpenApiParameter(
            "cursor",
            OpenApiTypes.STR,
            description="变更订阅：上一页响应中的 next_cursor（签名的不透明字符串）",
        ),
    ]


class ChangeFeedMixin:
    """``?updated_since=`` / ``?cursor=`` turn the view's list into its change feed (see the module docstring).

    The feed reads ``self.filter_queryset(self.get_queryset())`` — the same selector and FilterSet as the list —
    ordered by (updated_at, id). ``feed_name`` signs the cursors (a cursor of one feed is refused by another).
    """

    feed_name: str = ""
    feed_default_page_size = DEFAULT_PAGE_SIZE
    extra_query_params = FEED_PARAMS

    @staticmethod
    def is_feed_request(request) -> bool:
        return any(name in request.query_params for name in FEED_PARAMS)

    @property
    def feed_salt(self) -> str:
        return f"{self.feed_name or self.basename}.feed.v1"

    def list(self, request, *args, **kwargs):
        if self.is_feed_request(request):
            return self.feed(request)
        return super().list(request, *args, **kwargs)

    def feed_queryset(self) -> QuerySet:
        return self.filter_queryset(self.get_queryset())

    def feed(self, request):
        params = request.query_params
        refuse_repeated(params, (*FEED_PARAMS, "page_size"))
        if "ordering" in params:
            raise ValidationError({"ordering": [MSG_ORDERING]})
        raw_since, raw_cursor = params.get("updated_since"), params.get("cursor")
        if not (raw_since or "").strip() and not (raw_cursor or "").strip():
            raise ValidationError({"updated_since": [MSG_EMPTY]})
        since = parse_updated_since(raw_since) if "updated_since" in params else None
        cursor = decode_cursor(raw_cursor, salt=self.feed_salt) if "cursor" in params else None
        size = parse_page_size(params.get("page_size"), default=self.feed_default_page_size)
        if (params.get("page") or "").strip():  # a feed pages by cursor; a page number is checked, then unused
            from apps.common.api.filters import PAGE_BOUNDS, check_integer

            message = check_integer(params["page"], *PAGE_BOUNDS)
            if message:
                raise ValidationError({"page": [message]})

        qs = self.feed_queryset().order_by("updated_at", "id")
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        if cursor is not None:
            when, pk = cursor
            qs = qs.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))
        rows = list(qs[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        if rows:
            next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].pk, salt=self.feed_salt)
        elif cursor is not None:
            next_cursor = raw_cursor
        else:
            next_cursor = encode_cursor(since, 0, salt=self.feed_salt)
        url = request.build_absolute_uri()
        return Response(
            {
                "results": self.get_serializer(rows, many=True).data,
                "next_cursor": next_cursor,
                "has_more": has_more,
                "next": replace_query_param(url, "cursor", next_cursor) if has_more else None,
            }
        )


def feed_page_serializer(item_serializer_class) -> type[serializers.Serializer]:
    """The documented shape of one feed page of ``item_serializer_class`` rows (for the OpenAPI schema)."""
    name = item_serializer_class.__name__.removesuffix("Serializer").removesuffix("Output") + "FeedPage"
    return type(
        name,
        (serializers.Serializer,),
        {
            "results": item_serializer_class(many=True),
            "next_cursor": serializers.CharField(help_text="下次请求带上 ?cursor= 继续；没有新变更时也可保存以后轮询"),
            "has_more": serializers.BooleanField(),
            "next": serializers.URLField(allow_null=True),
            "__module__": __name__,
        },
    )

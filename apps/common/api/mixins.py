"""Scoping for the API, written once: viewsets read through a selector; related fields are scoped per request."""

from rest_framework import serializers

from apps.common.permissions import ClientScopes, ModelPermissions


class ScopedViewSetMixin:
    """``selector(actor=user)`` must return ``Model.objects.visible_to(user)`` (+ prefetching).

    Out-of-scope rows do not exist for the caller: lists omit them and details answer 404.
    """

    selector = None
    permission_classes = [ClientScopes, ModelPermissions]

    def get_queryset(self):
        if self.selector is None:  # pragma: no cover - a programming error, caught by the coverage test
            raise NotImplementedError(f"{type(self).__name__} must set selector")
        return self.selector(actor=self.request.user)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A PK field whose choices are the rows visible to the request user (an out-of-scope id is 'not found')."""

    default_error_messages = {
        "required": "此字段为必填项",
        "does_not_exist": "对象不存在或不在您的管辖范围内（{pk_value}）",
        "incorrect_type": "类型错误：应为编号",
    }

    def get_queryset(self):
        qs = super().get_queryset()
        request = self.context.get("request")
        return qs.visible_to(request.user if request else None)

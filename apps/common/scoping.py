"""Row-level scoping, written once (STYLE.md §3.6).

Every scoped model declares SCOPE_PATH, the lookup from the row to a Township id
(``"township"`` on Enterprise, ``"enterprise__township"`` on tasks, samples, incidents).
City-level users hold ``accounts.view_all_townships`` and see all rows. A model may refine the
rule (e.g. inspectors see only their tasks) by overriding ``ScopedQuerySet.scope_for_user``.

Another app may *widen* who sees rows of a model it does not own, without that model's app naming it: it registers a
visibility rule (``register_visibility_rule("enterprises.Enterprise", rule)`` from its ``AppConfig.ready``). A rule
gets the user and returns a ``values("pk")`` sub-query of the extra rows that user sees, or ``None``. Example: the
inspections app lets an inspector open the enterprises of the tasks assigned to them (an inspector drawn for another
township's business, 回避本镇街) — ``enterprises`` does not know inspections' ORM paths.
"""

from collections.abc import Callable

from django.db import models

VisibilityRule = Callable[[object], object]  # user -> values("pk") sub-query of extra visible rows, or None
_VISIBILITY_RULES: dict[str, list[VisibilityRule]] = {}


def register_visibility_rule(model_label: str, rule: VisibilityRule) -> None:
    """Widen ``visible_to`` of ``model_label`` ("app_label.ModelName") by ``rule``; idempotent per rule."""
    rules = _VISIBILITY_RULES.setdefault(model_label.lower(), [])
    if rule not in rules:
        rules.append(rule)


def visibility_rules(model) -> list[VisibilityRule]:
    return list(_VISIBILITY_RULES.get(model._meta.label_lower, ()))


def user_sees_all_townships(user) -> bool:
    return bool(user.is_superuser or user.has_perm("accounts.view_all_townships"))


def user_township_ids(user) -> set[int]:
    getter = getattr(user, "township_ids", None)
    return set(getter()) if getter else set()


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scoped = self.scope_for_user(user)
        if user_sees_all_townships(user):
            return scoped
        extra = [sub for sub in (rule(user) for rule in visibility_rules(self.model)) if sub is not None]
        if not extra:
            return scoped
        cond = models.Q(pk__in=scoped.values("pk"))
        for sub in extra:
            cond |= models.Q(pk__in=sub)
        return self.filter(cond)

    def scope_for_user(self, user):
        """Default rule: city-wide roles see all, others see rows of their township(s)."""
        if user_sees_all_townships(user):
            return self
        township_ids = user_township_ids(user)
        if not township_ids:
            return self.none()
        path = self.model.SCOPE_PATH
        if _path_crosses_many(self.model, path):
            # A to-many hop (e.g. User.townships) would repeat a row once per matching township:
            # filter by a pk subquery instead of .distinct() (NetBox issue #8715).
            inner = self.model._base_manager.filter(**{f"{path}__in": township_ids}).values("pk")
            return self.filter(pk__in=inner)
        return self.filter(**{f"{path}__in": township_ids})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def _path_crosses_many(model, path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
        if model is None:
            return False
    return False


def is_scoped_model(model) -> bool:
    """A model whose rows are filtered per user: its default manager offers ``visible_to(user)``.

    Usually through SCOPE_PATH (township); some models scope differently (Job: by creator).
    """
    return hasattr(model._default_manager, "visible_to")

"""Each signed-in user's permissions and role groups, kept in the shared cache between requests.

Without it every page asks the database three times (the user's own permissions, the groups' permissions, the
group names for the role) before doing its own work (docs/benchmarks.md, the quota page's "对照" row). The entry is
keyed by the user (id and ``date_joined``, so a re-created account with a re-used id is a different key) and by one
**generation** number kept in the same cache; any change of a user's groups or permissions, of a group's
permissions, or of a group or a permission raises the generation (signals below; ``is_active`` and
``is_superuser`` are read from the user row, loaded afresh by every request, and never cached), so no entry written before the change is read after it — a revocation reaches the next request of
every process sharing the cache (Redis on the real stack; the one process of the embedded stack). When the cache is
unavailable (Redis down: ``IGNORE_EXCEPTIONS``) every read misses and the database answers, as before.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

GENERATION_KEY = "accounts:perm-generation"
TTL = 15 * 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # add() so that two processes starting together agree; a missing cache gives 0 (and every read misses)
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 0
    return value


def bump(**_kwargs) -> None:
    """Invalidate every cached entry (the next request of each user reads the database again)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet
        cache.set(GENERATION_KEY, 2, timeout=None)


def _key(user, gen: int) -> str:
    joined = user.date_joined.timestamp() if getattr(user, "date_joined", None) else 0
    return f"accounts:perms:{gen}:{user.pk}:{joined}"


def entry(user) -> dict:
    """``{"user": set of "app.codename", "group": set, "groups": [group names]}`` of a saved, active user."""
    memo = getattr(user, "_perm_entry", None)
    if memo is not None:
        return memo
    gen = generation()
    key = _key(user, gen)
    memo = cache.get(key) if gen else None
    if memo is None:
        memo = {
            "user": {
                f"{a}.{c}"
                for a, c in user.user_permissions.values_list("content_type__app_label", "codename").order_by()
            },
            "group": {
                f"{a}.{c}"
                for a, c in Permission.objects.filter(group__user=user)
                .values_list("content_type__app_label", "codename")
                .order_by()
            },
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
        if gen:
            cache.set(key, memo, timeout=TTL)
    user._perm_entry = memo
    return memo


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend, with the permission sets read through ``entry()``."""

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super()._get_permissions(user_obj, obj, from_name)
        return entry(user_obj)[from_name]


User = get_user_model()
for _through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
    m2m_changed.connect(bump, sender=_through, dispatch_uid=f"permcache-{_through._meta.label}")
for _model in (Group, Permission):
    post_save.connect(bump, sender=_model, dispatch_uid=f"permcache-save-{_model._meta.label}")
    post_delete.connect(bump, sender=_model, dispatch_uid=f"permcache-delete-{_model._meta.label}")


@receiver(post_delete, sender=User, dispatch_uid="permcache-user-delete")
def _user_deleted(**kwargs):
    bump()

"""The main menu, contributed by the apps: each registers its entries in its ``AppConfig.ready``.

``common`` knows no app by name. An entry names the URL it opens and who sees it:

- ``perm``: a permission (``"app.codename"``), a tuple of permissions of which any one suffices, ``STAFF`` (Django
  admin users) or None (every logged-in user);
- ``order``: its place in its group (lower first);
- ``group``: the menu group it is listed under (optional, see below).

The menu is in groups (工作台 · 检查对象 · 风险分级 · 监督检查 · 抽检 · 事件与投诉 · 更多 · 系统, in that order,
``NAV_GROUPS``). An entry registered without ``group=`` lands in the group its url name maps to in
``NAV_GROUP_BY_URL``: the exact url name first (``"home"``), then its namespace (``"incidents:*"``; the longest
namespace wins for nested ones); an unknown namespace goes to ``DEFAULT_NAV_GROUP`` (更多). A group label passed as
``group=`` that is not in ``NAV_GROUPS`` is shown before 系统, after the known ones. On a page, a group with one
visible entry is rendered as a plain link to that entry; a group with several is a disclosure listing them.

Some entries are only useful to the roles that act through them (后台任务 for roles that start jobs, 接口文档 for
those who hand out API tokens): such an entry is registered with the permissions that start the work, and other
apps add theirs with ``add_nav_permission(url_name, perm)``.

An entry whose URL does not resolve (its app is not installed) is left out.
"""

from dataclasses import dataclass, field

from .urlcache import reverse_cached

STAFF = "__staff__"
DEFAULT_NAV_ICON = "chevron-right"

# The groups of the main menu, in menu order: label -> icon. Order and labels: docs/architecture.md §1.1.
NAV_GROUPS: dict[str, str] = {
    "工作台": "house-door",
    "检查对象": "building",
    "风险分级": "speedometer2",
    "监督检查": "clipboard-data",
    "抽检": "eyedropper",
    "事件与投诉": "exclamation-triangle",
    "考核评估": "trophy",
    "更多": "grid",
    "系统": "gear",
}
DEFAULT_NAV_GROUP = "更多"
# Which group an entry registered without group= belongs to: an exact url name, or "namespace:*".
NAV_GROUP_BY_URL: dict[str, str] = {
    "home": "工作台",
    "enterprises:*": "检查对象",
    "risk:*": "风险分级",
    "inspections:*": "监督检查",
    "sampling:*": "抽检",
    "standards:*": "抽检",  # 标准、检验项目与限量、抽检食品分类: the reference data of sampling
    "incidents:*": "事件与投诉",
    "assessment:*": "考核评估",  # 镇街考核、星级评定、八大攻坚行动
    "jobs:*": "系统",
    "audit:*": "系统",
    "calendar:*": "系统",
    "admin:*": "系统",
    "api-docs": "系统",
}


def nav_group_for(url_name: str, default: str | None = DEFAULT_NAV_GROUP) -> str | None:
    """The group of a url name by ``NAV_GROUP_BY_URL``: exact name, else the longest matching namespace."""
    if url_name in NAV_GROUP_BY_URL:
        return NAV_GROUP_BY_URL[url_name]
    parts = url_name.split(":")[:-1]
    while parts:
        group = NAV_GROUP_BY_URL.get(":".join(parts) + ":*")
        if group is not None:
            return group
        parts.pop()
    return default


def _group_rank(label: str) -> float:
    labels = list(NAV_GROUPS)
    if label in NAV_GROUPS:
        return labels.index(label)
    return labels.index("系统") - 0.5  # a group named only by an entry's group=: after the known ones, before 系统


@dataclass
class NavEntry:
    label: str
    url_name: str
    perms: list = field(default_factory=list)  # any of; empty: every logged-in user
    icon: str = DEFAULT_NAV_ICON
    order: int = 100
    group: str = ""  # empty: by NAV_GROUP_BY_URL

    @property
    def group_label(self) -> str:
        return self.group or nav_group_for(self.url_name)

    def visible_to(self, user, perms: set[str] | None = None) -> bool:
        """Whether ``user`` sees the entry. ``perms``: ``user.get_all_permissions()`` already read (the menu asks
        for every entry; ``has_perm`` would walk the backends ~40 times) — only for an active non-superuser, for
        whom ``has_perm(p)`` is exactly ``p in get_all_permissions()``."""
        if not self.perms:
            return True
        for perm in self.perms:
            if perm == STAFF:
                if user.is_staff:
                    return True
            elif perms is not None:
                if perm in perms:
                    return True
            elif user.has_perm(perm):
                return True
        return False


_ENTRIES: dict[str, NavEntry] = {}
_EXTRA_PERMS: dict[str, list[str]] = {}  # added before (or after) the entry itself is registered


def register_nav(
    label: str, url_name: str, *, perm=None, icon: str = DEFAULT_NAV_ICON, order: int = 100, group: str = ""
) -> NavEntry:
    """Add (or replace) the menu entry for ``url_name``. Called from ``AppConfig.ready``; idempotent.

    ``group``: the menu group's label; without it the entry goes where ``NAV_GROUP_BY_URL`` puts its url name."""
    perms = [] if perm is None else [perm] if isinstance(perm, str) else list(perm)
    if perms:
        perms += [p for p in _EXTRA_PERMS.get(url_name, ()) if p not in perms]
    entry = NavEntry(label=label, url_name=url_name, perms=perms, icon=icon, order=order, group=group)
    _ENTRIES[url_name] = entry
    return entry


def add_nav_permission(url_name: str, perm: str) -> None:
    """One more permission that shows an entry registered elsewhere (e.g. an app whose users start jobs)."""
    extra = _EXTRA_PERMS.setdefault(url_name, [])
    if perm not in extra:
        extra.append(perm)
    entry = _ENTRIES.get(url_name)
    if entry is not None and entry.perms and perm not in entry.perms:
        entry.perms.append(perm)


def registered_entries() -> list[NavEntry]:
    return sorted(_ENTRIES.values(), key=lambda e: (e.order, e.label))


def _is_under(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def nav_items_for(request) -> list[dict]:
    """The entries the request's user sees, in menu order, with the one for the current page marked active.

    The current page's entry is the one whose URL is the longest prefix of the path (``/inspections/tasks/mine/``
    is 我的任务, not 检查任务 at ``/inspections/tasks/``); ``/`` only for the home page itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    perms = user.get_all_permissions() if user.is_active and not user.is_superuser else None
    for entry in registered_entries():
        if not entry.visible_to(user, perms):
            continue
        url = reverse_cached(entry.url_name)
        if url is None:
            continue  # the app that serves it is not installed
        items.append(
            {"label": entry.label, "url": url, "icon": entry.icon, "group": entry.group_label, "active": False}
        )
    current = [item for item in items if _is_under(request.path, item["url"])]
    if current:
        max(current, key=lambda item: len(item["url"]))["active"] = True
    return items


def nav_groups(items: list[dict], request=None) -> list[dict]:
    """The menu items (``nav_items_for``) in their groups, in group order: label, icon, items, active, single.

    A group is active when it holds the current page's entry or, failing that, when the current view's url name
    maps to it (a page no entry's URL is a prefix of, e.g. a new page of an app: its namespace tells the group).
    ``single``: the group has one entry, which the menu shows as a plain link."""
    groups: dict[str, dict] = {}
    for item in items:
        label = item["group"]
        group = groups.setdefault(
            label, {"label": label, "icon": NAV_GROUPS.get(label, DEFAULT_NAV_ICON), "items": [], "active": False}
        )
        group["items"].append(item)
        group["active"] = group["active"] or item["active"]
    if groups and not any(group["active"] for group in groups.values()):
        match = getattr(request, "resolver_match", None)
        view_group = nav_group_for(match.view_name, default=None) if match and match.view_name else None
        if view_group in groups:
            groups[view_group]["active"] = True
    ordered = sorted(groups.values(), key=lambda group: (_group_rank(group["label"]), group["label"]))
    for group in ordered:
        group["single"] = len(group["items"]) == 1
    return ordered

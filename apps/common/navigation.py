"""The main menu, contributed by the apps: each registers its entries in its ``AppConfig.ready``.

``common`` knows no app by name. An entry names the URL it opens and who sees it:

- ``perm``: a permission (``"app.codename"``), a tuple of permissions of which any one suffices, ``STAFF`` (Django
  admin users) or None (every logged-in user);
- ``order``: its place in the menu (lower first).

Some entries are only useful to the roles that act through them (后台任务 for roles that start jobs, 接口文档 for
those who hand out API tokens): such an entry is registered with the permissions that start the work, and other
apps add theirs with ``add_nav_permission(url_name, perm)``.

An entry whose URL does not resolve (its app is not installed) is left out.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

STAFF = "__staff__"
DEFAULT_NAV_ICON = "chevron-right"


@dataclass
class NavEntry:
    label: str
    url_name: str
    perms: list = field(default_factory=list)  # any of; empty: every logged-in user
    icon: str = DEFAULT_NAV_ICON
    order: int = 100

    def visible_to(self, user) -> bool:
        if not self.perms:
            return True
        for perm in self.perms:
            if perm == STAFF:
                if user.is_staff:
                    return True
            elif user.has_perm(perm):
                return True
        return False


_ENTRIES: dict[str, NavEntry] = {}
_EXTRA_PERMS: dict[str, list[str]] = {}  # added before (or after) the entry itself is registered


def register_nav(label: str, url_name: str, *, perm=None, icon: str = DEFAULT_NAV_ICON, order: int = 100) -> NavEntry:
    """Add (or replace) the menu entry for ``url_name``. Called from ``AppConfig.ready``; idempotent."""
    perms = [] if perm is None else [perm] if isinstance(perm, str) else list(perm)
    if perms:
        perms += [p for p in _EXTRA_PERMS.get(url_name, ()) if p not in perms]
    entry = NavEntry(label=label, url_name=url_name, perms=perms, icon=icon, order=order)
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


def nav_items_for(request) -> list[dict]:
    """The entries the request's user sees, in menu order, with the one for the current page marked active."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for entry in registered_entries():
        if not entry.visible_to(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue  # the app that serves it is not installed
        items.append(
            {
                "label": entry.label,
                "url": url,
                "icon": entry.icon,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return items

"""The main menu in groups (apps.common.navigation): no entry lost, the active group, one-entry groups as links."""

from html.parser import HTMLParser

import pytest

from apps.accounts.roles import ROLES


class _MenuLinks(HTMLParser):
    """The (href, label) of every link inside <nav aria-label="主导航">."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # <nav> nesting inside the main menu
        self.links: list[tuple[str, str]] = []
        self._href = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and (self.depth or attrs.get("aria-label") == "主导航"):
            self.depth += 1
        elif tag == "a" and self.depth:
            self._href, self._text = attrs.get("href"), []

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def menu_links(html: str) -> list[tuple[str, str]]:
    parser = _MenuLinks()
    parser.feed(html)
    return parser.links


# The menu of every role on main before the grouping (issue 9): every one of these links must still be in it.
BEFORE = {
    "township_staff": [
        ("/", "首页"),
        ("/enterprises/", "检查对象名录"),
        ("/incidents/complaints/", "投诉举报"),
        ("/inspections/tasks/", "检查任务"),
        ("/jobs/", "后台任务"),
        ("/risk/", "风险分级"),
        ("/sampling/disposals/", "核查处置"),
        ("/sampling/lab/", "样品检验"),
        ("/sampling/plans/", "抽检计划"),
        ("/sampling/publications/", "抽检结果公开"),
        ("/sampling/quotas/", "抽检配额"),
        ("/sampling/samples/", "样品与抽样单"),
        ("/sampling/suggestions/", "靶向抽检建议"),
        ("/sampling/tasks/", "抽样任务"),
        ("/sampling/topics/", "你点我检"),
        ("/standards/", "标准与检验项目"),
    ],
    "inspector": [
        ("/", "首页"),
        ("/enterprises/", "检查对象名录"),
        ("/inspections/tasks/mine/", "我的任务"),
        ("/risk/", "风险分级"),
    ],
    "city_staff": [
        ("/", "首页"),
        ("/calendar/", "工作日历"),
        ("/enterprises/", "检查对象名录"),
        ("/incidents/complaints/", "投诉举报"),
        ("/inspections/plans/", "双随机抽查"),
        ("/inspections/tasks/", "检查任务"),
        ("/jobs/", "后台任务"),
        ("/risk/", "风险分级"),
        ("/sampling/consultations/", "风险会商"),
        ("/sampling/disposals/", "核查处置"),
        ("/sampling/lab/", "样品检验"),
        ("/sampling/organisations/", "抽样/检验机构"),
        ("/sampling/plans/", "抽检计划"),
        ("/sampling/publications/", "抽检结果公开"),
        ("/sampling/quick-tests/", "快检"),
        ("/sampling/quotas/", "抽检配额"),
        ("/sampling/samples/", "样品与抽样单"),
        ("/sampling/suggestions/", "靶向抽检建议"),
        ("/sampling/tasks/", "抽样任务"),
        ("/sampling/topics/", "你点我检"),
        ("/standards/", "标准与检验项目"),
    ],
    "sampler": [
        ("/", "首页"),
        ("/enterprises/", "检查对象名录"),
        ("/sampling/quick-tests/", "快检"),
        ("/sampling/samples/", "样品与抽样单"),
        ("/sampling/tasks/", "抽样任务"),
        ("/standards/", "标准与检验项目"),
    ],
    "lab_staff": [
        ("/", "首页"),
        ("/sampling/lab/", "样品检验"),
        ("/sampling/samples/", "样品与抽样单"),
        ("/standards/", "标准与检验项目"),
    ],
    "city_leader": [
        ("/", "首页"),
        ("/enterprises/", "检查对象名录"),
        ("/inspections/tasks/", "检查任务"),  # since the dashboard's clocks: inspections.view_publication (issue 12)
        ("/incidents/complaints/", "投诉举报"),
        ("/jobs/", "后台任务"),  # since the leaders start report jobs (docs/reports.md)
        ("/risk/", "风险分级"),
        ("/sampling/disposals/", "核查处置"),
        ("/sampling/lab/", "样品检验"),
        ("/sampling/plans/", "抽检计划"),
        ("/sampling/publications/", "抽检结果公开"),
        ("/sampling/quotas/", "抽检配额"),
        ("/sampling/samples/", "样品与抽样单"),
        ("/sampling/suggestions/", "靶向抽检建议"),
        ("/standards/", "标准与检验项目"),
    ],
    "complaint_officer": [
        ("/", "首页"),
        ("/enterprises/", "检查对象名录"),
        ("/incidents/complaints/", "投诉举报"),
        ("/jobs/", "后台任务"),
    ],
    "sys_admin": [("/", "首页"), ("/calendar/", "工作日历"), ("/jobs/", "后台任务"), ("/manage/", "系统管理")],
    "security_admin": [("/", "首页"), ("/api/v1/docs/", "接口文档"), ("/manage/", "系统管理")],
    "audit_admin": [("/", "首页"), ("/audit/", "审计日志"), ("/manage/", "系统管理")],
}
BEFORE_URLS = {href for links in BEFORE.values() for href, _ in links}


def visible_links(user) -> set[tuple[str, str]]:
    """What the registry says the user may see (an entry whose URL does not resolve is left out)."""
    from django.urls import NoReverseMatch, reverse

    from apps.common.navigation import registered_entries

    links = set()
    for entry in registered_entries():
        if entry.visible_to(user):
            try:
                links.add((reverse(entry.url_name), entry.label))
            except NoReverseMatch:
                pass
    return links


@pytest.mark.parametrize("role_code", sorted(BEFORE))
def test_no_entry_lost_for_any_role(client, user_factory, township_a, role_code):
    """Every role's menu holds the same links as before the grouping, each once, and whatever is registered since."""
    user = user_factory(f"nav_{role_code}", role_code, [township_a])
    client.force_login(user)
    links = menu_links(client.get("/").content.decode())
    assert len(links) == len(set(links)), f"{role_code}: a link twice in the menu: {links}"
    assert {link for link in links if link[0] in BEFORE_URLS} == set(BEFORE[role_code])
    assert set(links) == visible_links(user)


def test_every_role_is_covered():
    assert set(BEFORE) == {role.code for role in ROLES}


# Where each entry registered on main lands (by NAV_GROUP_BY_URL: none of these calls passes group=).
GROUP_OF = {
    "home": "工作台",
    "enterprises:list": "检查对象",
    "risk:overview": "风险分级",
    "inspections:plans": "监督检查",
    "inspections:my_tasks": "监督检查",
    "inspections:tasks": "监督检查",
    "sampling:plan_list": "抽检",
    "sampling:quota": "抽检",
    "sampling:task_list": "抽检",
    "sampling:sample_list": "抽检",
    "sampling:suggestions": "抽检",
    "sampling:lab_samples": "抽检",
    "sampling:disposals": "抽检",
    "sampling:meetings": "抽检",
    "sampling:organisation_list": "抽检",
    "sampling:topics": "抽检",
    "sampling:publications": "抽检",
    "sampling:quick_tests": "抽检",
    "standards:list": "抽检",
    "incidents:complaints": "事件与投诉",
    "assessment:campaigns": "考核评估",
    "jobs:list": "系统",
    "audit:list": "系统",
    "api-docs": "系统",
    "calendar:index": "系统",
    "admin:index": "系统",
}


def test_every_registered_entry_lands_in_its_group():
    from apps.common.navigation import NAV_GROUPS, registered_entries

    entries = {entry.url_name: entry for entry in registered_entries()}
    assert set(GROUP_OF) <= set(entries)
    for url_name, group in GROUP_OF.items():
        assert entries[url_name].group_label == group, url_name
    assert all(entry.group_label in NAV_GROUPS for entry in entries.values())


def test_group_by_url_name_then_namespace_then_default():
    from apps.common.navigation import DEFAULT_NAV_GROUP, nav_group_for

    assert nav_group_for("home") == "工作台"
    assert nav_group_for("incidents:opinion_list") == "事件与投诉"  # helpers' new entries, without group=
    assert nav_group_for("incidents:drills:plans") == "事件与投诉"  # a nested namespace: the outer one maps
    assert nav_group_for("reports:index") == DEFAULT_NAV_GROUP == "更多"
    assert nav_group_for("unnamespaced") == "更多"
    assert nav_group_for("reports:index", default=None) is None


@pytest.fixture
def entries(monkeypatch):
    """A scratch registry: the entries registered in a test are gone after it."""
    from apps.common import navigation

    monkeypatch.setattr(navigation, "_ENTRIES", dict(navigation._ENTRIES))
    monkeypatch.setattr(navigation, "_EXTRA_PERMS", {k: list(v) for k, v in navigation._EXTRA_PERMS.items()})
    return navigation


def _request(rf, user, path="/", view_name="home"):
    from types import SimpleNamespace

    request = rf.get(path)
    request.user = user
    request.resolver_match = SimpleNamespace(view_name=view_name)
    return request


def test_register_nav_keeps_its_signature_and_takes_group(entries, rf, user_factory, monkeypatch):
    from apps.common import urlcache

    monkeypatch.setattr(urlcache, "reverse", lambda name: f"/{name.replace(':', '/')}/")
    monkeypatch.setattr(urlcache, "_URLS", {})  # the made-up names' URLs are forgotten after the test
    # the call the helpers are writing right now, unchanged: lands by its namespace
    entries.register_nav(
        "事件（测试）", "incidents:test_only_list", perm="incidents.view_complaint", icon="fire", order=61
    )
    entries.register_nav("统计报表", "reports:index", order=5)  # an unknown namespace: 更多
    entries.register_nav("值班表", "duty:index", group="值班")  # a group not in the table: before 系统
    entries.register_nav("公告", "notices:index", group="工作台", order=1)  # group= wins over the namespace
    user = user_factory("su", is_superuser=True, is_staff=True)
    items = entries.nav_items_for(_request(rf, user))
    groups = entries.nav_groups(items)
    labels = [group["label"] for group in groups]
    assert labels == [
        "工作台",
        "检查对象",
        "风险分级",
        "监督检查",
        "抽检",
        "事件与投诉",
        "考核评估",
        "更多",
        "值班",
        "系统",
    ]
    by_label = {group["label"]: group for group in groups}
    assert [item["label"] for item in by_label["工作台"]["items"]] == ["首页", "公告", "月报与年报"]
    incidents = [item["label"] for item in by_label["事件与投诉"]["items"]]
    assert "事件（测试）" in incidents and incidents.index("投诉举报") < incidents.index("事件（测试）")  # by order
    assert by_label["更多"]["single"] and by_label["更多"]["items"][0]["label"] == "统计报表"
    assert by_label["值班"]["icon"] == entries.DEFAULT_NAV_ICON


def test_city_staff_groups_and_one_entry_groups_as_links(client, city_staff):
    client.force_login(city_staff)
    response = client.get("/")
    groups = response.context["nav_groups"]
    assert [(group["label"], group["single"]) for group in groups] == [
        ("工作台", False),  # 首页 and 月报与年报
        ("检查对象", True),
        ("风险分级", True),
        ("监督检查", False),
        ("抽检", False),
        ("事件与投诉", False),
        ("考核评估", False),
        ("系统", False),
    ]
    html = response.content.decode()
    assert html.count("<details") == 6
    # a one-entry group is a plain link with the entry's own label, no disclosure
    assert '<li class="nav-item app-nav-single" data-nav-group="风险分级"><a class="nav-link" href="/risk/">' in html


@pytest.mark.parametrize(
    ("actor", "disclosures", "singles"),
    [
        ("inspector_a", [], ["工作台", "检查对象", "风险分级", "监督检查"]),
        ("staff_a", ["工作台", "抽检", "事件与投诉", "考核评估"], ["检查对象", "风险分级", "监督检查", "系统"]),
        ("audit_admin", ["系统"], ["工作台"]),
    ],
)
def test_groups_of_other_roles(client, request, actor, disclosures, singles):
    client.force_login(request.getfixturevalue(actor))
    response = client.get("/")
    groups = response.context["nav_groups"]
    assert [group["label"] for group in groups if not group["single"]] == disclosures
    assert [group["label"] for group in groups if group["single"]] == singles
    assert response.content.decode().count("<details") == len(disclosures)


def test_the_group_of_the_current_page_is_active(client, city_staff):
    client.force_login(city_staff)
    response = client.get("/sampling/samples/")
    groups = {group["label"]: group for group in response.context["nav_groups"]}
    assert [label for label, group in groups.items() if group["active"]] == ["抽检"]
    assert [item["label"] for item in groups["抽检"]["items"] if item["active"]] == ["样品与抽样单"]
    html = response.content.decode()
    assert '<summary class="nav-link active"><i class="bi bi-eyedropper" aria-hidden="true"></i> 抽检' in html
    assert html.count('aria-current="page"') == 1
    assert '<a class="nav-link active" href="/sampling/samples/" aria-current="page">' in html
    # the home page is active on / only
    home = {group["label"]: group for group in client.get("/enterprises/").context["nav_groups"]}
    assert home["检查对象"]["active"] and not home["工作台"]["active"]


def test_the_longest_matching_entry_is_the_current_one(rf, user_factory):
    """/inspections/tasks/mine/ is 我的任务, not also 检查任务 (/inspections/tasks/), for a user who sees both."""
    from apps.common.navigation import nav_groups, nav_items_for

    user = user_factory("su", is_superuser=True)
    items = nav_items_for(_request(rf, user, "/inspections/tasks/mine/", "inspections:my_tasks"))
    assert [item["label"] for item in items if item["active"]] == ["我的任务"]
    assert [group["label"] for group in nav_groups(items) if group["active"]] == ["监督检查"]
    items = nav_items_for(_request(rf, user, "/inspections/tasks/12/", "inspections:task_detail"))
    assert [item["label"] for item in items if item["active"]] == ["检查任务"]


def test_a_page_under_no_entry_marks_its_namespace_group(rf, user_factory):
    from apps.common.navigation import nav_groups, nav_items_for

    user = user_factory("su", is_superuser=True)
    request = _request(rf, user, "/incidents/unlisted/", "incidents:unlisted")  # no menu URL is a prefix of it
    items = nav_items_for(request)
    assert not any(item["active"] for item in items)
    assert [group["label"] for group in nav_groups(items, request) if group["active"]] == ["事件与投诉"]
    # a page of no group in the table (the password change page) marks none
    request = _request(rf, user, "/accounts/password/", "accounts:password_change")
    assert not any(group["active"] for group in nav_groups(nav_items_for(request), request))


def test_the_menu_needs_no_inline_script(client, city_staff):
    import re

    client.force_login(city_staff)
    html = client.get("/").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts), scripts
    assert '<script src="/static/js/nav.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/css/nav.css">' in html
    assert " onclick=" not in html and " onkeydown=" not in html


def test_the_menu_follows_a_permission_change_at_once(client, user_factory):
    """The menu's HTML is rendered once per distinct menu ({% main_nav %}): another permission is another menu."""
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    link = f'href="{reverse("audit:list")}"'
    user = user_factory("navperm")
    client.force_login(user)
    assert link not in client.get("/").content.decode()
    user.user_permissions.add(Permission.objects.get(content_type__app_label="common", codename="view_auditevent"))
    after = client.get("/").content.decode()
    assert link in after and link in client.get("/").content.decode()
    user.user_permissions.clear()
    assert link not in client.get("/").content.decode()


def test_remembered_urls_are_those_of_reverse(settings):
    from django.urls import reverse

    from apps.common import urlcache

    assert urlcache.reverse_cached("home") == reverse("home")
    assert urlcache.reverse_cached("no_such:route") is None
    assert urlcache.reverse_cached("no_such:route") is None  # remembered as missing, still None
    settings.ROOT_URLCONF = "haining_foodsafety.urls"  # a changed URLconf forgets what was remembered
    assert urlcache._URLS == {}

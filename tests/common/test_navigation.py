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
        ("/incidents/complaints/", "投诉举报"),
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

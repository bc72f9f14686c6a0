"""The generic scoped-endpoint contract (STYLE.md §3.6; NetBox APIViewTestCases, Oscar order_in/order_out).

Every list endpoint of a scoped model subclasses one of these classes, so the same battery runs everywhere:

    anonymous → 401 (JSON error)             · authenticated without the view permission → 403
    visible rows listed, hidden rows absent  · detail of a hidden row → 404 (same as a missing row)
    wide viewer (city role) → all rows       · each row at most once (no duplicates through to-many paths)
    ``count`` = rows listed                  · same query count for 2 rows and 7
    API client without the scope → 403      · API client with it → 200 and scoped like its service user

Township-scoped endpoints (the usual case) subclass ``TownshipScopedEndpointContract`` and write ``make``::

    class TestEnterpriseAPI(TownshipScopedEndpointContract):
        list_url = "/api/v1/enterprises/"
        client_scope = "enterprises:read"

        def make(self, township):
            return EnterpriseFactory(township=township)

Endpoints scoped another way (jobs: by creator) subclass ``ScopedEndpointContract`` directly and provide
the ``viewer`` / ``wide_viewer`` fixtures and ``make_visible(viewer)`` / ``make_hidden(viewer)``.
"""

import uuid
from dataclasses import dataclass

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize
from rest_framework.test import APIClient

from tests.helpers.queries import assert_constant_queries


def _ids(response, key):
    assert response.status_code == 200, response.content
    body = response.json()
    return [row[key] for row in body["results"]], body


class ScopedEndpointContract:
    list_url: str = ""
    result_key: str = "id"  # key identifying a row in the JSON
    lookup_attr: str = "pk"  # attribute of a made row used in its detail URL and compared with result_key
    client_scope: str | None = None  # scope an ApiClient needs for GET; None: closed to clients

    # ------------------------------------------------------------------ to provide in subclasses
    @pytest.fixture
    def viewer(self):
        """An actor with the view permission whose scope is limited (sees make_visible rows only)."""
        raise NotImplementedError

    @pytest.fixture
    def wide_viewer(self):
        """An actor who sees every row (city role, or the model's "view all" permission)."""
        raise NotImplementedError

    @pytest.fixture
    def unprivileged(self, user_without_perms):
        """Signed in, same township as the viewer, but without the view permission."""
        return user_without_perms

    def make_visible(self, viewer):
        raise NotImplementedError

    def make_hidden(self, viewer):
        raise NotImplementedError

    def client_for(self, viewer, scopes):
        """An ApiClient whose service user sees what ``viewer`` sees; returns (client, raw token)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers
    def detail_url(self, obj):
        return f"{self.list_url}{getattr(obj, self.lookup_attr)}/"

    def key_of(self, obj):
        value = getattr(obj, self.lookup_attr)
        return str(value) if isinstance(value, uuid.UUID) else value

    def list_all(self, api_client):
        return _ids(api_client.get(self.list_url, {"page_size": 100}), self.result_key)

    # ------------------------------------------------------------------ the contract
    def test_anonymous_gets_401_json(self, api_client, db):
        response = api_client.get(self.list_url)
        assert response.status_code in (401, 403)
        assert set(response.json()) == {"code", "message", "fields"}

    def test_without_view_permission_gets_403(self, api_client, unprivileged):
        api_client.force_authenticate(unprivileged)
        response = api_client.get(self.list_url)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_list_shows_visible_rows_only(self, api_client, viewer):
        mine, theirs = self.make_visible(viewer), self.make_hidden(viewer)
        api_client.force_authenticate(viewer)
        ids, _ = self.list_all(api_client)
        assert self.key_of(mine) in ids, f"visible row {self.key_of(mine)} missing from the list"
        assert self.key_of(theirs) not in ids, f"hidden row {self.key_of(theirs)} is listed"

    def test_detail_of_hidden_row_is_404_like_a_missing_row(self, api_client, viewer):
        mine, theirs = self.make_visible(viewer), self.make_hidden(viewer)
        api_client.force_authenticate(viewer)
        assert api_client.get(self.detail_url(mine)).status_code == 200
        hidden = api_client.get(self.detail_url(theirs))
        assert hidden.status_code == 404, f"detail of a hidden row answered {hidden.status_code}, not 404"
        assert hidden.json()["code"] == "not_found"

    def test_wide_viewer_sees_all(self, api_client, viewer, wide_viewer):
        mine, theirs = self.make_visible(viewer), self.make_hidden(viewer)
        api_client.force_authenticate(wide_viewer)
        ids, _ = self.list_all(api_client)
        assert {self.key_of(mine), self.key_of(theirs)} <= set(ids), "the wide viewer does not see every row"
        assert api_client.get(self.detail_url(theirs)).status_code == 200

    def test_rows_are_listed_once_and_count_matches(self, api_client, viewer, wide_viewer):
        for _ in range(3):
            self.make_visible(viewer)
            self.make_hidden(viewer)
        for actor in (viewer, wide_viewer):
            api_client.force_authenticate(actor)
            ids, body = self.list_all(api_client)
            assert len(ids) == len(set(ids)), "a row is listed twice (to-many scope path without a subquery?)"
            assert body["count"] == len(ids), f"count {body['count']} != {len(ids)} rows listed"

    def test_list_query_count_is_constant(self, api_client, viewer):
        api_client.force_authenticate(viewer)
        assert_constant_queries(
            fetch=lambda: self.list_all(api_client),
            add_rows=lambda n: [self.make_visible(viewer) for _ in range(n)],
        )

    def test_api_client_needs_the_scope(self, viewer):
        self.make_visible(viewer)
        theirs = self.make_hidden(viewer)
        wrong_scope = "jobs:read" if self.client_scope != "jobs:read" else "reference:read"
        _, token = self.client_for(viewer, [wrong_scope])
        denied = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get(self.list_url)
        assert denied.status_code == 403
        assert denied.json()["code"] == "insufficient_scope"
        if self.client_scope is None:
            return
        _, token = self.client_for(viewer, [self.client_scope])
        client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
        ids, _ = self.list_all(client)
        assert self.key_of(theirs) not in ids
        assert client.get(self.detail_url(theirs)).status_code == 404


class TownshipScopedEndpointContract(ScopedEndpointContract):
    """Rows placed in a township: the viewer is township A staff, the wide viewer a city bureau user."""

    factory = None  # optional factory_boy factory; with scope_kw, ``make`` needs no code
    scope_kw: str = "township"

    @pytest.fixture(autouse=True)
    def _townships(self, township_a, township_b):
        self.township_a, self.township_b = township_a, township_b

    @pytest.fixture
    def viewer(self, staff_a):
        return staff_a

    @pytest.fixture
    def wide_viewer(self, city_staff):
        return city_staff

    def make(self, township):
        if self.factory is None:
            raise NotImplementedError("set factory (+ scope_kw) or override make(township)")
        return self.factory(**{self.scope_kw: township})

    def make_visible(self, viewer):
        return self.make(self.township_a)

    def make_hidden(self, viewer):
        return self.make(self.township_b)

    def client_for(self, viewer, scopes):
        from apps.accounts.services import api_client_create

        client, token = api_client_create(
            name=f"contract-{uuid.uuid4().hex[:8]}", scopes=scopes, township_codes=[self.township_a.code]
        )
        return client, token

    def test_viewer_of_both_townships_sees_each_row_once(self, api_client, viewer):
        both = [self.make(self.township_a), self.make(self.township_b)]
        viewer.townships.add(self.township_b)
        viewer = type(viewer).objects.get(pk=viewer.pk)  # drop the cached township ids
        api_client.force_authenticate(viewer)
        ids, body = self.list_all(api_client)
        assert {self.key_of(o) for o in both} <= set(ids), "a viewer of both townships misses rows"
        assert len(ids) == len(set(ids)), "a row is listed twice (to-many scope path without a subquery?)"
        assert len(ids) == body["count"], f"count {body['count']} != {len(ids)} rows listed"


# ---------------------------------------------------------------------- route discovery (for the walks)
@dataclass(frozen=True)
class ApiRoute:
    regex: str  # the full pattern from the site root, without anchors
    callback: object
    name: str | None
    params: tuple[str, ...]
    template: str  # "%(pk)s"-style format string of the path

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def openapi_path(self) -> str:
        return "/" + self.template.replace("%(", "{").replace(")s", "}")

    def sample_path(self) -> str:
        """A concrete path that resolves to this route (ids that need not exist)."""
        for guess in ("1", "00000000-0000-0000-0000-000000000001", "x"):
            values = {p: ("json" if p == "format" else ("x/" if p == "rest" else guess)) for p in self.params}
            path = "/" + self.template % values
            try:
                match = resolve(path)
            except Resolver404:
                continue
            if match.func is self.callback:
                return path
        raise AssertionError(f"cannot build a sample path for {self.regex!r}")


def _strip(regex: str) -> str:
    if regex.startswith("^"):
        regex = regex[1:]
    for end in (r"\Z", "$"):
        if regex.endswith(end):
            regex = regex[: -len(end)]
    return regex


def api_routes(prefix: str = "api/") -> list[ApiRoute]:
    """Every URL pattern under ``/api/`` found by walking the root resolver: future apps are picked up by themselves."""
    routes = []

    def walk(resolver, base):
        for entry in resolver.url_patterns:
            regex = base + _strip(entry.pattern.regex.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, regex)
            elif isinstance(entry, URLPattern) and regex.startswith(prefix):
                template, params = normalize(regex)[0]
                routes.append(ApiRoute(regex, entry.callback, entry.name, tuple(params), template))

    walk(get_resolver(), "")
    return routes

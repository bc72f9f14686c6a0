"""The township flavour of the scoped-endpoint contract, run on a township-scoped model through the real mixins,
and proof that the contract fails an endpoint that leaks.

No production endpoint lists users (none is needed yet), so this module serves a test-only one (it is its own
URLconf). User is a good subject: its SCOPE_PATH ("townships") is a to-many path, the case where a naive filter
lists a row twice. Real endpoints (e.g. tests/enterprises/test_api.py) subclass the same contract.
"""

import itertools

import pytest
from django.contrib.auth.models import Permission
from django.urls import include, path
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from apps.accounts.models import User
from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.permissions import ClientScopes, ModelPermissions
from tests.conftest import make_user
from tests.helpers.scoped_api import TownshipScopedEndpointContract

pytestmark = pytest.mark.urls(__name__)
_seq = itertools.count()


class UserOut(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


def user_list(*, actor):
    return User.objects.visible_to(actor).order_by("pk")


class ScopedUserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.none()
    selector = staticmethod(user_list)
    serializer_class = UserOut


class LeakyUserViewSet(viewsets.ReadOnlyModelViewSet):
    """What the contract must catch: permission-checked, but rows straight from the manager."""

    queryset = User.objects.order_by("pk")
    serializer_class = UserOut
    permission_classes = [ClientScopes, ModelPermissions]


class JoinedUserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Scoped, but with the naive join through the to-many path: a user of two townships appears twice."""

    queryset = User.objects.none()
    selector = staticmethod(
        lambda *, actor: User.objects.filter(townships__in=actor.township_ids()).order_by("pk")
        if not actor.has_perm("accounts.view_all_townships")
        else User.objects.order_by("pk")
    )
    serializer_class = UserOut


router = SimpleRouter()
router.register("users", ScopedUserViewSet, basename="t-user")
router.register("leaky-users", LeakyUserViewSet, basename="t-leaky")
router.register("joined-users", JoinedUserViewSet, basename="t-joined")
urlpatterns = [path("api/v1/test/", include(router.urls))]


def _grant_view_user(user):
    user.user_permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="accounts"))
    return User.objects.get(pk=user.pk)  # fresh permission cache


class TestScopedUserEndpoint(TownshipScopedEndpointContract):
    list_url = "/api/v1/test/users/"

    @pytest.fixture
    def viewer(self, staff_a):
        return _grant_view_user(staff_a)

    @pytest.fixture
    def wide_viewer(self, city_staff):
        return _grant_view_user(city_staff)

    def make(self, township):
        return make_user(f"row{next(_seq)}", None, [township])


# ---------------------------------------------------------------- the contract catches leaks
class _Leaky(TestScopedUserEndpoint):
    list_url = "/api/v1/test/leaky-users/"


class _Joined(TestScopedUserEndpoint):
    list_url = "/api/v1/test/joined-users/"


def _prepare(contract, township_a, township_b):
    contract.township_a, contract.township_b = township_a, township_b
    return contract


def test_contract_catches_an_unscoped_list(api_client, staff_a, township_a, township_b):
    contract = _prepare(_Leaky(), township_a, township_b)
    viewer = _grant_view_user(staff_a)
    with pytest.raises(AssertionError, match="hidden row .* is listed"):
        contract.test_list_shows_visible_rows_only(api_client, viewer)
    with pytest.raises(AssertionError, match="answered 200, not 404"):
        contract.test_detail_of_hidden_row_is_404_like_a_missing_row(api_client, viewer)


def test_contract_catches_duplicate_rows_through_a_to_many_path(api_client, staff_a, township_a, township_b):
    contract = _prepare(_Joined(), township_a, township_b)
    viewer = _grant_view_user(staff_a)
    make_user("in_both", None, [township_a, township_b])
    with pytest.raises(AssertionError, match="listed twice"):
        contract.test_viewer_of_both_townships_sees_each_row_once(api_client, viewer)

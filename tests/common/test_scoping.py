"""visible_to(user), the one scoping rule (STYLE.md §3.6), tested on User (SCOPE_PATH = "townships", a to-many path)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from apps.accounts.models import Township, User
from apps.common.models import Job
from apps.common.scoping import _path_crosses_many, is_scoped_model
from tests.conftest import make_user


@pytest.fixture
def people(township_a, township_b):
    return {
        "a": make_user("in_a", None, [township_a]),
        "b": make_user("in_b", None, [township_b]),
        "ab": make_user("in_ab", None, [township_a, township_b]),
        "none": make_user("in_none"),
    }


def visible(viewer, people):
    rows = list(User.objects.visible_to(viewer).filter(pk__in=[u.pk for u in people.values()]))
    return sorted(u.username for u in rows), len(rows)


def test_anonymous_and_inactive_see_nothing(people, staff_a):
    assert not User.objects.visible_to(None).exists()
    assert not User.objects.visible_to(AnonymousUser()).exists()
    staff_a.is_active = False
    assert not User.objects.visible_to(staff_a).exists()


def test_township_user_sees_own_township_rows(people, staff_a):
    assert visible(staff_a, people) == (["in_a", "in_ab"], 2)


def test_user_without_township_sees_nothing(people, reference):
    assert visible(make_user("lonely", "township_staff"), people) == ([], 0)


def test_city_role_and_superuser_see_everything(people, city_staff):
    everyone = (["in_a", "in_ab", "in_b", "in_none"], 4)
    assert visible(city_staff, people) == everyone
    root = make_user("root", is_superuser=True)
    assert visible(root, people) == everyone


def test_view_all_townships_permission_alone_is_city_wide(people, reference):
    user = make_user("direct")
    user.user_permissions.add(Permission.objects.get(codename="view_all_townships"))
    user = User.objects.get(pk=user.pk)
    assert visible(user, people)[1] == 4


def test_to_many_path_does_not_duplicate_rows(people, township_a, township_b):
    """in_ab belongs to both townships; a viewer covering both must see it once (pk subquery, not a join)."""
    viewer = make_user("both", None, [township_a, township_b])
    names, count = visible(viewer, people)
    assert names == ["in_a", "in_ab", "in_b"] and count == 3
    assert User.objects.visible_to(viewer).filter(username="in_ab").count() == 1


def test_path_analysis():
    assert _path_crosses_many(User, "townships")
    assert not _path_crosses_many(Job, "created_by")


def test_scoped_models_are_recognised_by_visible_to():
    assert is_scoped_model(User)
    assert is_scoped_model(Job)  # scoped by creator, not township: still scoped
    assert not is_scoped_model(Township)

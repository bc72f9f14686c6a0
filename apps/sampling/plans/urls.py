"""URL patterns of sampling/plans (included by apps/sampling/urls.py under the "sampling" namespace)."""

urlpatterns: list = []

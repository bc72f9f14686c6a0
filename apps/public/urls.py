"""/public/ — the 一公开 portal (no login). Mounted once in haining_foodsafety/urls.py.

Namespaces: ``public`` (index, lookup, verifier), ``public_draws`` and ``public_results`` (names kept from when the
pages lived in apps.inspections; records printed with QR codes point at ``public_results:detail``).
"""

from django.urls import include, path

from . import views

portal = (
    [
        path("", views.index, name="index"),
        path("enterprises/", views.lookup, name="lookup"),
        path("tools/verify_draw.py", views.verifier_download, name="verifier"),
    ],
    "public",
)

urlpatterns = [
    path("", include(portal)),
    path("draws/", include("apps.public.urls_draws")),
    path("results/", include("apps.public.urls_results")),
]

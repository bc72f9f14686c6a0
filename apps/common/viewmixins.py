"""Scoping for HTML class-based views, written once: read through the app's selector."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin


class ScopedQuerysetMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """``selector(actor=user)`` returns ``Model.objects.visible_to(user)``; a detail outside scope is 404."""

    selector = None
    raise_exception = False  # anonymous -> login page; logged in without permission -> 403

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()

    def get_queryset(self):
        return self.selector(actor=self.request.user)

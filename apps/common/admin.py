"""Admin with scoping: the same visible_to() as the API and pages; FK choices narrowed; writes through services."""

from django.contrib import admin

from apps.common.scoping import is_scoped_model


class ScopedAdminMixin:
    """Rows outside the user's township(s) do not exist in the admin either.

    Subclasses should override ``save_model`` / ``delete_model`` to call the app's services, so admin writes
    are audited like every other write.
    """

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if is_scoped_model(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if is_scoped_model(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ApiClient, Township, TownshipPopulation, User


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "kind", "code", "is_active"]
    list_display_links = ["name"]


@admin.register(TownshipPopulation)
class TownshipPopulationAdmin(admin.ModelAdmin):
    list_display = ["township", "year", "population", "is_estimate", "source"]
    list_filter = ["year", "is_estimate"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "is_active", "is_staff"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("平台信息", {"fields": ("full_name", "phone", "townships", "is_service_account")}),
    )
    filter_horizontal = ["groups", "user_permissions", "townships"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "token_prefix", "is_active", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["token_prefix", "token_hash", "last_used_at", "created_at"]

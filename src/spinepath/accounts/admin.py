"""Django admin for clinic IT: users, sites and care teams.

Patient records are deliberately not in the admin: every read of patient data
goes through an access guard and is logged, which the admin would bypass.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from spinepath.accounts.models import CareTeam, CareTeamMembership, Site, User


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "time_zone")
    search_fields = ("code", "name")


class MembershipInline(admin.TabularInline):
    model = CareTeamMembership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "monitored_hours")
    list_filter = ("site",)
    inlines = (MembershipInline,)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "role", "site", "is_active")
    list_filter = ("role", "site", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "role", "site")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "role", "site", "password1", "password2")},
        ),
    )
    filter_horizontal = ()

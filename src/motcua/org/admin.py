"""The organisation in the Django admin: units, agencies, divisions, staff and their roles."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import Agency, Division, RoleAssignment, Unit, User
from .views import StaffLoginView


class ManagedByAdministrators(admin.ModelAdmin):
    """Only a superuser or an administrator (in the motcua sense) edits the organisation."""

    permission_action = permissions.MANAGE_ORG

    def has_module_permission(self, request):
        return permissions.can(request.user, self.permission_action, self._scope(None))

    def has_view_permission(self, request, obj=None):
        return permissions.can(request.user, self.permission_action, self._scope(obj))

    def has_add_permission(self, request, obj=None):
        return permissions.can(request.user, self.permission_action, self._scope(None))

    def has_change_permission(self, request, obj=None):
        return permissions.can(request.user, self.permission_action, self._scope(obj))

    def has_delete_permission(self, request, obj=None):
        return permissions.can(request.user, self.permission_action, self._scope(obj))

    def _scope(self, obj):
        return obj

    # Lists show only rows inside the administrator's scope ("unit:<lookup>" or
    # "agency:<lookup>"); None means every row.
    scope_filter: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.scope_filter is None:
            return qs
        kind, lookup = self.scope_filter.split(":")
        if kind == "unit":
            ids = permissions.reachable_unit_ids(request.user, self.permission_action)
        else:
            ids = permissions.reachable_agency_ids(request.user, self.permission_action)
        return qs if ids is None else qs.filter(**{f"{lookup}__in": ids})


@admin.register(Unit)
class UnitAdmin(ManagedByAdministrators):
    scope_filter = "unit:id"
    list_display = ["name", "code", "tier", "parent", "valid_from", "valid_to"]
    list_filter = ["tier"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "successor"]


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


@admin.register(Agency)
class AgencyAdmin(ManagedByAdministrators):
    scope_filter = "agency:id"
    list_display = ["name", "code", "kind", "unit", "parent"]
    list_filter = ["kind", "unit__tier"]
    search_fields = ["name", "code", "short_name"]
    autocomplete_fields = ["unit", "parent"]
    inlines = [DivisionInline]


@admin.register(Division)
class DivisionAdmin(ManagedByAdministrators):
    scope_filter = "agency:agency_id"
    list_display = ["name", "code", "agency"]
    search_fields = ["name", "code", "agency__name"]
    autocomplete_fields = ["agency"]

    def _scope(self, obj):
        return obj.agency if obj else None


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["agency", "unit", "division"]


@admin.register(User)
class UserAdmin(ManagedByAdministrators, BaseUserAdmin):
    scope_filter = "agency:agency_id"
    list_display = ["username", "full_name", "agency", "job_title", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "agency__unit__tier"]
    search_fields = ["username", "full_name", "email", "phone"]
    autocomplete_fields = ["agency", "division"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email", "phone")}),
        (_("Công tác"), {"fields": ("agency", "division", "job_title")}),
        (
            _("Quyền hệ thống"),
            {"fields": ("is_active", "is_staff", "is_superuser")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "agency", "password1", "password2"),
            },
        ),
    )

    def _scope(self, obj):
        return obj.agency if obj and obj.agency_id else None


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ManagedByAdministrators):
    list_display = ["user", "role", "agency", "unit", "division", "valid_from", "valid_to"]

    def get_queryset(self, request):
        # An assignment sits in an agency or in a unit: an administrator lists those inside
        # the scope he administers, never the province's (the scope matrix found it).
        qs = super().get_queryset(request)
        agencies = permissions.reachable_agency_ids(request.user, self.permission_action)
        units = permissions.reachable_unit_ids(request.user, self.permission_action)
        if agencies is None or units is None:
            return qs
        return qs.filter(Q(agency_id__in=agencies) | Q(agency__isnull=True, unit_id__in=units))

    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user", "agency", "unit", "division"]

    def _scope(self, obj):
        return (obj.agency or obj.unit) if obj else None


admin.site.site_header = _("motcua — Quản trị hệ thống")
admin.site.site_title = _("motcua")
admin.site.index_title = _("Quản trị")
# Staff sign in through our page so that two-factor authentication always applies.
admin.site.login = StaffLoginView.as_view()

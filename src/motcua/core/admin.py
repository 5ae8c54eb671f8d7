from django.contrib import admin

from motcua.org import permissions
from motcua.org.admin import ManagedByAdministrators

from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ManagedByAdministrators):
    permission_action = permissions.MANAGE_CALENDAR
    list_display = ["date", "kind", "name", "decision"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name", "decision"]

    def _scope(self, obj):
        return permissions.PROVINCE_WIDE

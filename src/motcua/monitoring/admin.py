from django.contrib import admin

from .models import BandScale


@admin.register(BandScale)
class BandScaleAdmin(admin.ModelAdmin):
    """One row of thresholds for the whole province: it can be changed, not multiplied."""

    list_display = ("green_from", "yellow_from", "orange_from")

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not BandScale.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

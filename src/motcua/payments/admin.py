from django.contrib import admin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: a payment changes only through its services (counter, gateway IPN)."""

    list_display = (
        "dossier",
        "amount",
        "overpaid",
        "method",
        "status",
        "gateway",
        "reference",
        "paid_at",
    )
    list_filter = ("method", "status", "gateway")
    search_fields = ("dossier__code", "reference", "transaction_no", "receipt_number")
    list_select_related = ("dossier",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

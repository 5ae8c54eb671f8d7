"""The outbox in the admin: templates edited by the province, messages and opt-outs to read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Channel, Message, OptOut, Template
from .templating import PLACEHOLDERS, sms_length


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["event", "channel", "active", "length", "updated_at"]
    list_filter = ["channel", "active", "event"]
    readonly_fields = ["placeholders", "length"]
    fields = ["event", "channel", "active", "subject", "text", "zns_template_id"]
    fields += readonly_fields

    @admin.display(description=_("trường dùng được"))
    def placeholders(self, obj):
        return ", ".join("{" + p + "}" for p in PLACEHOLDERS.get(obj.event, ())) if obj else ""

    @admin.display(description=_("độ dài (với giá trị mẫu)"))
    def length(self, obj):
        if not obj or obj.channel != Channel.SMS:
            return "—"
        count, encoding, chars = sms_length(obj.text)
        return _("%(c)s ký tự, %(n)s tin (%(e)s)") % {"c": chars, "n": count, "e": encoding.upper()}


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: what was sent is a record, not something to edit."""

    list_display = ["created_at", "channel", "event", "status", "attempts", "reason"]
    list_filter = ["channel", "status", "event"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["address", "channel", "created_at"]
    list_filter = ["channel"]
    search_fields = ["address"]

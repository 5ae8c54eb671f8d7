"""The rating scale and the feedback in the admin: the scale is the province's to change;
ratings are the applicants' words and are only read."""

from django.contrib import admin

from motcua.org import permissions
from motcua.org.admin import ManagedByAdministrators

from .models import Feedback, Rating, RatingAnswer, RatingCriterion, RatingLevel


class ScaleAdmin(ManagedByAdministrators):
    permission_action = permissions.MANAGE_CATALOG

    def _scope(self, obj):
        return permissions.PROVINCE_WIDE


@admin.register(RatingCriterion)
class RatingCriterionAdmin(ScaleAdmin):
    list_display = ["name", "code", "order", "is_active"]


@admin.register(RatingLevel)
class RatingLevelAdmin(ScaleAdmin):
    list_display = ["name", "code", "score", "is_negative", "order"]


class AnswerInline(admin.TabularInline):
    model = RatingAnswer
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "level"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ScaleAdmin):
    list_display = ["dossier", "at", "via", "is_negative"]
    list_filter = ["is_negative", "via"]
    readonly_fields = ["dossier", "by", "via", "comment", "is_negative", "at"]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(ScaleAdmin):
    list_display = ["title", "kind", "state", "created_at", "allow_publish"]
    list_filter = ["state", "kind", "allow_publish"]
    search_fields = ["title", "content", "sender_name"]
    readonly_fields = [f.name for f in Feedback._meta.fields]

"""Signing keys in the admin: an administrator installs a leader's key or an agency's seal
(the certificate is read through the key and checked before anything is saved)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.org import permissions
from motcua.org.admin import ManagedByAdministrators

# pyHanko and its kin (about 14 MB per process) load when a key is read, not at start-up:
# every app server process imports the admin, few ever open a key.
from .errors import SigningError
from .models import SigningIdentity
from .permissions import MANAGE_SIGNING


class SigningIdentityForm(forms.ModelForm):
    class Meta:
        model = SigningIdentity
        fields = ["user", "agency", "kind", "config", "label", "stamp_image", "active"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        from . import certs
        from .keys import key_source

        try:
            source = key_source(data.get("kind"), data.get("config") or {})
            self.certificate = source.certificate()
            certs.check_can_sign(self.certificate)
        except SigningError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(SigningIdentity)
class SigningIdentityAdmin(ManagedByAdministrators):
    permission_action = MANAGE_SIGNING
    form = SigningIdentityForm
    list_display = ["__str__", "kind", "certificate_serial", "valid_to", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["label", "user__full_name", "agency__name", "certificate_serial"]
    autocomplete_fields = ["user", "agency"]
    readonly_fields = [
        "certificate_subject",
        "certificate_issuer",
        "certificate_serial",
        "valid_from",
        "valid_to",
        "created_at",
        "updated_at",
    ]
    actions = ["refresh_certificates"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user", "agency")
        ids = permissions.reachable_agency_ids(request.user, self.permission_action)
        return qs if ids is None else qs.filter(Q(agency_id__in=ids) | Q(user__agency_id__in=ids))

    def save_model(self, request, obj, form, change):
        from . import services

        image = form.cleaned_data.get("stamp_image")
        if change:
            services.signing_identity_update(identity=obj, actor=request.user)
            return
        identity = services.signing_identity_register(
            kind=obj.kind,
            config=obj.config,
            user=obj.user,
            agency=obj.agency,
            label=obj.label,
            stamp_image=image.read() if image else None,
            actor=request.user,
        )
        obj.pk = identity.pk
        obj.stamp_image = identity.stamp_image

    @admin.action(description=_("Đọc lại chứng thư số từ khóa"))
    def refresh_certificates(self, request, queryset):
        from . import services

        for identity in queryset:
            try:
                services.signing_identity_update(identity=identity, actor=request.user)
            except SigningError as exc:
                self.message_user(request, f"{identity}: {exc}", messages.ERROR)

"""The catalog in the Django admin, with import and export of the whole catalog."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from motcua.org import permissions
from motcua.org.admin import ManagedByAdministrators

from . import services
from .importing import CatalogImportError
from .models import Component, Fee, Field, LifeEvent, Procedure, ProcessDefinition, ProcessStep
from .selectors import catalog_export_data
from .spreadsheet import data_to_workbook, workbook_to_data

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class CatalogAdmin(ManagedByAdministrators):
    permission_action = permissions.MANAGE_CATALOG

    def _scope(self, obj):
        return permissions.PROVINCE_WIDE


@admin.register(Field)
class FieldAdmin(CatalogAdmin):
    list_display = ["name", "code", "name_en"]
    search_fields = ["name", "code"]


@admin.register(LifeEvent)
class LifeEventAdmin(CatalogAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]
    filter_horizontal = ["procedures"]


class FeeInline(admin.StackedInline):
    model = Fee
    extra = 0


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh mục (.json hoặc .xlsx)"),
        help_text=_("Tối đa 20 MB. Có lỗi ở bất kỳ dòng nào thì không lưu gì."),
    )


@admin.register(Procedure)
class ProcedureAdmin(CatalogAdmin):
    list_display = ["national_code", "name", "field", "processing_time_label", "online_level"]
    list_filter = ["field", "online_level", "processing_unit", "is_active"]
    search_fields = ["national_code", "name", "name_folded"]
    filter_horizontal = ["agencies"]
    inlines = [ComponentInline, FeeInline]
    change_list_template = "admin/catalog/procedure/change_list.html"

    @admin.display(description=_("thời hạn"))
    def processing_time_label(self, obj):
        return obj.processing_time_label()

    def get_urls(self):
        own = [
            path("nhap/", self.admin_site.admin_view(self.import_view), name="catalog_import"),
            path(
                "xuat.<str:fmt>",
                self.admin_site.admin_view(self.export_view),
                name="catalog_export",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request):
        permissions.require(request.user, permissions.MANAGE_CATALOG, permissions.PROVINCE_WIDE)
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = _read_upload(upload)
                report = services.catalog_import(actor=request.user, data=data)
            except CatalogImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _t("Đã nhập: %(c)s thủ tục mới, %(u)s thủ tục cập nhật, %(v)s quy trình mới.")
                    % {"c": report.created, "u": report.updated, "v": report.new_process_versions},
                )
                return redirect("admin:catalog_procedure_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _t("Nhập danh mục thủ tục"),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/import.html", context)

    def export_view(self, request, fmt: str):
        permissions.require(request.user, permissions.MANAGE_CATALOG, permissions.PROVINCE_WIDE)
        data = catalog_export_data()
        stamp = timezone.localdate().strftime("%Y%m%d")
        if fmt == "xlsx":
            response = HttpResponse(
                data_to_workbook(data),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=1),
                content_type="application/json; charset=utf-8",
            )
            fmt = "json"
        response["Content-Disposition"] = f'attachment; filename="danh-muc-tthc-{stamp}.{fmt}"'
        return response


def _read_upload(upload) -> dict:
    if upload.size > MAX_IMPORT_BYTES:
        raise CatalogImportError([_t("Tệp lớn quá 20 MB.")])
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK"):
        return workbook_to_data(upload)
    try:
        return json.loads(upload.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogImportError(
            [_t("Tệp không phải JSON hay Excel hợp lệ: %(e)s") % {"e": exc}]
        ) from None


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(CatalogAdmin):
    list_display = ["procedure", "version", "valid_from", "valid_to", "published"]
    list_filter = ["published"]
    search_fields = ["procedure__national_code", "procedure__name"]
    autocomplete_fields = ["procedure"]
    inlines = [StepInline]
